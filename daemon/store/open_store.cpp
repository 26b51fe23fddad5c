#include "daemon/store/sqlite/sqlite_store.hpp"
#include "daemon/store/store.hpp"

namespace musubi::store {

tl::expected<std::unique_ptr<Store>, StoreError>
open_store(const config::StoreConfig& config, std::shared_ptr<const clock::Clock> clock) {
    auto store = sqlite::SqliteStore::open(config.path, config.busy_timeout, std::move(clock));
    if (!store) {
        return tl::unexpected(store.error());
    }
    return std::unique_ptr<Store>(std::move(*store));
}

} // namespace musubi::store
