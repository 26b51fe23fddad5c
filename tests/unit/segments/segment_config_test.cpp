// segments.yaml as store staff write it: the shipped file loads, and each kind of mistake is
// reported with file:line:col and what to write instead.

#include <boost/test/unit_test.hpp>

#include "daemon/segments/segment_config.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;

namespace {

// Loads `text` as segments.yaml; answers the diagnostics as one text ("" when it loaded).
std::string errors_of(const std::string& text) {
    test::TempDir dir;
    dir.write("segments.yaml", text);
    auto loaded = segments::load_segments(dir / "segments.yaml", "config/segments.yaml");
    return loaded ? std::string() : loaded.error().to_string();
}

std::vector<segments::Segment> load(const std::string& text) {
    test::TempDir dir;
    dir.write("segments.yaml", text);
    auto loaded = segments::load_segments(dir / "segments.yaml", "config/segments.yaml");
    BOOST_REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().to_string()));
    return *loaded;
}

} // namespace

BOOST_AUTO_TEST_SUITE(segment_config)

BOOST_AUTO_TEST_CASE(the_shipped_file_loads_in_order) {
    auto loaded = segments::load_segments(std::filesystem::path(MUSUBI_SOURCE_DIR) / "config" /
                                              "segments.yaml",
                                          "config/segments.yaml");
    BOOST_REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().to_string()));
    std::vector<std::string> names;
    for (const auto& segment : *loaded) {
        names.push_back(segment.name);
    }
    const std::vector<std::string> expected{"vip", "vip-spend", "dormant", "linked", "guest"};
    BOOST_TEST(names == expected, boost::test_tools::per_element());
    BOOST_TEST(loaded->back().when.empty());
    BOOST_TEST(loaded->at(2).when.size() == 2U);
}

BOOST_AUTO_TEST_CASE(conditions_read_as_in_scenarios_plus_items) {
    const auto segments = load(R"(segments:
  - name: towel-fans
    description: タオルを買った方
    when:
      friend.tags: vip
      orders.items: {contains: [towel-01, towel-02]}
      orders.days_since_last: {lt: 30}
  - name: everyone
)");
    BOOST_REQUIRE_EQUAL(segments.size(), 2U);
    const auto& when = segments[0].when;
    BOOST_REQUIRE_EQUAL(when.size(), 3U);
    BOOST_TEST(segments[0].description == "タオルを買った方");
    BOOST_TEST(segments[0].where.line == 2);
    bool saw_items = false;
    for (const auto& condition : when) {
        if (condition.field == "orders.items") {
            saw_items = true;
            BOOST_TEST((condition.op == config::ConditionOp::contains));
            const auto* any = std::get_if<std::vector<std::string>>(&condition.value);
            BOOST_REQUIRE(any != nullptr);
            BOOST_TEST(any->size() == 2U);
            BOOST_TEST(condition.where.line == 6);
        }
        if (condition.field == "orders.days_since_last") {
            BOOST_TEST(condition.where.line == 7);
            BOOST_TEST(condition.where.column == 32);
        }
    }
    BOOST_TEST(saw_items);
}

BOOST_AUTO_TEST_CASE(an_unknown_field_is_named_with_a_suggestion) {
    BOOST_TEST(errors_of(R"(segments:
  - name: vip
    when:
      orders.cont: {gte: 5}
)") == "config/segments.yaml:4:7: unknown condition field 'orders.cont'; did you mean "
       "'orders.count'? fields are: friend.linked, friend.tags, friend.days_since_follow, "
       "friend.inflow_source, orders.count, orders.total_spent, orders.days_since_last, "
       "reviews.count, orders.items\n");
}

BOOST_AUTO_TEST_CASE(a_field_about_one_order_is_refused) {
    BOOST_TEST(errors_of(R"(segments:
  - name: big
    when:
      order.total: {gte: 10000}
)") == "config/segments.yaml:4:7: 'order.total' is about one order and cannot decide a "
       "segment; use a field about the friend's orders overall: orders.count, "
       "orders.total_spent, orders.days_since_last or orders.items\n");
}

BOOST_AUTO_TEST_CASE(a_bad_operator_and_value_are_reported_as_in_scenarios) {
    BOOST_TEST(errors_of(R"(segments:
  - name: vip
    when:
      orders.count: {atleast: 5}
      orders.total_spent: {gte: lots}
)") == "config/segments.yaml:4:22: 'atleast' is not an operator for 'orders.count'; "
       "operators for this field are: eq, ne, gt, gte, lt, lte, e.g. orders.count: {gte: "
       "3000}\n"
       "config/segments.yaml:5:33: 'lots' is not a whole number; write a whole number "
       "without units or commas, e.g. 3000\n");
}

BOOST_AUTO_TEST_CASE(names_must_be_unique_and_well_formed) {
    BOOST_TEST(errors_of(R"(segments:
  - name: vip
    when: {orders.count: {gte: 5}}
  - name: vip
    when: {friend.linked: true}
  - name: VIP Customers
)") == "config/segments.yaml:4:11: segment 'vip' is already defined on line 2; give each "
       "segment its own name\n"
       "config/segments.yaml:6:11: 'VIP Customers' is not a valid segment name; use "
       "lower-case letters, digits, '_' and '-', e.g. vip or no-order-90d\n");
}

BOOST_AUTO_TEST_CASE(a_catch_all_must_come_last) {
    BOOST_TEST(errors_of(R"(segments:
  - name: guest
  - name: vip
    when: {orders.count: {gte: 5}}
)") == "config/segments.yaml:3:11: segment 'vip' can never match: 'guest' above it has no "
       "conditions and takes every friend left; move 'guest' to the end of the list, or "
       "give it 'when:'\n");
}

BOOST_AUTO_TEST_CASE(unknown_keys_and_missing_names_are_reported) {
    BOOST_TEST(errors_of(R"(segments:
  - name: vip
    wehn: {orders.count: {gte: 5}}
  - description: no name
)") == "config/segments.yaml:3:5: unknown key 'wehn' in 'segments'; did you mean 'when'? "
       "valid keys are: name, description, when\n"
       "config/segments.yaml:4:5: missing required key 'name' in 'segments'; add a line "
       "'name: <name>'\n");
}

BOOST_AUTO_TEST_CASE(the_file_must_hold_a_list_of_segments) {
    BOOST_TEST(errors_of("segment:\n  - name: vip\n") ==
               "config/segments.yaml:1:1: unknown key 'segment'; did you mean 'segments'?\n"
               "config/segments.yaml:1:1: missing 'segments:'; start the file with 'segments:' "
               "and list one '- name: ...' per segment below it\n");
    BOOST_TEST(errors_of("segments:\n  vip: {}\n") ==
               "config/segments.yaml:2:3: expected a list of segments, found a mapping (key: "
               "value lines); write one segment per item, e.g. '  - name: guest'; to use no "
               "segments, remove 'segments:' from musubi.yaml\n");
    BOOST_TEST(
        errors_of("segments: [\n").find("config/segments.yaml:2:1: this is not valid YAML") == 0U);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_named) {
    auto loaded = segments::load_segments("/nonexistent/segments.yaml", "segments.yaml");
    BOOST_REQUIRE(!loaded);
    BOOST_TEST(loaded.error().to_string() ==
               "segments.yaml: cannot read the file (No such file or directory); check the path "
               "given as 'segments:' in musubi.yaml and that the musubi service may read it\n");
}

BOOST_AUTO_TEST_SUITE_END()
