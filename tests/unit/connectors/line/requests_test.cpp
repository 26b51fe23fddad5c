#include <boost/test/unit_test.hpp>

#include "connectors/line/requests.hpp"
#include "connectors/line/retry_key.hpp"

using nlohmann::json;
using namespace musubi::line;

namespace {

constexpr const char* k_key = "123e4567-e89b-12d3-a456-426614174000";
constexpr const char* k_user = "U0123456789abcdef0123456789abcdef";

const json k_text = json::array({{{"type", "text"}, {"text", "ご注文ありがとうございます"}}});

// Every value of `name` among the headers (names compared case-insensitively).
std::vector<std::string> header_values(const musubi::http::Request& request,
                                       std::string_view name) {
    std::vector<std::string> values;
    for (const auto& [key, value] : request.headers) {
        if (key.size() == name.size() &&
            std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            })) {
            values.push_back(value);
        }
    }
    return values;
}

} // namespace

BOOST_AUTO_TEST_SUITE(line_requests)

BOOST_AUTO_TEST_CASE(retry_keys_are_uuids_with_dashes) {
    BOOST_TEST(is_retry_key("123e4567-e89b-12d3-a456-426614174000"));
    BOOST_TEST(is_retry_key("123E4567-E89B-12D3-A456-426614174000"));
    BOOST_TEST(!is_retry_key("123e4567e89b12d3a456426614174000"));
    BOOST_TEST(!is_retry_key("123e4567-e89b-12d3-a456-42661417400"));
    BOOST_TEST(!is_retry_key("123e4567-e89b-12d3-a456-4266141740000"));
    BOOST_TEST(!is_retry_key("123e4567-e89b-12d3-a456_426614174000"));
    BOOST_TEST(!is_retry_key("g23e4567-e89b-12d3-a456-426614174000"));
    BOOST_TEST(!is_retry_key(""));
}

BOOST_AUTO_TEST_CASE(push_carries_the_retry_key_and_the_messages_as_given) {
    auto request = push_request(k_user, k_text, k_key);
    BOOST_REQUIRE(request.has_value());
    BOOST_TEST(request->method == "POST");
    BOOST_TEST(request->target == "/v2/bot/message/push");
    BOOST_TEST(request->content_type == "application/json");
    BOOST_TEST(header_values(*request, "x-line-retry-key") == std::vector<std::string>{k_key},
               boost::test_tools::per_element());
    BOOST_TEST(std::string(k_retry_key_header) == "X-Line-Retry-Key");
    BOOST_TEST(header_values(*request, "authorization").empty());
    BOOST_TEST(json::parse(request->body) == (json{{"to", k_user}, {"messages", k_text}}));
}

BOOST_AUTO_TEST_CASE(push_options_and_a_single_message_object) {
    PushOptions options;
    options.notification_disabled = true;
    options.custom_aggregation_unit = "review_request";
    auto request = push_request(k_user, k_text[0], k_key, options);
    BOOST_REQUIRE(request.has_value());
    BOOST_TEST(json::parse(request->body) ==
               (json{{"to", k_user},
                     {"messages", k_text},
                     {"notificationDisabled", true},
                     {"customAggregationUnits", json::array({"review_request"})}}));
}

BOOST_AUTO_TEST_CASE(a_malformed_retry_key_is_refused_before_sending) {
    auto request = push_request(k_user, k_text, "not-a-uuid");
    BOOST_REQUIRE(!request.has_value());
    BOOST_TEST(request.error() ==
               "the retry key 'not-a-uuid' is not a UUID (8-4-4-4-12 hex digits with dashes)");
    BOOST_TEST(!multicast_request({k_user}, k_text, "").has_value());
}

BOOST_AUTO_TEST_CASE(messages_must_be_an_array_or_an_object) {
    auto request = push_request(k_user, json("hello"), k_key);
    BOOST_REQUIRE(!request.has_value());
    BOOST_TEST(request.error() == "messages must be a JSON array of message objects");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_refused_not_mangled) {
    json broken = json::array({{{"type", "text"}, {"text", std::string("\xff\xfe")}}});
    auto request = push_request(k_user, broken, k_key);
    BOOST_REQUIRE(!request.has_value());
    BOOST_TEST(request.error() == "the request body is not valid UTF-8");
}

BOOST_AUTO_TEST_CASE(multicast_takes_one_to_five_hundred_recipients) {
    std::vector<std::string> five_hundred(500, k_user);
    auto request = multicast_request(five_hundred, k_text, k_key);
    BOOST_REQUIRE(request.has_value());
    BOOST_TEST(request->target == "/v2/bot/message/multicast");
    BOOST_TEST(header_values(*request, "X-Line-Retry-Key") == std::vector<std::string>{k_key},
               boost::test_tools::per_element());
    BOOST_TEST(json::parse(request->body)["to"].size() == 500U);

    five_hundred.push_back(k_user);
    auto too_many = multicast_request(five_hundred, k_text, k_key);
    BOOST_REQUIRE(!too_many.has_value());
    BOOST_TEST(too_many.error() == "multicast takes 1 to 500 user ids; got 501");
    auto none = multicast_request({}, k_text, k_key);
    BOOST_REQUIRE(!none.has_value());
    BOOST_TEST(none.error() == "multicast takes 1 to 500 user ids; got 0");
}

BOOST_AUTO_TEST_CASE(reply_has_no_retry_key) {
    auto request = reply_request("reply-token-1", k_text);
    BOOST_REQUIRE(request.has_value());
    BOOST_TEST(request->method == "POST");
    BOOST_TEST(request->target == "/v2/bot/message/reply");
    BOOST_TEST(header_values(*request, "x-line-retry-key").empty());
    BOOST_TEST(json::parse(request->body) ==
               (json{{"replyToken", "reply-token-1"}, {"messages", k_text}}));
}

BOOST_AUTO_TEST_CASE(reads_and_account_link_calls) {
    auto profile = profile_request(k_user);
    BOOST_TEST(profile.method == "GET");
    BOOST_TEST(profile.target == std::string("/v2/bot/profile/") + k_user);
    BOOST_TEST(profile.body.empty());
    BOOST_TEST(profile.content_type.empty());
    auto link = link_token_request(k_user);
    BOOST_TEST(link.method == "POST");
    BOOST_TEST(link.target == std::string("/v2/bot/user/") + k_user + "/linkToken");
    // A POST without a body says so, rather than leaving a proxy to guess.
    BOOST_TEST(header_values(link, "content-length") == std::vector<std::string>{"0"},
               boost::test_tools::per_element());
    BOOST_TEST(header_values(profile, "content-length").empty());
    BOOST_TEST(quota_request().target == "/v2/bot/message/quota");
    BOOST_TEST(quota_consumption_request().target == "/v2/bot/message/quota/consumption");
    for (const auto& request : {profile, link, quota_request(), quota_consumption_request()}) {
        BOOST_TEST(header_values(request, "x-line-retry-key").empty());
    }
}

BOOST_AUTO_TEST_CASE(followers_pages_by_limit_and_start_token) {
    auto first = followers_request(1000, "");
    BOOST_TEST(first.method == "GET");
    BOOST_TEST(first.target == "/v2/bot/followers/ids?limit=1000");
    BOOST_TEST(first.body.empty());
    // The token is opaque: whatever LINE sent comes back, encoded for the query.
    BOOST_TEST(followers_request(300, "yANU9IA+/=").target ==
               "/v2/bot/followers/ids?limit=300&start=yANU9IA%2B%2F%3D");
}

BOOST_AUTO_TEST_CASE(ids_cannot_change_the_path) {
    BOOST_TEST(profile_request("U1/../../richmenu?x=1").target ==
               "/v2/bot/profile/U1%2F..%2F..%2Frichmenu%3Fx%3D1");
    BOOST_TEST(percent_encode("a b+c&d=é") == "a%20b%2Bc%26d%3D%C3%A9");
}

BOOST_AUTO_TEST_CASE(rich_menu_calls) {
    auto create = create_rich_menu_request(json{{"name", "linked"}});
    BOOST_REQUIRE(create.has_value());
    BOOST_TEST(create->target == "/v2/bot/richmenu");
    BOOST_TEST(json::parse(create->body) == (json{{"name", "linked"}}));
    BOOST_TEST(!create_rich_menu_request(json::array()).has_value());

    auto image = upload_rich_menu_image_request("richmenu-1", ImageType::png, "PNGDATA");
    BOOST_TEST(image.method == "POST");
    BOOST_TEST(image.target == "/v2/bot/richmenu/richmenu-1/content");
    BOOST_TEST(image.content_type == "image/png");
    BOOST_TEST(image.body == "PNGDATA");
    BOOST_TEST(upload_rich_menu_image_request("richmenu-1", ImageType::jpeg, "J").content_type ==
               "image/jpeg");

    BOOST_TEST(delete_rich_menu_request("richmenu-1").method == "DELETE");
    BOOST_TEST(delete_rich_menu_request("richmenu-1").target == "/v2/bot/richmenu/richmenu-1");
    BOOST_TEST(set_default_rich_menu_request("richmenu-1").target ==
               "/v2/bot/user/all/richmenu/richmenu-1");
    BOOST_TEST(link_rich_menu_request(k_user, "richmenu-1").target ==
               std::string("/v2/bot/user/") + k_user + "/richmenu/richmenu-1");
    BOOST_TEST(unlink_rich_menu_request(k_user).method == "DELETE");
    BOOST_TEST(unlink_rich_menu_request(k_user).target ==
               std::string("/v2/bot/user/") + k_user + "/richmenu");
    BOOST_TEST(get_user_rich_menu_request(k_user).method == "GET");

    auto bulk = bulk_link_rich_menu_request("richmenu-1", {k_user});
    BOOST_REQUIRE(bulk.has_value());
    BOOST_TEST(bulk->target == "/v2/bot/richmenu/bulk/link");
    BOOST_TEST(json::parse(bulk->body) ==
               (json{{"richMenuId", "richmenu-1"}, {"userIds", json::array({k_user})}}));
    auto unlink = bulk_unlink_rich_menu_request(std::vector<std::string>(501, k_user));
    BOOST_REQUIRE(!unlink.has_value());
    BOOST_TEST(unlink.error() == "bulk unlink takes 1 to 500 user ids; got 501");

    auto alias = create_rich_menu_alias_request("vip", "richmenu-1");
    BOOST_REQUIRE(alias.has_value());
    BOOST_TEST(alias->target == "/v2/bot/richmenu/alias");
    BOOST_TEST(json::parse(alias->body) ==
               (json{{"richMenuAliasId", "vip"}, {"richMenuId", "richmenu-1"}}));
    auto repoint = update_rich_menu_alias_request("vip", "richmenu-2");
    BOOST_REQUIRE(repoint.has_value());
    BOOST_TEST(repoint->target == "/v2/bot/richmenu/alias/vip");
    BOOST_TEST(json::parse(repoint->body) == (json{{"richMenuId", "richmenu-2"}}));
}

BOOST_AUTO_TEST_CASE(stateless_token_form) {
    auto request = stateless_token_request("2000000000", "se cret&=");
    BOOST_TEST(request.method == "POST");
    BOOST_TEST(request.target == "/oauth2/v3/token");
    BOOST_TEST(request.content_type == "application/x-www-form-urlencoded");
    BOOST_TEST(request.body ==
               "grant_type=client_credentials&client_id=2000000000&client_secret=se%20cret%26%3D");
}

BOOST_AUTO_TEST_CASE(validate_calls_carry_the_bodies_they_check_and_no_retry_key) {
    auto push = validate_push_request(k_text[0]);
    BOOST_REQUIRE(push.has_value());
    BOOST_TEST(push->method == "POST");
    BOOST_TEST(push->target == "/v2/bot/message/validate/push");
    BOOST_TEST(json::parse(push->body) == (json{{"messages", k_text}}));
    BOOST_TEST(header_values(*push, "X-Line-Retry-Key").empty());
    BOOST_TEST(!validate_push_request(json("text")).has_value());

    auto menu = validate_rich_menu_request(json{{"name", "guest"}});
    BOOST_REQUIRE(menu.has_value());
    BOOST_TEST(menu->target == "/v2/bot/richmenu/validate");
    BOOST_TEST(json::parse(menu->body) == (json{{"name", "guest"}}));
    BOOST_TEST(!validate_rich_menu_request(json::array()).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
