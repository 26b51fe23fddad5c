#pragma once
// Message templates as store staff write them in templates/: `<name>.txt` is Mustache text
// that becomes one LINE text message; `<name>.json` is a LINE message object (or a list of
// up to 5), e.g. pasted from LINE's Flex Message Simulator, with {{…}} inside its strings.
// Each string is rendered on its own, so values are JSON-escaped by construction. Rendering
// checks the result against LINE's limits (message_limits.hpp), so a message LINE would
// refuse is caught when the outbox row is written, not when it is sent.
//
// Mustache as staff use it:
//   {{order.number}}                    a value; {{x}} and {{{x}}} are the same (no HTML
//                                       escaping: LINE text is not HTML)
//   {{#order.items}}…{{/order.items}}   repeated for each item; inside, {{name}} is its name
//   {{#friend.segments.vip}}…{{/…}}     shown only when the value is true / present / not empty
//   {{^friend.linked}}…{{/…}}           shown only when it is false / missing / empty
//   A missing value renders as nothing; so does "" (and "" counts as false in sections, so
//   {{^shipping.tracking_url}}https://…{{/shipping.tracking_url}} is a fallback link).
//   Numbers render as plain digits (5400); use the *_text members for "5,400円".
//   Lines that hold only section tags disappear; blank lines at the ends of a .txt are cut.
//
// The render context (a JSON object) has these members; a template may use any of them:
//   shop.name                        the shop's name (shop.name in musubi.yaml)
//   friend.display_name              the LINE display name (up to 20 characters)
//   friend.linked                    true once the friend is linked to a buyer
//   friend.tags                      list of the friend's tag names ({{#friend.tags}}{{.}}…)
//   friend.tag.<name>                true for each tag the friend has
//   friend.segment                   the name of the first segment the friend falls in
//   friend.segments.<name>           true for that one segment (as last evaluated)
//   buyer.given_name                 the orderer's given name (linked friends only)
//   order.number                     e.g. 123456-20261122-0000000001
//   order.total                      5400 (yen, digits only; missing until the total is fixed)
//   order.total_text                 "5,400円" ("確定後にお知らせします" until it is fixed)
//   order.ordered_at                 "2026年11月22日"
//   order.review_url                 the page where the buyer writes a review of the order
//   order.first                      true for the buyer's first order in the shop
//   order.items[]                    each with name, manage_number, units, price (digits),
//                                    price_text ("1,620円")
//   shipping.carrier_name            e.g. ヤマト運輸
//   shipping.carrier_code            RMS delivery company code, e.g. 1001
//   shipping.tracking_number         the parcel's tracking number ("" when none)
//   shipping.tracking_url            the carrier's tracking page ("" when the carrier has none)
//   review.rating                    1..5
//   review.item_name                 the reviewed item
//   link.url                         the friend's own link page (signed, expiring)
//   link.order_number                the order number the friend sent while linking
//   vars.<name>                      the scenario step's `vars` (e.g. vars.coupon_code)
// The linking replies (link_ask_phone, link_done, link_failed, link_taken, link_cooldown,
// link_expired, unlink_done, unlink_not_linked) get shop, friend.display_name and
// link.order_number only.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace musubi::templates {

struct TemplateError {
    std::string file;      // the template file
    std::string message;   // what is wrong, in words a store clerk understands
    std::string hint;      // what to write instead
    int line = 0;          // 1-based, 0 when the error is not at one place in the file
    int column = 0;        // 1-based, in characters
    std::string path = {}; // the rendered messages' property, e.g. "messages[0].text"; may be ""

    // "file:line:col: message; hint", the form --check-config prints.
    std::string to_string() const;
};

class TemplateSet {
public:
    // Reads every *.txt and *.json in `folder`. Errors name the file (and line:col for JSON).
    static tl::expected<TemplateSet, std::vector<TemplateError>>
    load(const std::filesystem::path& folder);

    bool contains(std::string_view name) const;
    std::vector<std::string> names() const; // sorted

    // The messages (a JSON array of 1..5 LINE message objects) that template `name` renders
    // to with `context`; an error when the template is unknown, does not render, or breaks one
    // of LINE's limits (the message names the JSON path, the count and the limit, e.g.
    // "messages[0].text is 5,012 characters; LINE allows 5,000"). Safe to call from several
    // threads at once.
    tl::expected<nlohmann::json, TemplateError> render(std::string_view name,
                                                       const nlohmann::json& context) const;

    // A context with sample values for every member above, for --check-config.
    static nlohmann::json sample_context();
    // The same with every member the daemon may leave empty for some friend or order left
    // empty as it would be (an unlinked friend's buyer.given_name, a parcel without
    // shipping.tracking_url, an order whose total is not fixed, …), so that --check-config
    // also sees what such a friend would be sent.
    // `link_page`: false when linking.page_url is not set, so link.url is empty too.
    static nlohmann::json sparse_sample_context(bool link_page = true);
    // The members sparse_sample_context() leaves empty, e.g. "shipping.tracking_url".
    static const std::vector<std::string>& sparse_members();
    // Where property `path` of template `name`'s rendered messages is written: the file and
    // line:col (0:0 for a .txt, or a property not found in the file), as a TemplateError with
    // an empty message.
    TemplateError locate(std::string_view name, const std::string& path) const;
    // The value as written in template `name` at a rendered message's property `path`
    // ("messages[0].template.actions[0].uri"), or null (a .txt, or no such member).
    const nlohmann::json* source_value(std::string_view name, const std::string& path) const;

    // Like render, but every broken limit instead of the first (for --check-config).
    std::vector<TemplateError> check(std::string_view name, const nlohmann::json& context) const;
    // Each {{name}} in template `name` that `sample` has no value for (for --check-config,
    // with sample_context(): a misspelt name would render as an empty gap).
    std::vector<TemplateError> check_names(std::string_view name,
                                           const nlohmann::json& sample) const;

private:
    struct Template {
        std::filesystem::path file;
        bool is_json = false;
        std::string source;   // the text of a .txt (BOM removed, CRLF made LF) or a .json
        nlohmann::json value; // the parsed .json
    };
    // The messages before LINE's limits are checked.
    tl::expected<nlohmann::json, TemplateError>
    render_unchecked(const Template& tpl, const nlohmann::json& context) const;
    const Template* find(std::string_view name) const;
    // line and column of property `path` of the rendered messages in the template's file.
    static std::pair<int, int> place_of_path(const Template& tpl, const std::string& path);
    TemplateError unknown(std::string_view name) const;

    std::filesystem::path m_folder;
    std::map<std::string, Template, std::less<>> m_templates;
};

} // namespace musubi::templates
