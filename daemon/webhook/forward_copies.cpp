#include "daemon/webhook/forward_copies.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace musubi::webhook {

std::vector<store::ForwardCopy> forward_copies(const std::vector<ForwardFilter>& targets,
                                               const std::vector<store::InboundEvent>& events) {
    std::vector<store::ForwardCopy> copies;
    if (targets.empty() || events.empty()) {
        return copies;
    }
    std::vector<std::string> types;
    types.reserve(events.size());
    for (const auto& event : events) {
        const auto object = nlohmann::json::parse(event.body, nullptr, false);
        const auto type = object.is_object() ? object.find("type") : object.end();
        types.push_back(object.is_object() && type != object.end() && type->is_string()
                            ? type->get<std::string>()
                            : std::string());
    }
    for (const auto& target : targets) {
        store::ForwardCopy copy{target.url, {}};
        for (std::size_t i = 0; i < events.size(); ++i) {
            if (target.events.empty() || std::find(target.events.begin(), target.events.end(),
                                                   types[i]) != target.events.end()) {
                copy.event_ids.push_back(events[i].event_id);
            }
        }
        if (!copy.event_ids.empty()) {
            copies.push_back(std::move(copy));
        }
    }
    return copies;
}

} // namespace musubi::webhook
