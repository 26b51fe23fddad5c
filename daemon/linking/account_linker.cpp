#include "daemon/linking/account_linker.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>
#include <nlohmann/json.hpp>

#include "connectors/line/messaging_client.hpp"
#include "daemon/http/web_server.hpp"
#include "daemon/linking/crypto.hpp"
#include "daemon/linking/link_rules.hpp"
#include "daemon/log/log.hpp"

namespace musubi::linking {

namespace {

constexpr std::size_t k_max_body_bytes = 4096;
constexpr std::size_t k_nonce_bytes = 18; // 144 random bits (LINE asks for at least 128)

const log::Logger& logger() {
    static const log::Logger instance("linking");
    return instance;
}

JsonAnswer error_answer(int status, std::string_view message) {
    return {status, nlohmann::json{{"error", message}}.dump()};
}

std::string url_encode(std::string_view text) {
    std::string out;
    Poco::URI::encode(std::string(text), "!#$&'()*+,/:;=?@[]%", out);
    return out;
}

} // namespace

LinkTokenIssuer link_token_issuer(line::MessagingClient& client) {
    return [&client](std::string_view user_id) -> tl::expected<std::string, std::string> {
        auto token = client.link_token(user_id);
        if (!token) {
            return tl::unexpected(std::string(line::outcome_name(token.error().outcome)) + " " +
                                  std::to_string(token.error().status) + ": " +
                                  token.error().message);
        }
        return *token;
    };
}

AccountLinkEndpoint::AccountLinkEndpoint(store::Links& links, Settings settings,
                                         LinkTokenIssuer issuer,
                                         std::shared_ptr<const clock::Clock> clock)
    : m_links(links)
    , m_settings(std::move(settings))
    , m_issuer(std::move(issuer))
    , m_clock(std::move(clock)) {}

JsonAnswer AccountLinkEndpoint::answer(std::string_view authorization, std::string_view body) {
    if (m_settings.site_token.empty()) {
        return error_answer(404, "not found");
    }
    constexpr std::string_view k_scheme = "Bearer ";
    const bool bearer = authorization.substr(0, k_scheme.size()) == k_scheme;
    if (!bearer ||
        !constant_time_equal(authorization.substr(k_scheme.size()), m_settings.site_token)) {
        logger().warn("account_link_unauthorized", {{"bearer", bearer}});
        return error_answer(401, "missing or wrong bearer token (linking.site_token)");
    }
    const auto request = nlohmann::json::parse(body, nullptr, false);
    if (!request.is_object() || !request.contains("line_user_id") ||
        !request["line_user_id"].is_string() || !request.contains("member_id") ||
        !request["member_id"].is_string() || request["line_user_id"].get<std::string>().empty() ||
        request["member_id"].get<std::string>().empty()) {
        return error_answer(400, "expected a JSON object with the strings line_user_id and "
                                 "member_id");
    }
    const auto user_id = request["line_user_id"].get<std::string>();
    const auto member = member_key(m_settings.hashing_key, request["member_id"].get<std::string>());
    auto link_token = m_issuer(user_id);
    if (!link_token) {
        logger().warn("account_link_token_failed", {{"error", link_token.error()}});
        return error_answer(502, "LINE did not issue a link token; try again later");
    }
    const auto nonce = random_base64url(k_nonce_bytes);
    if (!nonce) {
        logger().error("account_link_nonce_failed", {{"error", "RAND_bytes failed"}});
        return error_answer(500, "no random nonce could be made");
    }
    auto tx = m_links.begin();
    if (!tx) {
        logger().error("link_store_failed", {{"error", tx.error().to_string()}});
        return error_answer(503, "the store is busy; try again");
    }
    if (auto added = (*tx)->add_nonce(*nonce, member, m_clock->now_ms()); !added) {
        logger().error("link_store_failed", {{"error", added.error().to_string()}});
        return error_answer(503, "the store is busy; try again");
    }
    if (auto committed = (*tx)->commit(); !committed) {
        logger().error("link_store_failed", {{"error", committed.error().to_string()}});
        return error_answer(503, "the store is busy; try again");
    }
    logger().info("account_link_started", {});
    const std::string url =
        "https://access.line.me/dialog/bot/accountLink?linkToken=" + url_encode(*link_token) +
        "&nonce=" + url_encode(*nonce);
    return {200,
            nlohmann::json{{"linkToken", *link_token}, {"nonce", *nonce}, {"url", url}}.dump()};
}

void AccountLinkEndpoint::post(Poco::Net::HTTPServerRequest& request,
                               Poco::Net::HTTPServerResponse& response) {
    auto body = http::read_body(request, k_max_body_bytes, std::chrono::milliseconds(10'000));
    const JsonAnswer answered =
        body ? answer(request.get("Authorization", ""), *body)
             : error_answer(body.error() == http::BodyError::too_large ? 413 : 408,
                            body.error() == http::BodyError::too_large
                                ? "the body is limited to 4096 bytes"
                                : "the body did not arrive in time");
    response.set("Cache-Control", "no-store");
    http::send(request, response, static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answered.status),
               answered.body, "application/json", !body);
}

AccountLinker::AccountLinker(store::Links& links, Settings settings)
    : m_links(links)
    , m_settings(std::move(settings)) {}

tl::expected<AccountLinkResult, store::StoreError>
AccountLinker::on_account_link(std::int64_t friend_id, std::string_view webhook_event_id,
                               std::string_view nonce, std::string_view result,
                               std::int64_t at_ms) {
    if (result != "ok") {
        logger().info("account_link_refused", {{"friend_id", friend_id},
                                               {"event_id", webhook_event_id},
                                               {"reason", "LINE reported result failed"}});
        return AccountLinkResult::refused_failed;
    }
    auto tx = m_links.begin();
    if (!tx) {
        return tl::unexpected(tx.error());
    }
    auto used = (*tx)->use_nonce(nonce, at_ms);
    if (!used) {
        return tl::unexpected(used.error());
    }
    if (!*used || at_ms - (*used)->created_at_ms > k_nonce_ttl_ms) {
        // A stale nonce stays used: it can never link anyone later either.
        if (auto committed = (*tx)->commit(); !committed) {
            return tl::unexpected(committed.error());
        }
        logger().warn("account_link_refused",
                      {{"friend_id", friend_id},
                       {"event_id", webhook_event_id},
                       {"reason", *used ? "stale nonce" : "unknown or used nonce"}});
        return AccountLinkResult::refused_nonce;
    }
    auto buyer_id = (*tx)->upsert_buyer("member:" + (*used)->member_key, at_ms);
    if (!buyer_id) {
        return tl::unexpected(buyer_id.error());
    }
    auto holders = (*tx)->friends_linked_to(*buyer_id);
    if (!holders) {
        return tl::unexpected(holders.error());
    }
    for (const std::int64_t holder : *holders) {
        if (holder != friend_id) {
            if (auto committed = (*tx)->commit(); !committed) {
                return tl::unexpected(committed.error());
            }
            logger().warn("account_link_refused", {{"friend_id", friend_id},
                                                   {"event_id", webhook_event_id},
                                                   {"reason", "member linked to another friend"}});
            return AccountLinkResult::taken;
        }
    }
    auto linked = link_buyer(**tx, friend_id, *buyer_id, "account_link", "", at_ms);
    if (!linked) {
        return tl::unexpected(linked.error());
    }
    if (auto done =
            (*tx)->record_attempt(friend_id, "account_link", outcome_name(linked->outcome), at_ms);
        !done) {
        return tl::unexpected(done.error());
    }
    if (auto committed = (*tx)->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    logger().info(
        "friend_linked",
        {{"friend_id", friend_id}, {"method", "account_link"}, {"link_id", linked->link_id}});
    return linked->outcome == Outcome::linked ? AccountLinkResult::linked
                                              : AccountLinkResult::already_linked;
}

} // namespace musubi::linking
