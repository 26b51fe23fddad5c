#pragma once
// Message templates as store staff write them in templates/: `<name>.txt` is Mustache text
// that becomes one LINE text message; `<name>.json` is a LINE message object (or an array of
// up to 5), e.g. pasted from LINE's Flex Message Simulator, with {{…}} inside its strings.
// Values are JSON-escaped by construction. Rendering checks the result against LINE's limits,
// so a message LINE would refuse is caught when the outbox row is written, not when sent.
//
// The render context (a JSON object) has these members; a template may use any of them:
//   shop.name
//   friend.display_name, friend.linked (bool), friend.tags (list of names),
//   friend.tag.<name> (true for each tag), friend.segment (name), friend.segments.<name> (true)
//   buyer.given_name
//   order.number, order.total, order.total_text ("5,400円"), order.ordered_at ("2026年11月22日"),
//   order.items[] {name, manage_number, units, price, price_text}
//   shipping.carrier_name, shipping.tracking_number, shipping.tracking_url
//   review.rating, review.item_name
//   link.url (the friend's link page), link.order_number
//   vars.<name> (the scenario step's `vars`)

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace musubi::templates {

struct TemplateError {
    std::string file;    // the template file
    std::string message; // what is wrong, in words a store clerk understands
    std::string hint;    // what to write instead
};

class TemplateSet {
public:
    // Reads every *.txt and *.json in `folder`. Errors name the file (and line:col for JSON).
    static tl::expected<TemplateSet, std::vector<TemplateError>>
    load(const std::filesystem::path& folder);

    bool contains(std::string_view name) const;
    std::vector<std::string> names() const;

    // The messages (a JSON array of 1..5 LINE message objects) that template `name` renders
    // to with `context`; an error when the template is unknown, does not render, or breaks one
    // of LINE's limits (the message says which, e.g. "text is 5,012 characters; LINE allows
    // 5,000").
    tl::expected<nlohmann::json, TemplateError> render(std::string_view name,
                                                       const nlohmann::json& context) const;

    // A context with sample values for every member above, for --check-config.
    static nlohmann::json sample_context();

private:
    struct Template {
        std::filesystem::path file;
        bool is_json = false;
        std::string source;
    };
    std::map<std::string, Template, std::less<>> m_templates;
};

} // namespace musubi::templates
