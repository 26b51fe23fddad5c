#include "order_api.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "order_json.hpp"

namespace musubi::sim::rakuten {

namespace {

using nlohmann::json;

json message(const std::string& type, const std::string& code, const std::string& text) {
    return json{{"messageType", type}, {"messageCode", code}, {"message", text}};
}

const std::string k_search_prefix = "ORDER_EXT_API_SEARCH_ORDER_";
const std::string k_get_prefix = "ORDER_EXT_API_GET_ORDER_";

json search_error(const std::string& code, const std::string& text) {
    return message("ERROR", k_search_prefix + code, text);
}

Response search_refusal(json messages) {
    return Response::json(400, json{{"orderNumberList", nullptr},
                                    {"MessageModelList", std::move(messages)},
                                    {"PaginationResponseModel", nullptr}});
}

std::optional<std::int64_t> integer(const json& value) {
    if (!value.is_number_integer()) {
        return std::nullopt;
    }
    return value.get<std::int64_t>();
}

// The filters of one searchOrder request that the simulator understands.
struct SearchQuery {
    int date_type = 0;
    EpochSeconds start = 0, end = 0;
    std::vector<int> progress;
    std::optional<std::string> mail_address;
    std::optional<std::string> phone;
    bool only_unsupported_order_types = false;
    bool only_unsupported_sub_status = false;
    int records = k_default_records_per_page;
    int page = 1;
    bool descending = false;
};

void read_datetime(const json& request, const std::string& key, EpochSeconds& out, json& errors) {
    if (!request.contains(key) || request[key].is_null() ||
        (request[key].is_string() && request[key].get<std::string>().empty())) {
        errors.push_back(search_error("ERROR_010", key + "の値を指定して下さい。"));
        return;
    }
    std::optional<EpochSeconds> at;
    if (request[key].is_string()) {
        at = parse_rms_datetime(request[key].get<std::string>());
    }
    if (!at) {
        errors.push_back(search_error("ERROR_011", key + "の書式が不正です。"));
        return;
    }
    out = *at;
}

void read_date_type(const json& request, SearchQuery& query, json& errors) {
    if (!request.contains("dateType") || request["dateType"].is_null()) {
        errors.push_back(search_error("ERROR_009", "dateTypeの項目を指定して下さい。"));
        return;
    }
    auto type = integer(request["dateType"]);
    if (!type || *type < 1 || *type > k_date_type_count) {
        errors.push_back(search_error("ERROR_012", "dateTypeの値が不正です。"));
        return;
    }
    query.date_type = int(*type);
}

void read_filters(const json& request, SearchQuery& query, json& errors) {
    if (request.contains("orderProgressList") && !request["orderProgressList"].is_null()) {
        const auto& list = request["orderProgressList"];
        bool ok = list.is_array();
        for (const auto& code : ok ? list : json::array()) {
            auto value = integer(code);
            ok = ok && value && is_progress_code(*value);
            if (ok) {
                query.progress.push_back(int(*value));
            }
        }
        if (!ok) {
            errors.push_back(search_error("ERROR_008", "orderProgressListの値が不正です。"));
        }
    }
    if (request.contains("orderTypeList") && request["orderTypeList"].is_array() &&
        !request["orderTypeList"].empty()) {
        // Every simulated order is a normal purchase (orderType 1).
        const auto& list = request["orderTypeList"];
        query.only_unsupported_order_types = std::find(list.begin(), list.end(), 1) == list.end();
    }
    if (request.contains("subStatusIdList") && request["subStatusIdList"].is_array() &&
        !request["subStatusIdList"].empty()) {
        // No simulated order has a sub-status; -1 asks for exactly those.
        const auto& list = request["subStatusIdList"];
        query.only_unsupported_sub_status = std::find(list.begin(), list.end(), -1) == list.end();
    }
    if (request.contains("ordererMailAddress") && request["ordererMailAddress"].is_string()) {
        query.mail_address = request["ordererMailAddress"].get<std::string>();
    }
    if (request.contains("phoneNumber") && request["phoneNumber"].is_string()) {
        query.phone = phone_digits(request["phoneNumber"].get<std::string>());
    }
}

void read_pagination(const json& request, SearchQuery& query, json& errors) {
    if (!request.contains("PaginationRequestModel") ||
        request["PaginationRequestModel"].is_null()) {
        return;
    }
    const auto& model = request["PaginationRequestModel"];
    auto records = model.is_object() && model.contains("requestRecordsAmount")
                       ? integer(model["requestRecordsAmount"])
                       : std::nullopt;
    if (!records || *records < 1 || *records > k_max_records_per_page) {
        errors.push_back(
            search_error("ERROR_016", "requestRecordsAmountの値が不正です。(1〜1000)"));
    } else {
        query.records = int(*records);
    }
    auto page = model.is_object() && model.contains("requestPage") ? integer(model["requestPage"])
                                                                   : std::nullopt;
    if (!page || *page < 1) {
        errors.push_back(search_error("ERROR_017", "requestPageの値が不正です。"));
    } else {
        query.page = int(*page);
    }
    if (model.is_object() && model.contains("SortModelList") && !model["SortModelList"].is_null()) {
        const auto& sorts = model["SortModelList"];
        bool ok = sorts.is_array();
        for (const auto& sort : ok ? sorts : json::array()) {
            auto column = sort.is_object() && sort.contains("sortColumn")
                              ? integer(sort["sortColumn"])
                              : std::nullopt;
            auto direction = sort.is_object() && sort.contains("sortDirection")
                                 ? integer(sort["sortDirection"]).value_or(0)
                                 : 0;
            ok = ok && column == 1 && (direction == 1 || direction == 2);
            if (ok) {
                query.descending = direction == 2;
            }
        }
        if (!ok) {
            errors.push_back(search_error("ERROR_018", "SortModelListの値が不正です。"));
        }
    }
}

bool matches(const OrderStore& store, const Order& order, const SearchQuery& query) {
    if (!query.progress.empty() && std::find(query.progress.begin(), query.progress.end(),
                                             order.progress) == query.progress.end()) {
        return false;
    }
    const Buyer& buyer = store.buyer(order.buyer);
    if (query.mail_address && *query.mail_address != buyer.email) {
        return false;
    }
    if (query.phone && *query.phone != phone_digits(buyer.phone())) {
        return false;
    }
    return true;
}

} // namespace

Response search_order(const OrderStore& store, EpochSeconds now, const std::string& body,
                      bool cap_total_records) {
    json request = json::parse(body, nullptr, false);
    if (request.is_discarded() || !request.is_object()) {
        return search_refusal(
            json::array({search_error("ERROR_001", "リクエストの形式が不正です。")}));
    }
    SearchQuery query;
    json errors = json::array();
    read_date_type(request, query, errors);
    json date_errors = json::array();
    read_datetime(request, "startDatetime", query.start, date_errors);
    read_datetime(request, "endDatetime", query.end, date_errors);
    if (date_errors.empty()) {
        if (query.start < now - k_max_start_age) {
            date_errors.push_back(search_error(
                "ERROR_013", "startDatetimeには過去730日以内の日時を指定して下さい。"));
        }
        if (query.end < query.start) {
            date_errors.push_back(search_error(
                "ERROR_014", "endDatetimeにはstartDatetime以降の日時を指定して下さい。"));
        } else if (query.end - query.start > k_max_window) {
            date_errors.push_back(
                search_error("ERROR_015", "検索期間は63日以内で指定して下さい。"));
        }
    }
    errors.insert(errors.end(), date_errors.begin(), date_errors.end());
    read_filters(request, query, errors);
    read_pagination(request, query, errors);
    if (!errors.empty()) {
        return search_refusal(std::move(errors));
    }

    std::vector<std::uint32_t> hits;
    if (!query.only_unsupported_order_types && !query.only_unsupported_sub_status) {
        for (auto index : store.in_window(query.date_type, query.start, query.end)) {
            if (matches(store, store.order(index), query)) {
                hits.push_back(index);
            }
        }
    }
    if (hits.empty()) {
        return Response::json(
            200, json{{"orderNumberList", json::array()},
                      {"MessageModelList",
                       json::array({message("INFO", k_search_prefix + "INFO_102",
                                            "注文検索に成功しました。(検索結果０件)")})},
                      {"PaginationResponseModel",
                       {{"totalRecordsAmount", nullptr},
                        {"totalPages", nullptr},
                        {"requestPage", nullptr}}}});
    }

    std::size_t first = std::size_t(query.page - 1) * std::size_t(query.records);
    if (first >= k_search_hit_cap) {
        return search_refusal(json::array(
            {search_error("ERROR_019", "検索結果が15000件を超えています。15000件目以降は取得できま"
                                       "せん。検索期間を分割して下さい。")}));
    }
    auto by_order_time = [&](std::uint32_t a, std::uint32_t b) {
        const Order& left = store.order(a);
        const Order& right = store.order(b);
        if (left.order_datetime != right.order_datetime) {
            return query.descending ? left.order_datetime > right.order_datetime
                                    : left.order_datetime < right.order_datetime;
        }
        return query.descending ? left.order_number > right.order_number
                                : left.order_number < right.order_number;
    };
    std::sort(hits.begin(), hits.end(), by_order_time);

    std::size_t reachable = std::min(hits.size(), k_search_hit_cap);
    std::size_t last = std::min(reachable, first + std::size_t(query.records));
    json numbers = json::array();
    for (std::size_t i = first; i < last; ++i) {
        numbers.push_back(store.order(hits[i]).order_number);
    }
    const std::size_t total = cap_total_records ? reachable : hits.size();
    std::size_t pages = (total + std::size_t(query.records) - 1) / std::size_t(query.records);
    return Response::json(
        200,
        json{
            {"orderNumberList", numbers},
            {"MessageModelList", json::array({message("INFO", k_search_prefix + "INFO_101",
                                                      "注文検索に成功しました。")})},
            {"PaginationResponseModel",
             {{"totalRecordsAmount", total}, {"totalPages", pages}, {"requestPage", query.page}}}});
}

namespace {

json get_message(const std::string& type, const std::string& code, const std::string& text,
                 const json& order_number) {
    json entry = message(type, k_get_prefix + code, text);
    entry["orderNumber"] = order_number;
    return entry;
}

Response get_refusal(const std::string& code, const std::string& text) {
    return Response::json(
        400, json{{"MessageModelList", json::array({get_message("ERROR", code, text, nullptr)})},
                  {"OrderModelList", nullptr},
                  {"version", nullptr}});
}

} // namespace

Response get_order(const OrderStore& store, const std::string& body, bool colon_offset) {
    json request = json::parse(body, nullptr, false);
    if (request.is_discarded() || !request.is_object()) {
        return get_refusal("ERROR_001", "リクエストの形式が不正です。");
    }
    if (!request.contains("orderNumberList") || !request["orderNumberList"].is_array() ||
        request["orderNumberList"].empty()) {
        return get_refusal("ERROR_009", "orderNumberListの値を指定して下さい。");
    }
    const auto& numbers = request["orderNumberList"];
    if (numbers.size() > k_max_get_order_numbers) {
        return get_refusal("ERROR_010", "orderNumberListは100件以内で指定して下さい。");
    }
    if (!request.contains("version") || request["version"].is_null()) {
        // The same code as a missing orderNumberList (seen in a live dry run, the contract).
        return get_refusal("ERROR_009", "versionの値を指定して下さい。");
    }
    auto version = integer(request["version"]);
    // Versions 1 and 2 are refused by the real service (reported); 10 is the newest.
    if (!version || *version < 3 || *version > 10) {
        return get_refusal("ERROR_017", "versionの値が不正です。");
    }

    json messages = json::array();
    json models = json::array();
    for (const auto& number : numbers) {
        std::optional<std::uint32_t> index;
        if (number.is_string()) {
            index = store.find(number.get<std::string>());
        }
        if (!index) {
            messages.push_back(
                get_message("INFO", "INFO_102", "受注情報が取得できませんでした。", number));
            continue;
        }
        const Order& order = store.order(*index);
        models.push_back(order_model_json(order, store.buyer(order.buyer),
                                          OrderJsonOptions{int(*version), colon_offset}));
    }
    if (!models.empty()) {
        messages.insert(messages.begin(), get_message("INFO", "INFO_101",
                                                      "受注情報取得に成功しました。(取得件数" +
                                                          std::to_string(models.size()) + "件)",
                                                      nullptr));
    }
    return Response::json(
        200,
        json{{"MessageModelList", messages}, {"OrderModelList", models}, {"version", *version}});
}

} // namespace musubi::sim::rakuten
