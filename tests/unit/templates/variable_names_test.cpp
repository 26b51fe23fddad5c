#include <boost/test/unit_test.hpp>

#include "daemon/templates/template_set.hpp"
#include "daemon/templates/variable_names.hpp"

using musubi::templates::TemplateSet;
using musubi::templates::unknown_names;

BOOST_AUTO_TEST_SUITE(variable_names)

BOOST_AUTO_TEST_CASE(documented_names_are_known_inside_and_outside_sections) {
    const auto sample = TemplateSet::sample_context();
    const auto found = unknown_names("{{friend.display_name}} {{{shop.name}}}\n"
                                     "{{#order.items}}{{name}} {{price_text}} {{order.number}}"
                                     "{{/order.items}}{{#friend.tags}}{{.}}{{/friend.tags}}"
                                     "{{#friend.segments.gold}}{{/friend.segments.gold}}"
                                     "{{^friend.tag.新規}}{{vars.anything}}{{/friend.tag.新規}}"
                                     "{{! a comment }}",
                                     sample);
    BOOST_TEST(found.empty());
}

BOOST_AUTO_TEST_CASE(misspelt_names_are_found_with_a_suggestion) {
    const auto sample = TemplateSet::sample_context();
    const auto found = unknown_names(
        "{{order.numbr}} {{order.numbr}} {{#order.items}}{{nmae}}{{/order.items}} {{nmae}}",
        sample);
    BOOST_REQUIRE_EQUAL(found.size(), 2u);
    BOOST_TEST(found[0].name == "order.numbr");
    BOOST_TEST(found[0].suggestion == "order.number");
    BOOST_TEST(found[1].name == "nmae");
    BOOST_TEST(found[1].suggestion == "name");
}

BOOST_AUTO_TEST_CASE(item_members_are_unknown_outside_their_section) {
    const auto found = unknown_names("{{units}}", TemplateSet::sample_context());
    BOOST_REQUIRE_EQUAL(found.size(), 1u);
    BOOST_TEST(found[0].name == "units");
}

BOOST_AUTO_TEST_SUITE_END()
