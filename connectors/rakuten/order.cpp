#include "connectors/rakuten/order.hpp"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "connectors/rakuten/order_number.hpp"

namespace musubi::rakuten {

namespace {

using nlohmann::json;

std::string type_name(const json& value) {
    switch (value.type()) {
    case json::value_t::null:
        return "null";
    case json::value_t::boolean:
        return "a boolean";
    case json::value_t::string:
        return "a string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        return "a number";
    case json::value_t::object:
        return "an object";
    case json::value_t::array:
        return "a list";
    default:
        return "not a JSON value";
    }
}

// Reads the fields of one JSON object, recording only the first problem (with its path, e.g.
// "PackageModelList[0].ItemModelList[1].price"); after that, reads return empty values.
// Values are never quoted in problems: they may be personal data.
class Reader {
public:
    Reader(const json& object, std::string path, std::string& problem)
        : m_object(object)
        , m_path(std::move(path))
        , m_problem(problem) {}

    bool failed() const { return !m_problem.empty(); }
    std::string path_of(std::string_view key) const { return m_path + std::string(key); }

    // A JSON value that may be absent (nullptr) or null (returned as is).
    const json* field(const char* key, bool required, const char* expected) {
        if (failed()) {
            return nullptr;
        }
        const auto it = m_object.find(key);
        if (it == m_object.end() || (it->is_null() && required)) {
            if (required) {
                fail(key, it == m_object.end() ? "is missing"
                                               : std::string("is null, expected ") + expected);
            }
            return nullptr;
        }
        return &*it;
    }

    std::string string(const char* key, bool required = false) {
        const json* value = field(key, required, "a string");
        if (value == nullptr || value->is_null()) {
            return {};
        }
        if (!value->is_string()) {
            fail(key, "is " + type_name(*value) + ", expected a string");
            return {};
        }
        return value->get<std::string>();
    }

    std::optional<std::int64_t> integer(const char* key, bool required = false) {
        const json* value = field(key, required, "a number");
        if (value == nullptr || value->is_null()) {
            return std::nullopt;
        }
        if (value->is_number_integer() && !value->is_number_unsigned()) {
            return value->get<std::int64_t>();
        }
        if (value->is_number_unsigned() &&
            value->get<std::uint64_t>() <=
                static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return static_cast<std::int64_t>(value->get<std::uint64_t>());
        }
        if (value->is_number_float()) {
            const double number = value->get<double>();
            if (std::trunc(number) == number && std::fabs(number) < 9.0e15) {
                return static_cast<std::int64_t>(number);
            }
            fail(key, "is a fraction, expected a whole number");
            return std::nullopt;
        }
        fail(key, value->is_number() ? "is out of range"
                                     : "is " + type_name(*value) + ", expected a number");
        return std::nullopt;
    }

    Money money(const char* key) {
        auto amount = integer(key);
        return amount == k_money_not_fixed ? std::nullopt : amount;
    }

    std::optional<TimePoint> datetime(const char* key, bool required = false) {
        const std::string text = string(key, required);
        if (failed() || text.empty()) {
            return std::nullopt;
        }
        auto at = parse_rms_datetime(text);
        if (!at) {
            fail(key, "is not an RMS datetime: " + at.error());
            return std::nullopt;
        }
        return *at;
    }

    std::optional<std::chrono::sys_days> date(const char* key) {
        const std::string text = string(key);
        if (failed() || text.empty()) {
            return std::nullopt;
        }
        auto day = parse_rms_date(text);
        if (!day) {
            fail(key, "is not a date: " + day.error());
            return std::nullopt;
        }
        return *day;
    }

    // A list (or nullptr for null/absent, read as empty).
    const json* list(const char* key) { return typed(key, json::value_t::array, "a list"); }
    const json* object(const char* key) { return typed(key, json::value_t::object, "an object"); }

    void fail(std::string_view key, const std::string& what) {
        if (!failed()) {
            m_problem = "'" + path_of(key) + "' " + what;
        }
    }

private:
    const json* typed(const char* key, json::value_t type, const char* expected) {
        const json* value = field(key, false, expected);
        if (value == nullptr || value->is_null()) {
            return nullptr;
        }
        if (value->type() != type) {
            fail(key, "is " + type_name(*value) + ", expected " + expected);
            return nullptr;
        }
        return value;
    }

    const json& m_object;
    std::string m_path;
    std::string& m_problem;
};

// Calls `read(element, reader)` for each object of the list `key`.
template <typename Read>
void each_object(Reader& parent, const char* key, Read read) {
    const json* list = parent.list(key);
    if (list == nullptr) {
        return;
    }
    for (std::size_t i = 0; i < list->size() && !parent.failed(); ++i) {
        const std::string path = parent.path_of(key) + "[" + std::to_string(i) + "]";
        const json& element = (*list)[i];
        if (!element.is_object()) {
            parent.fail(std::string(key) + "[" + std::to_string(i) + "]",
                        "is " + type_name(element) + ", expected an object");
            return;
        }
        read(element, path + ".");
    }
}

void read_orderer(Reader& order, Orderer& orderer, std::string& problem) {
    const json* model = order.object("OrdererModel");
    if (model == nullptr) {
        return;
    }
    Reader reader(*model, "OrdererModel.", problem);
    orderer.family_name = reader.string("familyName");
    orderer.first_name = reader.string("firstName");
    orderer.family_name_kana = reader.string("familyNameKana");
    orderer.first_name_kana = reader.string("firstNameKana");
    orderer.phone_number1 = reader.string("phoneNumber1");
    orderer.phone_number2 = reader.string("phoneNumber2");
    orderer.phone_number3 = reader.string("phoneNumber3");
    orderer.email_address = reader.string("emailAddress");
}

Item read_item(const json& model, const std::string& path, std::string& problem) {
    Reader reader(model, path, problem);
    Item item;
    item.item_detail_id = reader.integer("itemDetailId").value_or(0);
    item.item_id = reader.integer("itemId").value_or(0);
    item.item_number = reader.string("itemNumber");
    item.manage_number = reader.string("manageNumber");
    item.item_name = reader.string("itemName");
    item.price = reader.integer("price").value_or(0);
    item.units = reader.integer("units").value_or(0);
    return item;
}

Shipping read_shipping(const json& model, const std::string& path, std::string& problem) {
    Reader reader(model, path, problem);
    Shipping shipping;
    shipping.shipping_detail_id = reader.integer("shippingDetailId");
    shipping.shipping_number = reader.string("shippingNumber");
    shipping.delivery_company = reader.string("deliveryCompany");
    shipping.delivery_company_name = reader.string("deliveryCompanyName");
    shipping.shipping_date = reader.date("shippingDate");
    return shipping;
}

Package read_package(const json& model, const std::string& path, std::string& problem) {
    Reader reader(model, path, problem);
    Package package;
    package.basket_id = reader.integer("basketId").value_or(0);
    each_object(reader, "ItemModelList", [&](const json& item, const std::string& at) {
        package.items.push_back(read_item(item, at, problem));
    });
    each_object(reader, "ShippingModelList", [&](const json& shipping, const std::string& at) {
        package.shippings.push_back(read_shipping(shipping, at, problem));
    });
    return package;
}

ChangeReason read_change_reason(const json& model, const std::string& path, std::string& problem) {
    Reader reader(model, path, problem);
    ChangeReason reason;
    reason.change_type = reader.integer("changeType").value_or(-1);
    reason.change_apply_datetime = reader.datetime("changeApplyDatetime");
    reason.change_fix_datetime = reader.datetime("changeFixDatetime");
    reason.change_cmpl_datetime = reader.datetime("changeCmplDatetime");
    return reason;
}

void read_order_fields(Reader& reader, Order& order, std::string& problem) {
    order.order_progress = static_cast<int>(reader.integer("orderProgress", true).value_or(0));
    order.order_datetime = reader.datetime("orderDatetime", true).value_or(TimePoint{});
    order.shop_order_cfm_datetime = reader.datetime("shopOrderCfmDatetime");
    order.order_fix_datetime = reader.datetime("orderFixDatetime");
    order.shipping_inst_datetime = reader.datetime("shippingInstDatetime");
    order.shipping_cmpl_rpt_datetime = reader.datetime("shippingCmplRptDatetime");
    order.goods_price = reader.money("goodsPrice");
    order.postage_price = reader.money("postagePrice");
    order.total_price = reader.money("totalPrice");
    order.request_price = reader.money("requestPrice");
    order.coupon_all_total_price = reader.money("couponAllTotalPrice");
    read_orderer(reader, order.orderer, problem);
    each_object(reader, "PackageModelList", [&](const json& package, const std::string& at) {
        order.packages.push_back(read_package(package, at, problem));
    });
    each_object(reader, "ChangeReasonModelList", [&](const json& reason, const std::string& at) {
        order.change_reasons.push_back(read_change_reason(reason, at, problem));
    });
}

} // namespace

tl::expected<Order, OrderProblem> parse_order(const json& model, std::size_t index) {
    const std::string where = "OrderModelList[" + std::to_string(index) + "]";
    if (!model.is_object()) {
        return tl::unexpected(
            OrderProblem{"", where + " is " + type_name(model) + ", expected an object"});
    }
    std::string problem;
    Reader reader(model, "", problem);
    Order order;
    order.order_number = reader.string("orderNumber", true);
    if (!problem.empty()) {
        return tl::unexpected(OrderProblem{"", where + ": " + problem});
    }
    if (const auto shape = order_number_problem(order.order_number)) {
        return tl::unexpected(OrderProblem{"", where + ": 'orderNumber' is " + shape->reason});
    }
    read_order_fields(reader, order, problem);
    if (!problem.empty()) {
        return tl::unexpected(
            OrderProblem{order.order_number, "order " + order.order_number + ": " + problem});
    }
    return order;
}

tl::expected<GetOrderResult, Error> parse_get_order_response(std::string_view body) {
    json answer;
    try {
        answer = json::parse(body);
    } catch (const json::parse_error& error) {
        return tl::unexpected(Error{ErrorKind::malformed,
                                    200,
                                    {},
                                    "RMS getOrder answered 200 with a body that is not JSON "
                                    "(broken at byte " +
                                        std::to_string(error.byte) + ")"});
    } catch (const json::out_of_range&) {
        // A number beyond a double (e.g. 1e999) is out_of_range.406, not a parse_error.
        return tl::unexpected(Error{ErrorKind::malformed,
                                    200,
                                    {},
                                    "RMS getOrder answered 200 with a number too large to read"});
    }
    if (!answer.is_object()) {
        return tl::unexpected(Error{ErrorKind::malformed,
                                    200,
                                    {},
                                    "RMS getOrder answered 200 with " + type_name(answer) +
                                        ", expected a JSON object"});
    }
    GetOrderResult result;
    const auto messages = read_messages(answer);
    for (const auto& message : messages) {
        if (message.code == "ORDER_EXT_API_GET_ORDER_INFO_102" && message.order_number) {
            result.not_found.push_back(*message.order_number);
        }
    }
    const auto models = answer.find("OrderModelList");
    if (models == answer.end() || !(models->is_array() || models->is_null())) {
        return tl::unexpected(Error{ErrorKind::malformed, 200, messages,
                                    "RMS getOrder answered 200 without an OrderModelList list"});
    }
    if (models->is_null()) {
        return result;
    }
    for (std::size_t i = 0; i < models->size(); ++i) {
        auto order = parse_order((*models)[i], i);
        if (order) {
            result.orders.push_back(std::move(*order));
        } else {
            result.problems.push_back(std::move(order.error()));
        }
    }
    return result;
}

} // namespace musubi::rakuten
