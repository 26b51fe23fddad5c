// The /_sim/rakuten control routes (documented in CONTROL.md).

#include <algorithm>
#include <filesystem>

#include "lifecycle.hpp"
#include "order_json.hpp"
#include "reviews.hpp"
#include "rms_service_impl.hpp"

namespace musubi::sim::rakuten {

namespace {

using nlohmann::json;

Response error(int status, const std::string& text) {
    return Response::json(status, json{{"error", text}});
}

json body_of(const Request& request) {
    if (request.body.empty()) {
        return json::object();
    }
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        throw std::invalid_argument("the body must be a JSON object");
    }
    return body;
}

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < path.size()) {
        auto end = path.find('/', start);
        if (end == std::string::npos) {
            end = path.size();
        }
        if (end > start) {
            parts.push_back(path.substr(start, end - start));
        }
        start = end + 1;
    }
    return parts;
}

EpochSeconds required_datetime(const json& body, const char* key) {
    if (!body.contains(key) || !body[key].is_string()) {
        throw std::invalid_argument(std::string(key) + " is required (yyyy-MM-ddTHH:mm:ss+0900)");
    }
    auto at = parse_rms_datetime(body[key].get<std::string>());
    if (!at) {
        throw std::invalid_argument(std::string(key) + " must look like 2026-11-22T10:05:06+0900");
    }
    return *at;
}

std::optional<EpochSeconds> optional_datetime(const json& body, const char* key) {
    if (!body.contains(key) || body[key].is_null()) {
        return std::nullopt;
    }
    return required_datetime(body, key);
}

std::optional<std::string> optional_string(const json& body, const char* key) {
    if (!body.contains(key) || body[key].is_null()) {
        return std::nullopt;
    }
    if (!body[key].is_string()) {
        throw std::invalid_argument(std::string(key) + " must be a string");
    }
    return body[key].get<std::string>();
}

std::size_t query_number(const Request& request, const char* key, std::size_t fallback) {
    auto it = request.query.find(key);
    if (it == request.query.end()) {
        return fallback;
    }
    return std::stoul(it->second);
}

} // namespace

std::optional<Response> RmsService::control_locked(const Request& request) {
    auto parts = split_path(request.path);
    const std::string& method = request.method;
    auto is = [&](std::initializer_list<std::string_view> want) {
        return parts.size() == want.size() && std::equal(parts.begin(), parts.end(), want.begin());
    };
    if (is({"state"}) && method == "GET") {
        return control_state();
    }
    if (is({"reset"}) && method == "POST") {
        reset_locked();
        return control_state();
    }
    if (!parts.empty() && parts[0] == "faults" && parts.size() <= 2) {
        return control_faults(request);
    }
    if (!parts.empty() && parts[0] == "limits" && parts.size() <= 2) {
        return control_limits(request);
    }
    if (!parts.empty() && parts[0] == "license" && parts.size() <= 2) {
        return control_license(request, parts.size() == 2 ? parts[1] : "");
    }
    if (is({"generator"})) {
        return control_generator(request);
    }
    if (is({"orders"}) && method == "POST") {
        return control_add_order(request);
    }
    if (is({"orders"}) && method == "GET") {
        return control_list_orders(request);
    }
    if (is({"orders", "generate"}) && method == "POST") {
        return control_generate(request);
    }
    if (!parts.empty() && parts[0] == "orders" && (parts.size() == 2 || parts.size() == 3)) {
        return control_order(request, parts[1], parts.size() == 3 ? parts[2] : "");
    }
    if (!parts.empty() && parts[0] == "buyers" && parts.size() <= 2 && method == "GET") {
        return control_buyers(request, parts.size() == 2 ? parts[1] : "");
    }
    if (is({"reviews", "export"}) && method == "POST") {
        return control_reviews(request);
    }
    if (is({"requests"}) && method == "GET") {
        return control_requests(request);
    }
    if (!parts.empty() && parts[0] == "script" && parts.size() <= 2) {
        return control_script(request, parts.size() == 2 ? parts[1] : "");
    }
    if (is({"modes"})) {
        return control_modes(request);
    }
    return std::nullopt;
}

Response RmsService::control_modes(const Request& request) {
    if (request.method == "GET") {
        return Response::json(200, wire_modes_json(m_modes));
    }
    if (request.method != "POST") {
        return error(405, "use GET or POST");
    }
    if (auto problem = apply_wire_modes_patch(m_modes, body_of(request))) {
        return error(400, *problem);
    }
    return Response::json(200, wire_modes_json(m_modes));
}

Response RmsService::control_state() {
    EpochSeconds at = now();
    json keys = json::array();
    for (const auto& key : m_licenses.keys()) {
        keys.push_back(license_json(key, at));
    }
    const auto& g = m_generator->settings();
    return Response::json(200, json{{"now", format_rms_datetime(at)},
                                    {"shopId", g.shop_id},
                                    {"orders", m_store.order_count()},
                                    {"buyers", m_store.buyer_count()},
                                    {"requests", m_requests},
                                    {"faultsInjected", m_faults.injected()},
                                    {"faults", fault_settings_json(m_faults.settings())},
                                    {"throttled", m_throttle.throttled()},
                                    {"licenseKeys", keys},
                                    {"generator",
                                     {{"seed", g.seed},
                                      {"ordersPerHour", g.orders_per_hour},
                                      {"repeatRatio", g.repeat_ratio},
                                      {"cancelRatio", g.cancel_ratio}}}});
}

Response RmsService::control_faults(const Request& request) {
    auto parts = split_path(request.path);
    if (parts.size() == 2 && parts[1] == "reset" && request.method == "POST") {
        FaultSettings cleared;
        cleared.seed = m_settings.faults.seed;
        m_faults.configure(cleared);
        return Response::json(200, fault_settings_json(m_faults.settings()));
    }
    if (parts.size() != 1) {
        return error(404, "unknown faults route; use /faults or /faults/reset");
    }
    if (request.method == "GET") {
        return Response::json(200, fault_settings_json(m_faults.settings()));
    }
    if (request.method != "POST") {
        return error(405, "use GET or POST");
    }
    FaultSettings next = m_faults.settings();
    if (auto problem = apply_fault_patch(next, body_of(request))) {
        return error(400, *problem);
    }
    m_faults.configure(next);
    return Response::json(200, fault_settings_json(m_faults.settings()));
}

Response RmsService::control_limits(const Request& request) {
    auto parts = split_path(request.path);
    auto answer = [this] {
        json state = limit_settings_json(m_throttle.settings());
        state.update(m_throttle.counters_json());
        return Response::json(200, state);
    };
    if (parts.size() == 2 && parts[1] == "reset" && request.method == "POST") {
        m_throttle.configure(LimitSettings{});
        m_throttle.reset();
        return answer();
    }
    if (parts.size() != 1) {
        return error(404, "unknown limits route; use /limits or /limits/reset");
    }
    if (request.method == "GET") {
        return answer();
    }
    if (request.method != "POST") {
        return error(405, "use GET or POST");
    }
    LimitSettings next = m_throttle.settings();
    if (auto problem = apply_limit_patch(next, body_of(request))) {
        return error(400, *problem);
    }
    m_throttle.configure(next);
    return answer();
}

json RmsService::license_json(const LicenseKey& key, EpochSeconds at) const {
    return json{{"licenseKey", key.key},
                {"expiryDate", format_jst_local_datetime(key.expires)},
                {"usableFrom",
                 key.usable_from == 0 ? json(nullptr) : json(format_rms_datetime(key.usable_from))},
                {"expired", at > key.expires},
                {"authorization", esa_authorization(m_licenses.service_secret(), key.key)}};
}

Response RmsService::control_license(const Request& request, const std::string& action) {
    EpochSeconds at = now();
    if (action.empty() && request.method == "GET") {
        json keys = json::array();
        for (const auto& key : m_licenses.keys()) {
            keys.push_back(license_json(key, at));
        }
        return Response::json(
            200, json{{"serviceSecret", m_licenses.service_secret()}, {"licenseKeys", keys}});
    }
    if (request.method != "POST") {
        return error(405, "use POST");
    }
    json body = body_of(request);
    auto named = optional_string(body, "licenseKey");
    if (action == "expire") {
        json expired = json::array();
        for (const auto& key : std::vector<LicenseKey>(m_licenses.keys())) {
            if (!named || *named == key.key) {
                m_licenses.find(key.key)->expires = at - 1;
                expired.push_back(license_json(*m_licenses.find(key.key), at));
            }
        }
        if (expired.empty()) {
            return error(404, "no license key " + named.value_or(""));
        }
        return Response::json(200, json{{"licenseKeys", expired}});
    }
    if (action == "issue") {
        LicenseKey key;
        key.key = named.value_or("SL" + m_generator->settings().shop_id + "_" +
                                 std::to_string(++m_issued_keys) + "_" + std::to_string(at));
        int valid_days = body.value("validDays", 90);
        key.expires = jst_day_start(at + valid_days * k_day) + k_day - 1;
        key.usable_from = at + body.value("activationDelayMinutes", 0) * k_minute;
        m_licenses.add(key);
        if (body.value("revokeOthers", false)) {
            m_licenses.revoke_others(key.key);
        }
        return Response::json(201, license_json(key, at));
    }
    if (action == "expiry") {
        auto text = optional_string(body, "expiryDate");
        auto expires = text ? parse_jst_local_datetime(*text) : std::nullopt;
        if (!expires) {
            return error(400, "expiryDate is required, JST like 2027-02-20T23:59:59");
        }
        std::string which =
            named.value_or(m_licenses.keys().empty() ? "" : m_licenses.keys().front().key);
        LicenseKey* key = m_licenses.find(which);
        if (key == nullptr) {
            return error(404, "no license key " + which);
        }
        key->expires = *expires;
        return Response::json(200, license_json(*key, at));
    }
    return error(404, "unknown license route; use /license, /license/expire, /license/issue, "
                      "/license/expiry");
}

Response RmsService::control_generator(const Request& request) {
    if (request.method == "POST") {
        json body = body_of(request);
        for (const auto& [key, value] : body.items()) {
            if (!value.is_number() || value.get<double>() < 0) {
                return error(400, key + " must be a non-negative number");
            }
            double number = value.get<double>();
            if (key == "ordersPerHour") {
                m_generator->set_rate(number, now());
            } else if (key == "repeatRatio" && number <= 1) {
                m_generator->set_repeat_ratio(number);
            } else if (key == "cancelRatio" && number <= 1) {
                m_generator->set_cancel_ratio(number);
            } else {
                return error(400,
                             "bad generator setting '" + key +
                                 "'; valid: ordersPerHour, repeatRatio (0..1), cancelRatio (0..1)");
            }
        }
    } else if (request.method != "GET") {
        return error(405, "use GET or POST");
    }
    const auto& g = m_generator->settings();
    return Response::json(200, json{{"seed", g.seed},
                                    {"ordersPerHour", g.orders_per_hour},
                                    {"repeatRatio", g.repeat_ratio},
                                    {"cancelRatio", g.cancel_ratio}});
}

json RmsService::order_summary(std::uint32_t index) const {
    const Order& order = m_store.order(index);
    const Buyer& buyer = m_store.buyer(order.buyer);
    json summary{{"orderNumber", order.order_number},
                 {"orderProgress", order.progress},
                 {"orderDatetime", format_rms_datetime(order.order_datetime)},
                 {"buyerId", order.buyer},
                 {"phoneLast4", buyer.phone3.size() >= 4
                                    ? buyer.phone3.substr(buyer.phone3.size() - 4)
                                    : phone_digits(buyer.phone())},
                 {"goodsPrice", order.goods_price()},
                 {"totalPrice", order.price_fixed ? order.total_price() : k_price_not_fixed},
                 {"shippingCmplRptDatetime", nullptr},
                 {"deliveryCompany", nullptr},
                 {"shippingNumber", nullptr}};
    if (order.shipping_cmpl_rpt_datetime) {
        summary["shippingCmplRptDatetime"] = format_rms_datetime(*order.shipping_cmpl_rpt_datetime);
    }
    if (!order.shipments.empty()) {
        summary["deliveryCompany"] = order.shipments.back().delivery_company;
        summary["shippingNumber"] = order.shipments.back().shipping_number;
    }
    return summary;
}

json RmsService::buyer_json(std::uint32_t id) const {
    const Buyer& buyer = m_store.buyer(id);
    json numbers = json::array();
    for (auto index : buyer.orders) {
        numbers.push_back(m_store.order(index).order_number);
    }
    std::string digits = phone_digits(buyer.phone());
    return json{{"buyerId", buyer.id},
                {"familyName", buyer.family_name},
                {"firstName", buyer.first_name},
                {"familyNameKana", buyer.family_name_kana},
                {"firstNameKana", buyer.first_name_kana},
                {"phoneNumber", buyer.phone()},
                {"phoneLast4", digits.substr(digits.size() - 4)},
                {"emailAddress", buyer.email},
                {"orderNumbers", numbers}};
}

Response RmsService::control_add_order(const Request& request) {
    json body = body_of(request);
    ManualOrder manual;
    if (body.contains("buyerId")) {
        manual.buyer_id = body["buyerId"].get<std::uint32_t>();
    }
    if (body.contains("buyer")) {
        const json& buyer = body["buyer"];
        if (!buyer.is_object()) {
            return error(400, "buyer must be an object");
        }
        manual.phone = optional_string(buyer, "phone");
        manual.family_name = optional_string(buyer, "familyName");
        manual.first_name = optional_string(buyer, "firstName");
        manual.family_name_kana = optional_string(buyer, "familyNameKana");
        manual.first_name_kana = optional_string(buyer, "firstNameKana");
        manual.email = optional_string(buyer, "email");
    }
    if (body.contains("items")) {
        if (!body["items"].is_array()) {
            return error(400, "items must be a list");
        }
        for (const auto& wanted : body["items"]) {
            OrderItem item;
            item.manage_number = wanted.value("manageNumber", "");
            item.item_name = wanted.value("itemName", "");
            item.price = wanted.value("price", 0);
            item.units = wanted.value("units", 1);
            manual.items.push_back(item);
        }
    }
    if (body.contains("totalPrice")) {
        manual.total_price = body["totalPrice"].get<int>();
    }
    manual.order_datetime = optional_datetime(body, "orderDatetime");
    std::string lifecycle = body.value("lifecycle", "manual");
    if (lifecycle != "manual" && lifecycle != "auto") {
        return error(400, "lifecycle must be \"manual\" or \"auto\"");
    }
    manual.automatic_lifecycle = lifecycle == "auto";
    manual.sequence_digits = body.value("sequenceDigits", 10);
    if (manual.sequence_digits != 8 && manual.sequence_digits != 10) {
        return error(400, "sequenceDigits must be 10 (today's order numbers) or 8 (older ones)");
    }
    EpochSeconds at = now();
    if (manual.order_datetime && *manual.order_datetime > at) {
        return error(400, "orderDatetime is in the future of the simulated clock");
    }
    auto [index, problem] = m_generator->add_manual(manual, at);
    if (!index) {
        return error(400, problem);
    }
    if (body.contains("progress")) {
        int progress = body["progress"].get<int>();
        if (!m_generator->move(*index, progress, at, optional_string(body, "deliveryCompany"),
                               optional_string(body, "shippingNumber"))) {
            return error(400, "cannot move a new order to progress " + std::to_string(progress));
        }
    }
    const Order& order = m_store.order(*index);
    m_last_order_number = order.order_number;
    return Response::json(
        201, json{{"orderNumber", order.order_number},
                  {"buyerId", order.buyer},
                  {"buyer", buyer_json(order.buyer)},
                  {"OrderModel", order_model_json(order, m_store.buyer(order.buyer))}});
}

Response RmsService::control_generate(const Request& request) {
    json body = body_of(request);
    if (!body.contains("count") || !body["count"].is_number_integer() ||
        body["count"].get<std::int64_t>() <= 0) {
        return error(400, "count (a positive number of orders) is required");
    }
    auto count = body["count"].get<std::size_t>();
    if (count > 1000000) {
        return error(400, "count is limited to 1,000,000 orders per call");
    }
    EpochSeconds at = now();
    EpochSeconds from = 0, to = at;
    if (body.contains("days")) {
        from = at - body["days"].get<EpochSeconds>() * k_day;
    } else {
        from = required_datetime(body, "from");
        to = optional_datetime(body, "to").value_or(at);
    }
    if (to > at || from > to) {
        return error(400, "the range must satisfy from <= to <= now");
    }
    auto placed = m_generator->backfill(count, from, to, at);
    return Response::json(201,
                          json{{"created", placed.size()},
                               {"firstOrderNumber", m_store.order(placed.front()).order_number},
                               {"lastOrderNumber", m_store.order(placed.back()).order_number},
                               {"orders", m_store.order_count()},
                               {"buyers", m_store.buyer_count()}});
}

Response RmsService::control_list_orders(const Request& request) {
    std::optional<int> progress;
    if (auto it = request.query.find("progress"); it != request.query.end()) {
        progress = std::stoi(it->second);
    }
    std::optional<std::uint32_t> buyer;
    if (auto it = request.query.find("buyerId"); it != request.query.end()) {
        buyer = std::uint32_t(std::stoul(it->second));
    }
    std::size_t limit = query_number(request, "limit", 100);
    std::size_t offset = query_number(request, "offset", 0);
    json orders = json::array();
    std::size_t total = 0;
    for (std::uint32_t index = 0; index < m_store.order_count(); ++index) {
        const Order& order = m_store.order(index);
        if ((progress && order.progress != *progress) || (buyer && order.buyer != *buyer)) {
            continue;
        }
        if (total >= offset && orders.size() < limit) {
            orders.push_back(order_summary(index));
        }
        ++total;
    }
    return Response::json(200, json{{"total", total}, {"orders", orders}});
}

Response RmsService::control_order(const Request& request, const std::string& number,
                                   const std::string& action) {
    auto index = m_store.find(number);
    if (!index) {
        return error(404, "no order " + number);
    }
    if (action.empty() && request.method == "GET") {
        const Order& order = m_store.order(*index);
        return Response::json(
            200, json{{"buyerId", order.buyer},
                      {"summary", order_summary(*index)},
                      {"OrderModel", order_model_json(order, m_store.buyer(order.buyer))}});
    }
    if (action != "progress" || request.method != "POST") {
        return error(404, "use GET /orders/<number> or POST /orders/<number>/progress");
    }
    json body = body_of(request);
    if (!body.contains("progress") || !body["progress"].is_number_integer()) {
        return error(400, "progress (100..900) is required");
    }
    auto company = optional_string(body, "deliveryCompany");
    if (company && delivery_company_name(*company).empty()) {
        return error(400, "unknown deliveryCompany '" + *company + "'; use a code 1000..1031");
    }
    EpochSeconds at = optional_datetime(body, "at").value_or(now());
    int progress = body["progress"].get<int>();
    if (!m_generator->move(*index, progress, at, company,
                           optional_string(body, "shippingNumber"))) {
        return error(409, "order " + number + " cannot move from " +
                              std::to_string(m_store.order(*index).progress) + " to " +
                              std::to_string(progress));
    }
    const Order& order = m_store.order(*index);
    return Response::json(
        200, json{{"buyerId", order.buyer},
                  {"summary", order_summary(*index)},
                  {"OrderModel", order_model_json(order, m_store.buyer(order.buyer))}});
}

Response RmsService::control_buyers(const Request& request, const std::string& id) {
    if (!id.empty()) {
        auto number = std::stoul(id);
        if (number >= m_store.buyer_count()) {
            return error(404, "no buyer " + id);
        }
        return Response::json(200, buyer_json(std::uint32_t(number)));
    }
    std::size_t limit = query_number(request, "limit", 100);
    std::size_t offset = query_number(request, "offset", 0);
    json buyers = json::array();
    for (std::size_t i = offset; i < m_store.buyer_count() && buyers.size() < limit; ++i) {
        buyers.push_back(buyer_json(std::uint32_t(i)));
    }
    return Response::json(200, json{{"total", m_store.buyer_count()}, {"buyers", buyers}});
}

Response RmsService::control_reviews(const Request& request) {
    json body = body_of(request);
    std::vector<std::uint32_t> chosen;
    if (body.contains("orderNumbers")) {
        for (const auto& number : body["orderNumbers"]) {
            auto index =
                number.is_string() ? m_store.find(number.get<std::string>()) : std::nullopt;
            if (!index) {
                return error(404, "no order " + number.dump());
            }
            chosen.push_back(*index);
        }
    } else {
        // Random shipped orders (500..700), drawn without repetition.
        std::vector<std::uint32_t> shipped;
        for (std::uint32_t index = 0; index < m_store.order_count(); ++index) {
            int progress = m_store.order(index).progress;
            if (progress >= k_progress_shipped && progress <= k_progress_payment_done) {
                shipped.push_back(index);
            }
        }
        std::size_t count =
            std::min<std::size_t>(body.value("count", std::size_t(10)), shipped.size());
        for (std::size_t i = 0; i < count; ++i) {
            std::size_t pick = i + m_review_random() % (shipped.size() - i);
            std::swap(shipped[i], shipped[pick]);
            chosen.push_back(shipped[i]);
        }
    }
    std::string directory = body.value("directory", m_settings.reviews_directory);
    if (directory.empty()) {
        return error(400, "no directory: set rakuten.reviews.directory or pass \"directory\"");
    }
    CsvEncoding encoding = m_settings.reviews_encoding;
    if (auto name = optional_string(body, "encoding")) {
        auto parsed = parse_csv_encoding(*name);
        if (!parsed) {
            return error(400, "encoding must be cp932, utf-8 or utf-8-bom");
        }
        encoding = *parsed;
    }
    ReviewOverrides overrides;
    if (body.contains("rating")) {
        overrides.rating = body["rating"].get<int>();
        if (*overrides.rating < 1 || *overrides.rating > 5) {
            return error(400, "rating must be 1..5");
        }
    }
    overrides.title = optional_string(body, "title");
    overrides.body = optional_string(body, "body");
    overrides.shop_review = body.value("shopReview", false);
    EpochSeconds at = now();
    auto rows = make_reviews(m_store, chosen, m_review_random, at, m_generator->settings().shop_id,
                             overrides);
    std::string file = body.value("file", "reviews-" + format_jst_compact_date(at) + "-" +
                                              std::to_string(at) + ".csv");
    if (file.find('/') != std::string::npos || file.empty() || file[0] == '.') {
        return error(400, "file must be a plain file name inside the directory");
    }
    auto path = std::filesystem::path(directory) / file;
    ExportShape shape;
    shape.cap_bytes = body.value("capBytes", k_review_export_cap_bytes);
    shape.repeat_every = body.value("repeatEvery", std::size_t(0));
    std::size_t dropped = 0;
    rows = shape_export(std::move(rows), shape, encoding, dropped);
    if (auto problem = write_review_file(path, rows, encoding)) {
        return error(500, *problem);
    }
    json written = json::array();
    for (const auto& row : rows) {
        written.push_back({{"orderNumber", row.order_number},
                           {"reviewType", row.review_type},
                           {"itemName", row.item_name},
                           {"rating", row.rating},
                           {"postedAt", format_review_time(row.posted_at)},
                           {"title", row.title},
                           {"body", row.body}});
    }
    return Response::json(201, json{{"path", path.string()},
                                    {"encoding", csv_encoding_name(encoding)},
                                    {"rows", rows.size()},
                                    {"bytes", std::filesystem::file_size(path)},
                                    {"droppedByCap", dropped},
                                    {"reviews", written}});
}

Response RmsService::control_requests(const Request& request) {
    std::size_t limit = query_number(request, "limit", 100);
    json entries = json::array();
    std::size_t start = m_ledger.size() > limit ? m_ledger.size() - limit : 0;
    for (std::size_t i = start; i < m_ledger.size(); ++i) {
        const auto& entry = m_ledger[i];
        entries.push_back({{"at", format_rms_datetime(entry.at)},
                           {"method", entry.method},
                           {"path", entry.path},
                           {"status", entry.status},
                           {"fault", entry.fault}});
    }
    return Response::json(200, json{{"total", m_requests}, {"requests", entries}});
}

Response RmsService::control_script(const Request& request, const std::string& action) {
    EpochSeconds at = now();
    if (action == "clear" && request.method == "POST") {
        m_pending.clear();
    } else if (action.empty() && request.method == "POST") {
        json body = body_of(request);
        if (!body.contains("steps") || !body["steps"].is_array()) {
            return error(400, "steps (a list) is required");
        }
        std::vector<ScriptStep> steps;
        for (const auto& value : body["steps"]) {
            ScriptStep step;
            if (auto problem = parse_script_step(value, step)) {
                return error(400, "step " + std::to_string(steps.size() + 1) + ": " + *problem);
            }
            steps.push_back(std::move(step));
        }
        for (auto& step : steps) {
            schedule_step(std::move(step), at);
        }
        // Steps due now run before the answer, so the caller sees their outcome.
        catch_up(at);
    } else if (!action.empty() || request.method != "GET") {
        return error(404, "use GET /script, POST /script or POST /script/clear");
    }
    json pending = json::array();
    for (const auto& step : m_pending) {
        pending.push_back(script_step_json(step.step, step.due));
    }
    json done = json::array();
    for (const auto& outcome : m_script_done) {
        done.push_back({{"due", format_rms_datetime(outcome.due)},
                        {"ran", format_rms_datetime(outcome.ran)},
                        {"method", outcome.method},
                        {"route", outcome.route},
                        {"status", outcome.status},
                        {"answer", outcome.answer}});
    }
    return Response::json(200, json{{"pending", pending}, {"done", done}});
}

} // namespace musubi::sim::rakuten
