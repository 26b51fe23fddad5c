#include "daemon/linking/replies.hpp"

#include "daemon/log/log.hpp"

namespace musubi::linking {

namespace {

std::string_view fallback_text(Reply reply) {
    switch (reply) {
    case Reply::ask_phone:
        return "ご注文番号を確認しました。ご注文者さまのお電話番号の下4桁を送ってください。";
    case Reply::linked:
        return "ご注文との連携が完了しました。";
    case Reply::failed:
        return "ご注文番号またはお電話番号の下4桁が確認できませんでした。"
               "お手数ですが、ご確認のうえもう一度送ってください。";
    case Reply::taken:
        return "このご注文はすでに別のLINEアカウントと連携されています。"
               "お心当たりがない場合はお問い合わせください。";
    case Reply::cooldown:
        return "確認の回数が上限に達しました。しばらく時間をおいてからもう一度お試しください。";
    case Reply::expired:
        return "確認の有効期限が切れました。お手数ですが、ご注文番号からもう一度送ってください。";
    case Reply::unlinked:
        return "連携を解除しました。";
    case Reply::not_linked:
        return "現在、連携しているご注文はありません。";
    }
    return "";
}

} // namespace

std::string_view step_name(Reply reply) {
    switch (reply) {
    case Reply::ask_phone:
        return "ask_phone";
    case Reply::linked:
        return "linked";
    case Reply::failed:
        return "failed";
    case Reply::taken:
        return "taken";
    case Reply::cooldown:
        return "cooldown";
    case Reply::expired:
        return "expired";
    case Reply::unlinked:
        return "unlinked";
    case Reply::not_linked:
        return "not_linked";
    }
    return "";
}

std::string_view template_name(Reply reply) {
    switch (reply) {
    case Reply::ask_phone:
        return "link_ask_phone";
    case Reply::linked:
        return "link_done";
    case Reply::failed:
        return "link_failed";
    case Reply::taken:
        return "link_taken";
    case Reply::cooldown:
        return "link_cooldown";
    case Reply::expired:
        return "link_expired";
    case Reply::unlinked:
        return "unlink_done";
    case Reply::not_linked:
        return "unlink_not_linked";
    }
    return "";
}

nlohmann::json reply_context(std::string_view order_number, std::string_view display_name,
                             std::string_view shop_name) {
    return {{"link", {{"order_number", order_number}}},
            {"friend", {{"display_name", display_name}}},
            {"shop", {{"name", shop_name}}}};
}

nlohmann::json render_reply(const templates::TemplateSet* templates, Reply reply,
                            const nlohmann::json& context) {
    if (templates != nullptr) {
        auto rendered = templates->render(template_name(reply), context);
        if (rendered) {
            return *rendered;
        }
        static const log::Logger logger("linking");
        logger.warn("link_reply_template_failed", {{"template", template_name(reply)},
                                                   {"error", rendered.error().message},
                                                   {"hint", "the built-in text was sent"}});
    }
    return nlohmann::json::array({{{"type", "text"}, {"text", fallback_text(reply)}}});
}

} // namespace musubi::linking
