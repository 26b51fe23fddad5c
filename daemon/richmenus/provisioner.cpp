#include "daemon/richmenus/provisioner.hpp"

#include <algorithm>
#include <set>

namespace musubi::richmenus {

namespace {

constexpr std::string_view k_already_uploaded =
    "An image has already been uploaded to the richmenu";
constexpr std::string_view k_alias_taken = "conflict richmenu alias id";

std::string short_hash(const std::string& hash) {
    return hash.substr(0, 12);
}

} // namespace

Provisioner::Provisioner(line::MessagingClient& client, store::RichMenus& store,
                         std::shared_ptr<const clock::Clock> clock, ProvisionerSettings settings)
    : m_client(client)
    , m_store(store)
    , m_clock(std::move(clock))
    , m_settings(settings) {}

Provisioner::Step Provisioner::failed(const std::string& doing, const std::string& name,
                                      const line::ApiResult& result, ProvisionReport& report) {
    if (result.outcome == line::Outcome::permanent) {
        m_log.error("richmenu.refused", {{"name", name},
                                         {"doing", doing},
                                         {"status", result.status},
                                         {"message", result.message}});
        report.refused.push_back(name + ": " + doing + " answered " +
                                 std::to_string(result.status) + " " + result.message);
        return Step::skip;
    }
    report.stopped_because = "menu '" + name + "': " + doing + ": " +
                             std::string(line::outcome_name(result.outcome)) +
                             (result.message.empty() ? "" : " (" + result.message + ")");
    return Step::stop;
}

Provisioner::Step Provisioner::store_failed(const store::StoreError& error,
                                            ProvisionReport& report) {
    report.stopped_because = "store: " + error.to_string();
    return Step::stop;
}

// A menu of this name created for other content, never made current (the content changed
// again, or its creation was interrupted): nobody is linked to it, so it is deleted now.
Provisioner::Step Provisioner::abandon_unfinished(const RichMenu& menu, ProvisionReport& report) {
    auto records = m_store.menus();
    if (!records) {
        return store_failed(records.error(), report);
    }
    for (const auto& record : *records) {
        const bool unfinished = record.state == store::RichMenuState::created ||
                                record.state == store::RichMenuState::uploaded;
        if (record.name != menu.name || !unfinished || record.content_hash == menu.content_hash) {
            continue;
        }
        auto deleted = m_client.delete_rich_menu(record.rich_menu_id);
        if (!deleted && deleted.error().status != 404) {
            return failed("deleting an unfinished menu", menu.name, deleted.error(), report);
        }
        if (auto marked = m_store.mark_retired(record.rich_menu_id, m_clock->now_ms()); !marked) {
            return store_failed(marked.error(), report);
        }
        m_log.info("richmenu.abandoned", {{"name", menu.name}, {"id", record.rich_menu_id}});
    }
    return Step::done;
}

Provisioner::Step Provisioner::ensure_menu(const RichMenu& menu, ProvisionReport& report) {
    auto records = m_store.menus();
    if (!records) {
        return store_failed(records.error(), report);
    }
    const auto same_content = [&](const store::RichMenuRecord& record) {
        return record.name == menu.name && record.content_hash == menu.content_hash &&
               record.state != store::RichMenuState::superseded;
    };
    auto found = std::find_if(records->begin(), records->end(), same_content);
    if (found != records->end() && found->state == store::RichMenuState::current) {
        report.reused.push_back(menu.name);
        return Step::done;
    }
    if (const Step step = abandon_unfinished(menu, report); step != Step::done) {
        return step;
    }
    std::string id;
    store::RichMenuState state = store::RichMenuState::created;
    if (found != records->end()) { // resume an interrupted creation
        id = found->rich_menu_id;
        state = found->state;
    } else {
        auto created = m_client.create_rich_menu(menu.definition);
        if (!created) {
            return failed("creating the menu", menu.name, created.error(), report);
        }
        id = *created;
        if (auto recorded =
                m_store.record_created(menu.name, menu.content_hash, id, m_clock->now_ms());
            !recorded) {
            return store_failed(recorded.error(), report);
        }
        m_log.info("richmenu.created",
                   {{"name", menu.name}, {"id", id}, {"hash", short_hash(menu.content_hash)}});
    }
    if (state == store::RichMenuState::created) {
        auto uploaded = m_client.upload_rich_menu_image(id, menu.image_type, menu.image);
        // Uploaded before a crash: LINE keeps the first image, which is this content's.
        if (!uploaded && uploaded.error().message != k_already_uploaded) {
            return failed("uploading the image", menu.name, uploaded.error(), report);
        }
        if (auto marked = m_store.mark_uploaded(id, m_clock->now_ms()); !marked) {
            return store_failed(marked.error(), report);
        }
    }
    auto old = m_store.make_current(id, m_clock->now_ms());
    if (!old) {
        return store_failed(old.error(), report);
    }
    report.created.push_back(menu.name);
    if (*old) {
        m_log.info("richmenu.superseded", {{"name", menu.name}, {"old", **old}, {"new", id}});
    }
    return Step::done;
}

Provisioner::Step Provisioner::point_alias(const RichMenu& menu, const std::string& rich_menu_id,
                                           ProvisionReport& report) {
    auto target = m_store.alias_target(*menu.alias);
    if (!target) {
        return store_failed(target.error(), report);
    }
    if (*target == rich_menu_id) {
        return Step::done;
    }
    // LINE's own answer decides create or update: the alias is read (404: none), never
    // inferred from an update's status (the specification lists only 200 and 400 for the
    // update). An update LINE refuses with 400 because the alias went away in between is
    // repaired by a create, and a create refused because the alias appeared by an update.
    auto existing = m_client.rich_menu_alias_target(*menu.alias);
    if (!existing) {
        return failed("reading alias '" + *menu.alias + "'", menu.name, existing.error(), report);
    }
    tl::expected<void, line::ApiResult> pointed{};
    if (*existing != rich_menu_id) {
        pointed = *existing ? m_client.update_rich_menu_alias(*menu.alias, rich_menu_id)
                            : m_client.create_rich_menu_alias(*menu.alias, rich_menu_id);
        if (!pointed && *existing && pointed.error().status == 400) {
            auto again = m_client.rich_menu_alias_target(*menu.alias);
            if (again && !*again) {
                pointed = m_client.create_rich_menu_alias(*menu.alias, rich_menu_id);
            }
        } else if (!pointed && !*existing && pointed.error().message == k_alias_taken) {
            pointed = m_client.update_rich_menu_alias(*menu.alias, rich_menu_id);
        }
    }
    if (!pointed) {
        return failed("pointing alias '" + *menu.alias + "'", menu.name, pointed.error(), report);
    }
    if (auto recorded = m_store.record_alias(*menu.alias, rich_menu_id, m_clock->now_ms());
        !recorded) {
        return store_failed(recorded.error(), report);
    }
    m_log.info("richmenu.alias", {{"alias", *menu.alias}, {"id", rich_menu_id}});
    return Step::done;
}

Provisioner::Step Provisioner::point_default(const std::string& rich_menu_id,
                                             ProvisionReport& report) {
    auto current = m_store.default_menu();
    if (!current) {
        return store_failed(current.error(), report);
    }
    if (*current == rich_menu_id) {
        return Step::done;
    }
    if (auto set = m_client.set_default_rich_menu(rich_menu_id); !set) {
        return failed("setting the default menu", "default", set.error(), report);
    }
    if (auto recorded = m_store.record_default(rich_menu_id, m_clock->now_ms()); !recorded) {
        return store_failed(recorded.error(), report);
    }
    m_log.info("richmenu.default", {{"id", rich_menu_id}});
    return Step::done;
}

ProvisionReport Provisioner::provision(const RichMenuSet& set) {
    ProvisionReport report;
    const auto finish = [&](Step step) {
        if (step == Step::stop) {
            const auto shift = std::min(m_failed_passes, 16);
            report.retry_after = std::min<std::chrono::milliseconds>(
                m_settings.retry_max, m_settings.retry_initial * (1L << shift));
            ++m_failed_passes;
            m_log.warn("richmenu.provision_stopped",
                       {{"reason", report.stopped_because}, {"retry_after", *report.retry_after}});
        } else {
            m_failed_passes = 0;
        }
        if (auto moves = m_store.pending_moves(); moves) {
            report.moves = std::move(*moves);
        }
        return report;
    };

    std::set<std::string> refused;
    for (const auto& menu : set.menus) {
        const Step step = ensure_menu(menu, report);
        if (step == Step::stop) {
            return finish(step);
        }
        if (step == Step::skip) {
            refused.insert(menu.name);
        }
    }
    for (const auto& menu : set.menus) {
        if (!menu.alias || refused.count(menu.name) != 0) {
            continue;
        }
        auto id = m_store.current_id(menu.name);
        if (!id) {
            return finish(store_failed(id.error(), report));
        }
        if (*id && point_alias(menu, **id, report) == Step::stop) {
            return finish(Step::stop);
        }
    }
    if (set.default_menu && refused.count(*set.default_menu) == 0) {
        auto id = m_store.current_id(*set.default_menu);
        if (!id) {
            return finish(store_failed(id.error(), report));
        }
        if (*id && point_default(**id, report) == Step::stop) {
            return finish(Step::stop);
        }
    }
    // A name that left richmenus.yaml: its menu waits, superseded, for its friends to move.
    auto records = m_store.menus();
    if (!records) {
        return finish(store_failed(records.error(), report));
    }
    for (const auto& record : *records) {
        if (record.state == store::RichMenuState::current && set.find(record.name) == nullptr) {
            if (auto superseded = m_store.supersede_name(record.name, m_clock->now_ms());
                !superseded) {
                return finish(store_failed(superseded.error(), report));
            }
            m_log.info("richmenu.superseded",
                       {{"name", record.name}, {"old", record.rich_menu_id}, {"new", ""}});
        }
    }
    return finish(Step::done);
}

tl::expected<void, Provisioner::RetireError> Provisioner::retire(const std::string& rich_menu_id) {
    auto records = m_store.menus();
    if (!records) {
        return tl::unexpected(RetireError{"store: " + records.error().to_string(), true});
    }
    const auto found = std::find_if(records->begin(), records->end(), [&](const auto& record) {
        return record.rich_menu_id == rich_menu_id;
    });
    if (found == records->end()) {
        return {}; // retired before, or never musubi's
    }
    if (found->state == store::RichMenuState::current) {
        return tl::unexpected(
            RetireError{"menu " + rich_menu_id + " is current for '" + found->name + "'", false});
    }
    auto deleted = m_client.delete_rich_menu(rich_menu_id);
    if (!deleted && deleted.error().status != 404) {
        const bool retry = deleted.error().outcome != line::Outcome::permanent;
        return tl::unexpected(RetireError{"deleting menu " + rich_menu_id + ": " +
                                              std::to_string(deleted.error().status) + " " +
                                              deleted.error().message,
                                          retry});
    }
    if (auto marked = m_store.mark_retired(rich_menu_id, m_clock->now_ms()); !marked) {
        return tl::unexpected(RetireError{"store: " + marked.error().to_string(), true});
    }
    m_log.info("richmenu.retired", {{"name", found->name}, {"id", rich_menu_id}});
    return {};
}

} // namespace musubi::richmenus
