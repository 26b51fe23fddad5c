#include "order_json.hpp"

namespace musubi::sim::rakuten {

namespace {

using nlohmann::json;

// The first getOrder version without goodsTax and with the newer flags (the contract).
constexpr int k_version_newer_fields = 8;

std::string datetime(EpochSeconds at, const OrderJsonOptions& options) {
    std::string text = format_rms_datetime(at); // ...+0900
    if (options.colon_offset) {
        text.resize(text.size() - 2); // ...+09
        text += ":00";
    }
    return text;
}

json optional_datetime(const std::optional<EpochSeconds>& at, const OrderJsonOptions& options) {
    return at ? json(datetime(*at, options)) : json(nullptr);
}

int money(const Order& order, int value) {
    return order.price_fixed ? value : k_price_not_fixed;
}

json person_json(const Buyer& buyer) {
    return json{{"zipCode1", buyer.zip_code1},
                {"zipCode2", buyer.zip_code2},
                {"prefecture", buyer.prefecture},
                {"city", buyer.city},
                {"subAddress", buyer.sub_address},
                {"familyName", buyer.family_name},
                {"firstName", buyer.first_name},
                {"familyNameKana", buyer.family_name_kana},
                {"firstNameKana", buyer.first_name_kana},
                {"phoneNumber1", buyer.phone1},
                {"phoneNumber2", buyer.phone2},
                {"phoneNumber3", buyer.phone3}};
}

json orderer_json(const Buyer& buyer) {
    json orderer = person_json(buyer);
    orderer["emailAddress"] = buyer.email;
    orderer["sex"] = buyer.sex;
    orderer["birthYear"] = buyer.birth_year;
    orderer["birthMonth"] = buyer.birth_month;
    orderer["birthDay"] = buyer.birth_day;
    return orderer;
}

json item_json(const OrderItem& item) {
    return json{{"itemDetailId", item.item_detail_id},
                {"itemName", item.item_name},
                {"itemId", item.item_id},
                {"itemNumber", item.item_number},
                {"manageNumber", item.manage_number},
                {"price", item.price},
                {"units", item.units},
                {"includePostageFlag", 0},
                {"includeTaxFlag", 1},
                {"includeCashOnDeliveryPostageFlag", 0},
                {"selectedChoice", ""},
                {"pointRate", 1},
                {"pointType", 0},
                {"inventoryType", 1},
                {"delvdateInfo", ""},
                {"restoreInventoryFlag", 0},
                {"dealFlag", 0},
                {"drugFlag", 0},
                {"deleteItemFlag", 0},
                {"taxRate", 0.1},
                {"priceTaxIncl", item.price},
                {"isSingleItemShipping", 0},
                {"SkuModelList", json::array()}};
}

json shipping_json(const Shipment& shipment) {
    return json{{"shippingDetailId", shipment.shipping_detail_id},
                {"shippingNumber", shipment.shipping_number},
                {"deliveryCompany", shipment.delivery_company},
                {"deliveryCompanyName", delivery_company_name(shipment.delivery_company)},
                {"shippingDate", format_jst_date(shipment.shipping_date)}};
}

json change_reasons_json(const Order& order, const OrderJsonOptions& options) {
    json reasons = json::array();
    std::int64_t id = order.basket_id * 10;
    // changeType 0 = cancel requested, 1 = cancel fixed (contract: ChangeReasonModelList).
    if (order.cancel_requested_datetime) {
        reasons.push_back(
            {{"changeId", ++id},
             {"changeType", 0},
             {"changeTypeDetail", 0},
             {"changeReason", 1},
             {"changeReasonDetail", 1},
             {"changeApplyDatetime", datetime(*order.cancel_requested_datetime, options)},
             {"changeFixDatetime", nullptr},
             {"changeCmplDatetime", nullptr}});
    }
    if (order.cancel_fixed_datetime) {
        reasons.push_back(
            {{"changeId", ++id},
             {"changeType", 1},
             {"changeTypeDetail", 0},
             {"changeReason", 1},
             {"changeReasonDetail", 1},
             {"changeApplyDatetime", datetime(*order.cancel_fixed_datetime, options)},
             {"changeFixDatetime", datetime(*order.cancel_fixed_datetime, options)},
             {"changeCmplDatetime", datetime(*order.cancel_fixed_datetime, options)}});
    }
    return reasons;
}

json package_json(const Order& order, const Buyer& buyer, const OrderJsonOptions& options) {
    json items = json::array();
    for (const auto& item : order.items) {
        items.push_back(item_json(item));
    }
    json shipments = json::array();
    for (const auto& shipment : order.shipments) {
        shipments.push_back(shipping_json(shipment));
    }
    json package{{"basketId", order.basket_id},
                 {"postagePrice", money(order, order.postage_price)},
                 {"postageTaxRate", 0.1},
                 {"deliveryPrice", money(order, 0)},
                 {"deliveryTaxRate", 0.1},
                 {"goodsPrice", order.goods_price()},
                 {"totalPrice", money(order, order.total_price())},
                 {"noshi", nullptr},
                 {"packageDeleteFlag", 0},
                 {"SenderModel", person_json(buyer)},
                 {"ItemModelList", items},
                 {"ShippingModelList", shipments},
                 {"DeliveryCvsModel", nullptr},
                 {"defaultDeliveryCompanyCode", order.plan.delivery_company}};
    if (options.version >= k_version_newer_fields) {
        package["SenderModel"]["isolatedIslandFlag"] = 0;
    } else {
        package["goodsTax"] = money(order, order.goods_price() / 11);
    }
    return package;
}

} // namespace

nlohmann::json order_model_json(const Order& order, const Buyer& buyer,
                                const OrderJsonOptions& options) {
    json model{
        {"orderNumber", order.order_number},
        {"orderProgress", order.progress},
        {"subStatusId", nullptr},
        {"subStatusName", nullptr},
        {"orderDatetime", datetime(order.order_datetime, options)},
        {"shopOrderCfmDatetime", optional_datetime(order.shop_order_cfm_datetime, options)},
        {"orderFixDatetime", optional_datetime(order.order_fix_datetime, options)},
        {"shippingInstDatetime", optional_datetime(order.shipping_inst_datetime, options)},
        {"shippingCmplRptDatetime", optional_datetime(order.shipping_cmpl_rpt_datetime, options)},
        {"cancelDueDate", nullptr},
        {"deliveryDate", nullptr},
        {"shippingTerm", nullptr},
        {"remarks", "[配送日時指定:]\n指定なし"},
        {"giftCheckFlag", 0},
        {"severalSenderFlag", 0},
        {"equalSenderFlag", 1},
        {"isolatedIslandFlag", 0},
        {"rakutenMemberFlag", 1},
        {"carrierCode", 0},
        {"emailCarrierCode", 0},
        {"orderType", 1},
        {"reserveNumber", nullptr},
        {"reserveDeliveryCount", nullptr},
        {"cautionDisplayType", 0},
        {"cautionDisplayDetailType", nullptr},
        {"rakutenConfirmFlag", 0},
        {"goodsPrice", order.goods_price()},
        {"postagePrice", money(order, order.postage_price)},
        {"deliveryPrice", money(order, 0)},
        {"paymentCharge", money(order, 0)},
        {"paymentChargeTaxRate", 0.1},
        {"totalPrice", money(order, order.total_price())},
        {"requestPrice", money(order, order.request_price())},
        {"couponAllTotalPrice", money(order, order.coupon_price)},
        {"couponShopPrice", money(order, order.coupon_price)},
        {"couponOtherPrice", money(order, 0)},
        {"additionalFeeOccurAmountToUser", 0},
        {"additionalFeeOccurAmountToShop", 0},
        {"asurakuFlag", 0},
        {"drugFlag", 0},
        {"dealFlag", 0},
        {"membershipType", 0},
        {"memo", nullptr},
        {"operator", nullptr},
        {"mailPlugSentence", nullptr},
        {"modifyFlag", 0},
        {"receiptIssueCount", 0},
        {"receiptIssueHistoryList", json::array()},
        {"OrdererModel", orderer_json(buyer)},
        {"SettlementModel",
         {{"settlementMethodCode", 1},
          {"settlementMethod", "クレジットカード"},
          {"rpaySettlementFlag", 1},
          {"cardName", "VISA"},
          {"cardNumber", "XXXX-XXXX-XXXX-1234"},
          {"cardOwner", "***"},
          {"cardYm", "2030-12"},
          {"cardPayType", 0},
          {"cardInstallmentDesc", nullptr}}},
        {"DeliveryModel", {{"deliveryName", "宅配便"}, {"deliveryClass", nullptr}}},
        {"PointModel", {{"usedPoint", order.used_points}}},
        {"WrappingModel1", nullptr},
        {"WrappingModel2", nullptr},
        {"PackageModelList", json::array({package_json(order, buyer, options)})},
        {"CouponModelList", json::array()},
        {"ChangeReasonModelList", change_reasons_json(order, options)},
        {"TaxSummaryModelList", json::array()},
        {"DueDateModelList", json::array()}};
    if (options.version >= k_version_newer_fields) {
        model["socialGiftFlag"] = 0;
        model["deliveryCertPrgFlag"] = 0;
        model["oneDayOperationFlag"] = 0;
        model["dropOffFlag"] = 0;
    } else {
        model["goodsTax"] = money(order, order.goods_price() / 11);
    }
    return model;
}

} // namespace musubi::sim::rakuten
