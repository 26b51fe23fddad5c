#pragma once
// The store is the one interface through which the daemon reads and writes its data. Callers
// never see SQL or SQLite; a PostgreSQL backend can be added beside sqlite/ without touching
// them. Every method is one transaction unless it says otherwise.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "daemon/config/config.hpp"
#include "daemon/store/store_error.hpp"

namespace musubi::store {

// A fact to record: something that happened, identified by a natural key so that seeing it
// again (a re-polled order, a redelivered webhook) records nothing new.
struct NewFact {
    std::string natural_key; // e.g. "rakuten:order:123456-20261122-0000000001:shipped"
    std::string kind;        // e.g. "order.shipped"
    std::optional<std::string> subject;
    std::int64_t occurred_at_ms = 0;
    std::string payload_json = "{}";
};

enum class Recorded { inserted, duplicate };

struct StoreInfo {
    std::string backend;  // "sqlite"
    std::string location; // the file
    int schema_version = 0;
    int migrated_from = 0; // the version found when opening
};

class Store {
public:
    virtual ~Store() = default;

    virtual const StoreInfo& info() const = 0;

    virtual tl::expected<Recorded, StoreError> record_fact(const NewFact& fact) = 0;
    virtual tl::expected<std::int64_t, StoreError> count_facts(std::string_view kind) = 0;

    // Pollers' positions, surviving restarts.
    virtual tl::expected<std::optional<std::string>, StoreError> cursor(std::string_view name) = 0;
    virtual tl::expected<void, StoreError> set_cursor(std::string_view name,
                                                      std::string_view value) = 0;
};

// Opens the configured store, creating it and applying migrations as needed.
tl::expected<std::unique_ptr<Store>, StoreError> open_store(const config::StoreConfig& config);

} // namespace musubi::store
