// musubictl status: the store, the friends, the outbox, and whether musubid answers.
#include <sstream>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Timespan.h>

#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/format.hpp"

namespace musubi::ctl {

namespace {

constexpr std::int64_t k_day_ms = 24LL * 3600 * 1000;

struct Probe {
    std::string url;
    bool running = false;
    std::string detail;
};

// Asks musubid's /healthz at `address` (host:port), waiting 2 s at most.
Probe probe_health(const std::string& address) {
    Probe probe;
    const auto colon = address.rfind(':');
    std::string host = colon == std::string::npos ? address : address.substr(0, colon);
    const std::string port = colon == std::string::npos ? "" : address.substr(colon + 1);
    // A daemon listening on every address is reached on loopback.
    if (host.empty() || host == "0.0.0.0") {
        host = "127.0.0.1";
    } else if (host == "::" || host == "[::]") {
        host = "::1";
    }
    probe.url = "http://" + host + ":" + port + "/healthz";
    if (port.empty() || port == "0") {
        probe.detail = "admin.listen has no fixed port (" + address +
                       "); give musubid's admin address with --admin HOST:PORT";
        return probe;
    }
    try {
        Poco::Net::HTTPClientSession session(host, static_cast<Poco::UInt16>(std::stoi(port)));
        session.setTimeout(Poco::Timespan(2, 0));
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/healthz",
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        session.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::istream& body = session.receiveResponse(response);
        std::ostringstream text;
        text << body.rdbuf();
        probe.running = response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK;
        probe.detail = "HTTP " + std::to_string(static_cast<int>(response.getStatus())) + " " +
                       text.str().substr(0, 80);
    } catch (const Poco::Exception& error) {
        probe.detail = error.displayText();
    } catch (const std::exception& error) {
        probe.detail = error.what();
    }
    return probe;
}

int status(Context& context) {
    const std::int64_t now = context.clock->now_ms();
    auto summary = context.store->operations().summary(now - k_day_ms);
    if (!summary) {
        return context.store_failed(summary.error());
    }
    const auto& info = context.store->info();
    const Probe probe = probe_health(
        context.args.value("--admin").value_or(context.config->admin.listen.to_string()));
    const int code = probe.running ? k_exit_ok : k_exit_not_running;
    if (context.json) {
        return context.emit(
            {{"shop", {{"id", context.config->shop.id}, {"name", context.config->shop.name}}},
             {"store",
              {{"path", info.location},
               {"backend", info.backend},
               {"schema_version", info.schema_version}}},
             {"friends",
              {{"following", summary->friends.following},
               {"blocked", summary->friends.blocked},
               {"linked", summary->friends.linked}}},
             {"outbox", summary->outbox_by_state},
             {"failed_last_24h", summary->failed_recently},
             {"next_due_at", summary->next_due_at ? nlohmann::json(*summary->next_due_at)
                                                  : nlohmann::json(nullptr)},
             {"musubid",
              {{"url", probe.url}, {"running", probe.running}, {"detail", probe.detail}}}},
            code);
    }
    auto& out = context.out;
    out << "musubi status: " << context.config->shop.id << " (" << context.config->shop.name
        << ")\n";
    out << "  store:     " << info.location << " (" << info.backend << ", schema version "
        << info.schema_version << ")\n";
    out << "  friends:   " << summary->friends.following << " following, "
        << summary->friends.blocked << " blocked, " << summary->friends.linked << " linked\n";
    out << "  outbox:   ";
    for (const char* state : {"pending", "sending", "sent", "failed", "skipped", "expired"}) {
        out << ' ' << state << ' ' << summary->outbox_by_state.at(state)
            << (std::string_view(state) == "expired" ? "\n" : ",");
    }
    out << "  failed:    " << summary->failed_recently << " in the last 24 h";
    out << (summary->failed_recently > 0 ? " (see: musubictl outbox failed)\n" : "\n");
    out << "  next due:  "
        << (summary->next_due_at ? jst_time(*summary->next_due_at) : std::string("nothing pending"))
        << '\n';
    if (probe.running) {
        out << "  musubid:   running (" << probe.url << " answered)\n";
    } else {
        out << "  musubid:   NOT answering at " << probe.url << " (" << probe.detail
            << "); messages wait in the outbox until it runs (systemctl status musubi)\n";
    }
    return code;
}

} // namespace

std::vector<Command> status_commands() {
    return {{"status",
             "[--admin HOST:PORT]",
             "the store, friends, the outbox by state, failures in the last 24 h, and whether "
             "musubid answers (exit 5 when it does not)",
             Needs::store,
             {"--admin"},
             {},
             0,
             0,
             status}};
}

} // namespace musubi::ctl
