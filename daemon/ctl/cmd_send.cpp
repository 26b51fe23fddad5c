// musubictl test-send: one push to one friend through the outbox, sent by the running
// musubid's dispatcher (musubictl itself never talks to LINE).
#include <chrono>
#include <random>
#include <thread>

#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/format.hpp"
#include "daemon/log/log.hpp"
#include "daemon/outbox/retry_key.hpp"
#include "daemon/templates/template_set.hpp"

namespace musubi::ctl {

namespace {

constexpr std::int64_t k_default_wait_seconds = 10;

bool is_final(const std::string& state) {
    return state == "sent" || state == "failed" || state == "skipped" || state == "expired";
}

// The context a test message renders with: the shop and what is known of the friend. Values
// that need an order or a link page (order.*, link.url, …) render as nothing.
nlohmann::json test_context(const config::Config& config, const store::FriendRecord& record) {
    nlohmann::json tag = nlohmann::json::object();
    for (const auto& name : record.tags) {
        tag[name] = true;
    }
    nlohmann::json context{{"shop", {{"name", config.shop.name}}},
                           {"friend",
                            {{"display_name", record.display_name},
                             {"linked", record.link.has_value()},
                             {"tags", record.tags},
                             {"tag", tag}}}};
    if (record.link && !record.link->given_name.empty()) {
        context["buyer"] = {{"given_name", record.link->given_name}};
    }
    return context;
}

// A retry key no other message has: the friend, the time and a random part.
std::string unique_retry_key(const std::string& user, std::int64_t now_ms) {
    std::random_device random;
    const auto salt = (static_cast<std::uint64_t>(random()) << 32) | random();
    return outbox::derive_retry_key("musubictl/test-send/" + user + "/" + std::to_string(now_ms) +
                                    "/" + std::to_string(salt));
}

int test_send(Context& context) {
    const std::string& user = context.args.positional.at(0);
    const auto text = context.args.value("--text");
    const auto template_name = context.args.value("--template");
    if (text.has_value() == template_name.has_value()) {
        return context.fail(k_exit_usage,
                            "test-send wants either --text \"…\" or --template NAME (one of them)");
    }
    std::int64_t wait_seconds = k_default_wait_seconds;
    if (auto wait = context.args.value("--wait")) {
        try {
            std::size_t used = 0;
            wait_seconds = std::stoll(*wait, &used);
            if (used != wait->size() || wait_seconds < 0) {
                throw std::invalid_argument(*wait);
            }
        } catch (const std::exception&) {
            return context.fail(k_exit_usage,
                                "--wait wants whole seconds (0: do not wait), not '" + *wait + "'");
        }
    }
    auto record = context.store->operations().friend_record(user);
    if (!record) {
        return context.store_failed(record.error());
    }
    if (!*record) {
        return context.fail(k_exit_failed, "no friend with LINE userId " + user +
                                               "; check the id (it starts with U)");
    }
    if ((*record)->state != "following") {
        return context.fail(k_exit_failed, user + " blocks the shop's account; LINE would not "
                                                  "deliver a message, so none was written");
    }
    nlohmann::json messages;
    if (text) {
        if (text->empty()) {
            return context.fail(k_exit_usage, "--text is empty; write the message to send");
        }
        messages = nlohmann::json::array({{{"type", "text"}, {"text", *text}}});
    } else {
        auto templates = templates::TemplateSet::load(context.config->templates_dir);
        if (!templates) {
            return context.fail(k_exit_config,
                                "the templates in " + context.config->templates_dir.string() +
                                    " do not load: " + templates.error().front().to_string());
        }
        auto rendered = templates->render(*template_name, test_context(*context.config, **record));
        if (!rendered) {
            return context.fail(k_exit_failed, "template " + *template_name + ": " +
                                                   rendered.error().to_string() +
                                                   "; nothing was written");
        }
        messages = *rendered;
    }
    const std::int64_t now = context.clock->now_ms();
    store::NewMessage message;
    message.retry_key = unique_retry_key(user, now);
    message.friend_id = (*record)->id;
    message.scenario = "musubictl";
    message.step = "test-send";
    message.payload = messages.dump();
    message.due_at = now;
    auto added = context.store->outbox().add({message});
    if (!added) {
        return context.store_failed(added.error());
    }
    auto& operations = context.store->operations();
    auto row = operations.outbox_entry_by_key(message.retry_key);
    if (!row) {
        return context.store_failed(row.error());
    }
    if (!*row) {
        return context.fail(k_exit_failed, "the test message was not written (retry key " +
                                               message.retry_key + " was taken)");
    }
    const std::int64_t id = (*row)->id;
    log::Logger("musubictl")
        .info("test_send.queued", {{"outbox_id", id}, {"friend_id", (*record)->id}});
    if (!context.json) {
        context.out << "queued test message as outbox #" << id << " for " << user << '\n';
    }
    // musubid's dispatcher looks at the outbox at least once a second; poll the row until it
    // is final or the wait is over (real time: this is the operator waiting, not a due time).
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
    while (!is_final((*row)->state) && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        row = operations.outbox_entry(id);
        if (!row) {
            return context.store_failed(row.error());
        }
    }
    auto deliveries = operations.deliveries(id);
    if (!deliveries) {
        return context.store_failed(deliveries.error());
    }
    std::string request_id;
    for (const auto& delivery : *deliveries) {
        if (!delivery.request_id.empty()) {
            request_id = delivery.request_id;
        }
    }
    const auto& final_row = **row;
    const int code = final_row.state == "sent" || wait_seconds == 0 ? k_exit_ok : k_exit_failed;
    if (context.json) {
        auto document = entry_json(final_row, true);
        document["request_id"] = request_id;
        return context.emit(document, code);
    }
    auto& out = context.out;
    if (wait_seconds == 0) {
        out << "not waiting; follow it with: musubictl outbox show " << id << '\n';
    } else if (final_row.state == "sent") {
        out << "sent at " << jst_time(final_row.updated_at) << "; LINE request id "
            << (request_id.empty() ? "-" : request_id) << '\n';
    } else if (is_final(final_row.state)) {
        out << final_row.state << ": " << final_row.reason.value_or("-") << '\n';
    } else {
        out << "still " << final_row.state << " after " << wait_seconds
            << " s: is musubid running (musubictl status)? The row stays and is sent when it "
               "runs; follow it with: musubictl outbox show "
            << id << '\n';
    }
    return code;
}

} // namespace

std::vector<Command> send_commands() {
    return {{"test-send",
             "<userId> (--text \"…\" | --template NAME) [--wait SECONDS]",
             "push one test message to one friend through the outbox and wait (default 10 s) "
             "until musubid has sent it; prints LINE's request id",
             Needs::store,
             {"--text", "--template", "--wait"},
             {},
             1,
             1,
             test_send}};
}

} // namespace musubi::ctl
