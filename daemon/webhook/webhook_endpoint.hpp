#pragma once
// The LINE webhook endpoint: POST <webhook.path> with {"destination", "events": [...]}.
//
// Checks, in this order (each refusal is LINE-shaped JSON {"message": ...}):
//   1. method: anything but POST → 405 (the WebServer's route table);
//   2. size: a Content-Length, or a body, over max_body_bytes → 413 (at most limit + 1 bytes
//      are ever read, and the connection is closed);
//   3. signature: `x-line-signature` over the raw body, in constant time; missing or wrong →
//      401 {"message":"invalid signature"}, counted, with at most one log line per 10 s;
//   4. content type: not application/json → 415. After the signature, so that a caller
//      without the channel secret learns nothing but 401; LINE always sends JSON, so a
//      signed body of another type is refused rather than guessed at;
//   5. shape: malformed JSON, `events` not an array, an event without webhookEventId or an
//      integer timestamp → 400, and nothing of the body is stored;
//   6. destination: once the bot's own user ID is known (set_bot_user_id, from
//      GET /v2/bot/info), a body whose `destination` is another (or none) → 403, logged,
//      nothing stored. Until it is known the check is off.
// Then every event of the body is stored in one transaction (deduplicated by webhookEventId;
// bodies arriving together share a transaction, see group_commit.hpp) and only then answered
// 200 {}. An empty `events` (LINE's connection check) is 200. When the
// store fails the answer is 500, so that LINE redelivers. Work on the events happens later,
// elsewhere: on_received() wakes whoever does it.
//
// Logs never carry the body, header values, or message text.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/http/web_server.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/webhook_inbox.hpp"
#include "daemon/webhook/forward_copies.hpp"
#include "daemon/webhook/group_commit.hpp"

namespace musubi::webhook {

struct EndpointOptions {
    std::string path = "/webhook";
    std::size_t max_body_bytes = 1 << 20;
    std::string channel_secret;
    std::chrono::seconds refusal_log_interval{10};
    std::vector<ForwardFilter> forward; // webhook.forward: other tools on the channel
};

// What the endpoint has seen since it was made (for tests, metrics and the status page).
struct EndpointCounts {
    std::int64_t bodies_accepted = 0; // answered 200, the connection checks included
    std::int64_t events_new = 0;
    std::int64_t events_duplicate = 0;
    std::int64_t signatures_refused = 0;
    std::int64_t bodies_refused = 0; // 400, 413, 415
    std::int64_t store_failures = 0;
    std::int64_t destinations_refused = 0; // 403: meant for another bot (also in bodies_refused)
};

// A webhook body: its `destination` ("" when missing) and its events.
struct Callback {
    std::string destination;
    std::vector<store::InboundEvent> events;
};
tl::expected<Callback, std::string> parse_callback(const std::string& body);

// The events of a body whose signature is good, or why the body is malformed.
tl::expected<std::vector<store::InboundEvent>, std::string> parse_events(const std::string& body);

// Counts signature refusals and writes at most one line per interval with the number since
// the previous line, so a flood of forged requests cannot flood the log.
class RefusalLog {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    explicit RefusalLog(std::chrono::seconds interval, Clock clock = {});

    void refused(bool header_missing);
    // Writes the refusals not reported yet, if any (on stop).
    void flush();
    std::int64_t total() const;

private:
    void write_locked();

    std::chrono::seconds m_interval;
    Clock m_clock;
    log::Logger m_logger{"webhook"};
    mutable std::mutex m_mutex;
    std::optional<std::chrono::steady_clock::time_point> m_last_line;
    std::int64_t m_unreported = 0;
    std::int64_t m_unreported_missing = 0;
    std::int64_t m_total = 0;
};

class WebhookEndpoint {
public:
    WebhookEndpoint(store::WebhookInbox& inbox, EndpointOptions options);

    // Registers POST <path> on `server` (before it starts).
    void add_to(http::WebServer& server);
    // Called after new events were stored, just before the 200 (not for duplicates only).
    // Set it before the server starts; it runs on the server's threads, so it must be quick
    // (e.g. notify a condition variable).
    void on_received(std::function<void()> callback);
    // A reloaded channel secret applies to the next request.
    void set_channel_secret(const std::string& secret);
    // webhook.forward: reloaded targets apply to the next request (the body with its original
    // signature and content type is queued with the events, see forward_copies.hpp).
    void set_forward(std::vector<ForwardFilter> targets);
    // Logs the signature refusals not reported yet.
    void flush_log();
    // The bot's own user ID: bodies for another destination are refused from now on. Empty
    // turns the check off.
    void set_bot_user_id(const std::string& bot_user_id);
    std::string bot_user_id() const;

    EndpointCounts counts() const;
    const EndpointOptions& options() const { return m_options; }

    void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

private:
    // false when the body is for another bot (answered 403).
    bool destination_is_ours(Poco::Net::HTTPServerRequest& request,
                             Poco::Net::HTTPServerResponse& response,
                             const std::string& destination);
    void store_events(Poco::Net::HTTPServerRequest& request,
                      Poco::Net::HTTPServerResponse& response,
                      const std::vector<store::InboundEvent>& events,
                      std::optional<store::ForwardBody> forward = std::nullopt);

    GroupCommit m_inbox;
    EndpointOptions m_options;
    std::chrono::milliseconds m_body_deadline{10'000};
    std::atomic<std::shared_ptr<const std::string>> m_secret;
    std::atomic<std::shared_ptr<const std::string>> m_bot_user_id; // empty: check off
    std::atomic<std::shared_ptr<const std::vector<ForwardFilter>>> m_forward;
    std::function<void()> m_on_received;
    RefusalLog m_refusals;
    log::Logger m_logger{"webhook"};

    std::atomic<std::int64_t> m_bodies_accepted{0};
    std::atomic<std::int64_t> m_events_new{0};
    std::atomic<std::int64_t> m_events_duplicate{0};
    std::atomic<std::int64_t> m_bodies_refused{0};
    std::atomic<std::int64_t> m_store_failures{0};
    std::atomic<std::int64_t> m_destinations_refused{0};
};

} // namespace musubi::webhook
