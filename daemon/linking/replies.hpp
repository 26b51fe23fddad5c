#pragma once
// The linking replies: each is an editable template (templates/<name>.txt or .json). A friend
// in the middle of linking must always get an answer, so a template that is missing or does
// not render is logged and replaced by a built-in Japanese text.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/templates/template_set.hpp"

namespace musubi::linking {

// The replies linking sends: the outbox step and the template that renders it.
enum class Reply {
    ask_phone,  // link_ask_phone
    linked,     // link_done
    failed,     // link_failed
    taken,      // link_taken
    cooldown,   // link_cooldown
    expired,    // link_expired
    unlinked,   // unlink_done
    not_linked, // unlink_not_linked
};

inline constexpr Reply k_all_replies[] = {Reply::ask_phone, Reply::linked,    Reply::failed,
                                          Reply::taken,     Reply::cooldown,  Reply::expired,
                                          Reply::unlinked,  Reply::not_linked};

std::string_view step_name(Reply reply);
std::string_view template_name(Reply reply);

// The render context: link.order_number, friend.display_name, shop.name.
nlohmann::json reply_context(std::string_view order_number, std::string_view display_name,
                             std::string_view shop_name);

// The messages (a JSON array) for `reply`: the template's, or the built-in text.
nlohmann::json render_reply(const templates::TemplateSet* templates, Reply reply,
                            const nlohmann::json& context);

} // namespace musubi::linking
