#include "daemon/webhook/webhook_endpoint.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/MediaType.h>
#include <nlohmann/json.hpp>

#include "connectors/line/webhook_signature.hpp"

namespace musubi::webhook {

namespace {

using nlohmann::json;
using Poco::Net::HTTPResponse;

constexpr const char* k_signature_header = "x-line-signature";

bool is_json(const std::string& content_type) {
    if (content_type.empty()) {
        return false;
    }
    try {
        return Poco::Net::MediaType(content_type).matches("application", "json");
    } catch (const std::exception&) {
        return false;
    }
}

std::string event_error(std::size_t index, const std::string& what) {
    return "events[" + std::to_string(index) + "] " + what;
}

} // namespace

tl::expected<std::vector<store::InboundEvent>, std::string> parse_events(const std::string& body) {
    auto parsed = parse_callback(body);
    if (!parsed) {
        return tl::unexpected(std::move(parsed.error()));
    }
    return std::move(parsed->events);
}

tl::expected<Callback, std::string> parse_callback(const std::string& body) {
    const json document = json::parse(body, nullptr, false);
    if (document.is_discarded()) {
        return tl::unexpected(std::string("the body is not valid JSON"));
    }
    if (!document.is_object()) {
        return tl::unexpected(std::string("the body is not a JSON object"));
    }
    const auto events = document.find("events");
    if (events == document.end() || !events->is_array()) {
        return tl::unexpected(std::string("'events' is missing or not an array"));
    }
    Callback callback;
    if (const auto destination = document.find("destination");
        destination != document.end() && destination->is_string()) {
        callback.destination = destination->get<std::string>();
    }
    auto& parsed = callback.events;
    parsed.reserve(events->size());
    std::size_t i = 0;
    for (const json& event : events->get_ref<const json::array_t&>()) {
        if (!event.is_object()) {
            return tl::unexpected(event_error(i, "is not an object"));
        }
        const auto id = event.find("webhookEventId");
        if (id == event.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
            return tl::unexpected(event_error(i, "has no webhookEventId"));
        }
        const auto timestamp = event.find("timestamp");
        if (timestamp == event.end() || !timestamp->is_number_integer()) {
            return tl::unexpected(event_error(i, "has no integer timestamp"));
        }
        parsed.push_back({id->get<std::string>(), timestamp->get<std::int64_t>(), event.dump()});
        ++i;
    }
    return callback;
}

RefusalLog::RefusalLog(std::chrono::seconds interval, Clock clock)
    : m_interval(interval)
    , m_clock(clock ? std::move(clock) : [] { return std::chrono::steady_clock::now(); }) {}

void RefusalLog::refused(bool header_missing) {
    std::lock_guard lock(m_mutex);
    ++m_total;
    ++m_unreported;
    if (header_missing) {
        ++m_unreported_missing;
    }
    if (!m_last_line || m_clock() - *m_last_line >= m_interval) {
        write_locked();
    }
}

void RefusalLog::flush() {
    std::lock_guard lock(m_mutex);
    if (m_unreported > 0) {
        write_locked();
    }
}

std::int64_t RefusalLog::total() const {
    std::lock_guard lock(m_mutex);
    return m_total;
}

void RefusalLog::write_locked() {
    m_logger.warn("webhook.signature_refused",
                  {{"refused", m_unreported},
                   {"without_signature", m_unreported_missing},
                   {"total", m_total},
                   {"action", "if LINE sent these, line.channel_secret is not the channel "
                              "secret shown in the LINE Developers console"}});
    m_last_line = m_clock();
    m_unreported = 0;
    m_unreported_missing = 0;
}

WebhookEndpoint::WebhookEndpoint(store::WebhookInbox& inbox, EndpointOptions options)
    : m_inbox(inbox)
    , m_options(std::move(options))
    , m_secret(std::make_shared<const std::string>(m_options.channel_secret))
    , m_bot_user_id(std::make_shared<const std::string>())
    , m_forward(std::make_shared<const std::vector<ForwardFilter>>(m_options.forward))
    , m_refusals(m_options.refusal_log_interval) {
    m_options.channel_secret.clear(); // kept in m_secret only
}

void WebhookEndpoint::add_to(http::WebServer& server) {
    m_body_deadline = server.limits().body_deadline;
    server.add("POST", m_options.path,
               [this](Poco::Net::HTTPServerRequest& request,
                      Poco::Net::HTTPServerResponse& response) { handle(request, response); });
}

void WebhookEndpoint::on_received(std::function<void()> callback) {
    m_on_received = std::move(callback);
}

void WebhookEndpoint::set_channel_secret(const std::string& secret) {
    m_secret.store(std::make_shared<const std::string>(secret));
}

void WebhookEndpoint::set_forward(std::vector<ForwardFilter> targets) {
    m_forward.store(std::make_shared<const std::vector<ForwardFilter>>(std::move(targets)));
}

void WebhookEndpoint::flush_log() {
    m_refusals.flush();
}

EndpointCounts WebhookEndpoint::counts() const {
    EndpointCounts counts{m_bodies_accepted.load(),  m_events_new.load(),
                          m_events_duplicate.load(), m_refusals.total(),
                          m_bodies_refused.load(),   m_store_failures.load()};
    counts.destinations_refused = m_destinations_refused.load();
    return counts;
}

void WebhookEndpoint::handle(Poco::Net::HTTPServerRequest& request,
                             Poco::Net::HTTPServerResponse& response) {
    auto body = http::read_body(request, m_options.max_body_bytes, m_body_deadline);
    if (!body) {
        ++m_bodies_refused;
        if (body.error() == http::BodyError::too_large) {
            http::send(request, response, HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE,
                       http::message_json("Request Entity Too Large"), "application/json", true);
        } else if (body.error() == http::BodyError::broken) {
            http::send(request, response, HTTPResponse::HTTP_BAD_REQUEST,
                       http::message_json("the body is incomplete or its chunked encoding is "
                                          "broken"),
                       "application/json", true);
        } else {
            http::send(request, response, HTTPResponse::HTTP_REQUEST_TIMEOUT,
                       http::message_json("Request Timeout"), "application/json", true);
        }
        return;
    }

    const std::string signature = request.get(k_signature_header, "");
    const auto secret = m_secret.load();
    if (signature.empty() || !line::webhook_signature_matches(*secret, *body, signature)) {
        m_refusals.refused(signature.empty());
        http::send(request, response, HTTPResponse::HTTP_UNAUTHORIZED,
                   http::message_json("invalid signature"));
        return;
    }

    if (!is_json(request.getContentType())) {
        ++m_bodies_refused;
        http::send(request, response, HTTPResponse::HTTP_UNSUPPORTED_MEDIA_TYPE,
                   http::message_json("Content-Type must be application/json"));
        return;
    }

    auto callback = parse_callback(*body);
    if (!callback) {
        ++m_bodies_refused;
        // A signed body LINE should never send; the reason names no content.
        m_logger.warn("webhook.malformed", {{"reason", callback.error()}, {"bytes", body->size()}});
        http::send(request, response, HTTPResponse::HTTP_BAD_REQUEST,
                   http::message_json(callback.error()));
        return;
    }
    if (!destination_is_ours(request, response, callback->destination)) {
        return;
    }
    // webhook.forward: the body as it came, with LINE's own signature, for the targets whose
    // filter one of its events passes.
    std::optional<store::ForwardBody> forward;
    if (const auto targets = m_forward.load(); !targets->empty()) {
        forward = store::ForwardBody{*body, signature, request.getContentType(),
                                     forward_copies(*targets, callback->events)};
    }
    store_events(request, response, callback->events, std::move(forward));
}

// --- Destination check (issue 17)
void WebhookEndpoint::set_bot_user_id(const std::string& bot_user_id) {
    m_bot_user_id.store(std::make_shared<const std::string>(bot_user_id));
}

std::string WebhookEndpoint::bot_user_id() const {
    return *m_bot_user_id.load();
}

bool WebhookEndpoint::destination_is_ours(Poco::Net::HTTPServerRequest& request,
                                          Poco::Net::HTTPServerResponse& response,
                                          const std::string& destination) {
    const auto ours = m_bot_user_id.load();
    if (ours->empty() || destination == *ours) {
        return true; // empty: the bot's user ID could not be read yet; the check is off
    }
    ++m_bodies_refused;
    ++m_destinations_refused;
    // Bot user IDs are not personal data. 403 rather than 200: the body is not stored, and
    // a non-2xx answer shows in the LINE Developers console's webhook statistics and lets
    // LINE redeliver it (when redelivery is on) should the check ever be wrong.
    m_logger.warn("webhook.destination_refused",
                  {{"destination", destination.empty() ? "(none)" : destination},
                   {"bot_user_id", *ours},
                   {"action", "the body was signed with this channel's secret but is meant "
                              "for another bot; answered 403 and stored nothing. Check that "
                              "the webhook URL and line.channel_secret belong to the same "
                              "channel"}});
    http::send(request, response, HTTPResponse::HTTP_FORBIDDEN,
               http::message_json("the body's destination is not this channel's bot"));
    return false;
}

void WebhookEndpoint::store_events(Poco::Net::HTTPServerRequest& request,
                                   Poco::Net::HTTPServerResponse& response,
                                   const std::vector<store::InboundEvent>& events,
                                   std::optional<store::ForwardBody> forward) {
    if (events.empty()) {
        ++m_bodies_accepted;
        http::send(request, response, HTTPResponse::HTTP_OK, "{}");
        return;
    }
    auto stored = m_inbox.receive(events, std::move(forward));
    if (!stored) {
        ++m_store_failures;
        m_logger.error("webhook.store_failed",
                       {{"events", events.size()},
                        {"error", stored.error().to_string()},
                        {"action", "answered 500; LINE redelivers if redelivery is on in "
                                   "the LINE Developers console"}});
        http::send(request, response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR,
                   http::message_json("the events could not be stored; try again"));
        return;
    }
    ++m_bodies_accepted;
    const bool new_events = stored->first_of_group && stored->inserted > 0;
    if (stored->first_of_group) {
        // Counted once per commit: one transaction may hold several bodies.
        m_events_new += static_cast<std::int64_t>(stored->inserted);
        m_events_duplicate += static_cast<std::int64_t>(stored->events - stored->inserted);
    }
    // Woken before the answer, so that once LINE has its 200 the work is already under way.
    if (new_events && m_on_received) {
        m_on_received();
    }
    http::send(request, response, HTTPResponse::HTTP_OK, "{}");
    if (stored->first_of_group) {
        m_logger.debug("webhook.received", {{"events", stored->events},
                                            {"new", stored->inserted},
                                            {"duplicates", stored->events - stored->inserted},
                                            {"bodies", stored->bodies}});
    }
}

} // namespace musubi::webhook
