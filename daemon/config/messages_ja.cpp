#include "daemon/config/messages_ja.hpp"

#include <cstdlib>
#include <functional>
#include <map>
#include <regex>
#include <vector>

#include "daemon/config/diagnostics.hpp"

namespace musubi::config {

namespace {

// One English shape and how to say it in Japanese. `say` gets the captures (1-based).
struct Shape {
    std::regex english;
    std::function<std::string(const std::smatch&)> say;
};

// "{1} と {2}" with the captures put in; names staff typed pass through unchanged.
std::string fill(std::string_view pattern, const std::smatch& match) {
    std::string text;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}' &&
            pattern[i + 1] >= '1' && pattern[i + 1] <= '9') {
            text += match[static_cast<std::size_t>(pattern[i + 1] - '0')].str();
            i += 2;
        } else {
            text += pattern[i];
        }
    }
    return text;
}

Shape shape(const char* english, const char* japanese) {
    return {std::regex(english), [japanese](const std::smatch& m) { return fill(japanese, m); }};
}

// Words that come from a fixed list inside the English sentence.
std::string lookup(const std::map<std::string, std::string>& words, const std::string& english) {
    const auto found = words.find(english);
    return found == words.end() ? english : found->second;
}

// describe_node() in read_context.hpp: what was found.
std::string found_ja(const std::string& english) {
    static const std::map<std::string, std::string> words{
        {"a list", "リスト"},
        {"a mapping (key: value lines)", "「キー: 値」の組"},
        {"a single value", "1つの値"},
    };
    if (english == "nothing") {
        return "何も書かれていません";
    }
    return lookup(words, english) + "が書かれています";
}

// The "what" of expect_scalar() and the containers: what belongs there.
std::string expected_ja(const std::string& english) {
    static const std::map<std::string, std::string> words{
        {"a text", "テキスト"},
        {"a whole number", "整数"},
        {"true or false", "true か false"},
        {"a duration", "期間"},
        {"a time of day", "時刻"},
        {"a time window", "時間帯"},
        {"a URL", "URL"},
        {"a path", "パス"},
        {"a listen address", "待ち受けアドレス（ホスト:ポート）"},
        {"one of the words below", "決められた語のどれか"},
        {"a name", "名前"},
        {"a list", "リスト"},
        {"a mapping", "「名前: 値」の組"},
        {"conditions", "条件"},
        {"a segment", "セグメント"},
    };
    return lookup(words, english);
}

// Section type names in "add a line 'key: <type>'".
std::string type_ja(const std::string& english) {
    static const std::map<std::string, std::string> words{
        {"text", "テキスト"},
        {"whole number", "整数"},
        {"duration", "期間"},
        {"time of day", "時刻"},
        {"time window", "時間帯"},
        {"path", "パス"},
        {"listen address", "ホスト:ポート"},
        {"name", "名前"},
        {"template name", "テンプレート名"},
    };
    static const std::regex settings("'(.+)' settings");
    std::smatch match;
    if (std::regex_match(english, match, settings)) {
        return "'" + match[1].str() + "' の設定";
    }
    return lookup(words, english);
}

// strerror() texts a clerk meets when a file is missing or protected.
std::string errno_ja(const std::string& english) {
    static const std::map<std::string, std::string> words{
        {"No such file or directory", "ファイルがありません"},
        {"Permission denied", "読む権限がありません"},
        {"Is a directory", "ファイルではなくフォルダーです"},
    };
    return lookup(words, english);
}

// Why a secret is needed (schema.cpp check_config).
std::string why_ja(const std::string& english) {
    static const std::map<std::string, std::string> words{
        {"needed while rakuten.enabled is true", "rakuten.enabled が true のあいだは必要です"},
        {"webhooks cannot be checked without it",
         "これがないと LINE からの Webhook を確かめられません"},
        {"needed with token_mode: long_lived", "token_mode: long_lived では必要です"},
        {"needed with token_mode: stateless", "token_mode: stateless では必要です"},
        {"buyers' e-mail and phone numbers are hashed with it",
         "購入者のメールアドレスと電話番号をこれでハッシュ化します"},
        {"the status page and operator API are protected by it",
         "ステータスページと運用 API をこれで守ります"},
    };
    return lookup(words, english);
}

// What check_tracking_url() found wrong with a URL's shape.
std::string url_problem_ja(const std::string& english) {
    static const std::map<std::string, std::string> words{
        {"it does not start with https://", "https:// で始まっていません"},
        {"it contains a space or a control character", "空白か制御文字が入っています"},
        {"it contains non-ASCII characters (percent-encode them)",
         "半角英数字と記号以外の文字が入っています（%エンコードしてください）"},
        {"it has no host name after https://", "https:// のあとにホスト名がありません"},
    };
    static const std::regex character("it contains the character (.)");
    static const std::regex host("its host name '(.*)' is not a host name");
    std::smatch match;
    if (std::regex_match(english, match, character)) {
        return "使えない文字 " + match[1].str() + " が入っています";
    }
    if (std::regex_match(english, match, host)) {
        return "ホスト名 '" + match[1].str() + "' が正しくありません";
    }
    return lookup(words, english);
}

const std::vector<Shape>& message_shapes() {
    static const std::vector<Shape> shapes = [] {
        std::vector<Shape> s;
        // in_groups (scenario_schema.cpp, issue 17)
        s.push_back(shape(
            R"re('when' cannot be used with 'in_groups: true': a group chat has no friend or order to check)re",
            "'in_groups: true' のシナリオには 'when' を書けません（グループには条件を調べる友だ"
            "ちも注文もありません）"));
        s.push_back(shape(
            R"re(a step of a scenario with 'in_groups: true' cannot wait \('after', 'at' or 'on'\): a group chat is answered only by the reply token, which lives about a minute)re",
            "'in_groups: true' のシナリオのステップは待てません（'after'・'at'・'on'）。グルー"
            "プには約1分だけ有効な応答トークンでしか返信しません"));
        s.push_back(shape(
            R"re(\{\{(.+)\}\} cannot be used in a reply into a group chat: scenario '(.+)' has 'in_groups: true' and everyone in the group would see it)re",
            "グループへの返信には {{{1}}} を使えません（シナリオ '{2}' は 'in_groups: true' "
            "で、グループの全員に見えます）"));
        // Keys (section.hpp)
        s.push_back(
            shape(R"re(unknown key '(.+)' in '(.+)')re", "'{2}' に '{1}' というキーはありません"));
        s.push_back(shape(R"re(key '(.+)' appears twice in '(.+)')re",
                          "'{2}' にキー '{1}' が2回書かれています"));
        s.push_back(shape(R"re(missing required key '(.+)' in '(.+)')re",
                          "'{2}' に必要なキー '{1}' がありません"));
        s.push_back({std::regex(R"re(expected the '(.+)' settings as a mapping, found (.+))re"),
                     [](const std::smatch& m) {
                         return "'" + m[1].str() + "' の設定は「キー: 値」の形で書きますが、" +
                                found_ja(m[2].str());
                     }});
        // Values (value_types.*, duration.cpp, time_window.cpp)
        s.push_back({std::regex(R"re(expected (.+), found (.+))re"), [](const std::smatch& m) {
                         return "ここには" + expected_ja(m[1].str()) + "を書きます（いまは" +
                                found_ja(m[2].str()) + "）";
                     }});
        s.push_back(shape(R"re('(.+)' is not a valid value)re", "'{1}' はここでは使えない値です"));
        s.push_back(shape(R"re('(.+)' is not a whole number)re", "'{1}' は整数ではありません"));
        s.push_back(shape(R"re('(.+)' is out of range \(0 to 3650d\))re",
                          "'{1}' は長すぎます（0 から 3650d まで）"));
        s.push_back(shape(R"re('(.+)' is out of range)re", "'{1}' は使える範囲の外です"));
        s.push_back(
            shape(R"re('(.+)' is not true or false)re", "'{1}' は true でも false でもありません"));
        s.push_back(shape(R"re(an empty value is not a duration)re", "期間が空です"));
        s.push_back(shape(R"re('(.+)' is not a duration)re", "'{1}' は期間として読めません"));
        s.push_back(shape(R"re('(.+)' is too short)re", "'{1}' は短すぎます"));
        s.push_back(shape(R"re('(.+)' is not a time of day \(00:00 to 23:59\))re",
                          "'{1}' はありえない時刻です（00:00〜23:59）"));
        s.push_back(shape(R"re('(.+)' is not a time of day)re", "'{1}' は時刻として読めません"));
        s.push_back(shape(R"re('(.+)' is not a time window)re", "'{1}' は時間帯として読めません"));
        s.push_back(
            shape(R"re('(.+)' is an empty window \(it starts and ends at the same time\))re",
                  "'{1}' は始まりと終わりが同じ時刻なので、送れる時間がありません"));
        // webhook.forward (schema.cpp)
        s.push_back(shape(R"re(the URL '(.+)' is in webhook\.forward twice)re",
                          "URL '{1}' が webhook.forward に2回書かれています"));
        s.push_back(shape(R"re('(.+)' is not an http\(s\) URL)re",
                          "'{1}' は http:// か https:// で始まる URL ではありません"));
        s.push_back(shape(R"re('(.+)' is not host:port with a port from 0 to 65535)re",
                          "'{1}' は「ホスト:ポート」の形ではないか、ポートが 0〜65535 の外です"));
        s.push_back(
            shape(R"re('(.+)' is not host:port)re", "'{1}' は「ホスト:ポート」の形ではありません"));
        s.push_back(shape(R"re(this value must not be empty)re", "この値は空にできません"));
        s.push_back(shape(R"re(the path must not be empty)re", "パスが空です"));
        s.push_back(shape(R"re('(.+)' is not a valid name)re", "'{1}' は名前として使えません"));
        // Files (loader.cpp)
        s.push_back(shape(R"re(this is not valid YAML \((.*)\))re",
                          "YAML の書き方がまちがっています（{1}）"));
        s.push_back({std::regex(R"re(cannot read the file \((.*)\))re"), [](const std::smatch& m) {
                         return "ファイルを読めません（" + errno_ja(m[1].str()) + "）";
                     }});
        s.push_back(shape(R"re(the configuration must be a mapping of sections)re",
                          "設定ファイルは「セクション名:」とその下のキーの形で書きます"));
        s.push_back(shape(R"re(a scenario file must hold one scenario as a mapping)re",
                          "シナリオのファイルには、1つのシナリオを「キー: 値」の形で書きます"));
        s.push_back(shape(R"re(scenario '(.+)' is also defined in (.+))re",
                          "シナリオ '{1}' は {2} にもあります"));
        // Secrets (secret_reader.cpp, schema.cpp)
        s.push_back(shape(R"re(cannot read the secret file '(.+)')re",
                          "秘密情報のファイル '{1}' を読めません"));
        s.push_back(
            shape(R"re(the secret file '(.+)' is empty)re", "秘密情報のファイル '{1}' が空です"));
        s.push_back(shape(R"re(both '(.+)' and '(.+)' are set)re",
                          "'{1}' と '{2}' の両方が書かれています"));
        s.push_back(shape(R"re('(.+)' must be the secret as one line of text)re",
                          "'{1}' には秘密情報を1行のテキストで書きます"));
        s.push_back(
            shape(R"re('(.+)' must be a file path)re", "'{1}' にはファイルのパスを書きます"));
        s.push_back(
            {std::regex(R"re(missing '(.+)' in '(.+)' \((.+)\))re"), [](const std::smatch& m) {
                 return "'" + m[2].str() + "' に '" + m[1].str() + "' がありません（" +
                        why_ja(m[3].str()) + "）";
             }});
        s.push_back(shape(R"re('(.+)' in '(.+)' is shorter than 32 characters)re",
                          "'{2}' の '{1}' が32文字より短いです"));
        // Scenarios (scenario_schema.cpp, conditions.cpp)
        s.push_back(
            shape(R"re(no template '(.+)' \(looked for (.+)\.txt and (.+)\.json in (.*)\))re",
                  "テンプレート '{1}' がありません（{4} の中で {2}.txt と {3}.json "
                  "を探しました）"));
        s.push_back(
            shape(R"re(unknown condition field '(.+)')re", "'{1}' という条件の項目はありません"));
        s.push_back(shape(R"re('(.+)' is not an operator for '(.+)')re",
                          "'{1}' は '{2}' に使える比べ方ではありません"));
        s.push_back(
            shape(R"re(scenario '(.+)' has no steps)re", "シナリオ '{1}' にステップがありません"));
        s.push_back(
            shape(R"re(two steps are named '(.+)')re", "'{1}' という名前のステップが2つあります"));
        s.push_back(shape(
            R"re(a step can wait in one way only, but this one has more than one of 'after', 'at' and 'on')re",
            "1つのステップの待ち方は1つだけですが、'after'、'at'、'on' のうち2つ以上が"
            "書かれています"));
        s.push_back(shape(R"re(a step that waits for a fact needs 'within')re",
                          "出来事を待つステップ（'on'）には 'within' が必要です"));
        s.push_back(shape(R"re(this step does nothing)re", "このステップは何もしません"));
        s.push_back(shape(R"re('(.+)' only goes with '(.+)')re",
                          "'{1}' は '{2}' と一緒のときだけ使えます"));
        s.push_back(shape(R"re('cooldown' has no effect with 'reentry: once')re",
                          "'reentry: once' では 'cooldown' は効きません"));
        s.push_back(shape(
            R"re('reentry: per_subject' needs a trigger about an order, but '(.+)' has no order)re",
            "'reentry: per_subject' は注文についてのトリガーで使います（'{1}' "
            "には注文がありません）"));
        s.push_back(shape(
            R"re('(.+)' needs a trigger about an order, but this scenario's trigger is '(.+)')re",
            "'{1}' は注文についてのトリガーで使う項目ですが、このシナリオのトリガー"
            "は '{2}' です"));
        // Segments (daemon/segments/segment_config.cpp, issue 7)
        s.push_back(shape(R"re('(.+)' is not a valid segment name)re",
                          "'{1}' はセグメントの名前として使えません"));
        s.push_back(shape(R"re('(.+)' is about one order and cannot decide a segment)re",
                          "'{1}' は1つの注文についての項目なので、セグメントには使えません"));
        s.push_back(shape(R"re(segment '(.+)' is already defined on line (\d+))re",
                          "セグメント '{1}' は {2} 行目にもあります"));
        s.push_back(shape(
            R"re(segment '(.+)' can never match: '(.+)' above it has no conditions and takes every friend left)re",
            "セグメント '{1}' には誰も入りません（上の '{2}' "
            "に条件がなく、残りの全員が入るため）"));
        s.push_back(shape(R"re(the segments file must be a mapping with 'segments:')re",
                          "セグメントのファイルは 'segments:' で始めます"));
        // Carriers (daemon/rakuten/carriers.cpp, issue 18)
        s.push_back(
            {std::regex(R"re(tracking_url of carrier '(.+)' is not a well-formed URL: (.+))re"),
             [](const std::smatch& m) {
                 return "配送会社 '" + m[1].str() +
                        "' の tracking_url が正しい URL "
                        "ではありません（" +
                        url_problem_ja(m[2].str()) + "）";
             }});
        s.push_back(shape(
            R"re(tracking_url of carrier '(.+)' has a placeholder other than \{tracking_number\})re",
            "配送会社 '{1}' の tracking_url に {tracking_number} 以外の差し込み"
            "（{ } で囲んだ語）があります"));
        s.push_back(shape(
            R"re(tracking_url of carrier '(.+)' has \{tracking_number\} but the entry says search_page: true)re",
            "配送会社 '{1}' の tracking_url に {tracking_number} がありますが、search_page: true "
            "（検索ページへのリンク）とも書かれています"));
        s.push_back(shape(R"re(tracking_url of carrier '(.+)' has no \{tracking_number\})re",
                          "配送会社 '{1}' の tracking_url に追跡番号の差し込み {tracking_number} "
                          "がありません"));
        s.push_back(
            shape(R"re(tracking_url of carrier '(.+)' has \{tracking_number\} more than once)re",
                  "配送会社 '{1}' の tracking_url に {tracking_number} が2つ以上あります"));
        s.push_back(shape(R"re(unknown key '(.+)')re", "'{1}' というキーはありません"));
        // Templates: what LINE would refuse (daemon/templates/message_limits.cpp, issue 17)
        s.push_back(shape(R"re((\S+) is empty; LINE requires a link)re",
                          "{1} が空です（LINE ではリンクが必要です）"));
        s.push_back(shape(R"re((\S+) is empty; LINE requires an https:// URL)re",
                          "{1} が空です（LINE では https:// の URL が必要です）"));
        s.push_back(shape(R"re((\S+) is empty; LINE requires at least ([\d,]+) characters?)re",
                          "{1} が空です（LINE では {2} 文字以上が必要です）"));
        s.push_back(shape(R"re((\S+) is empty; LINE requires 1 to (\d+) characters)re",
                          "{1} が空です（LINE では 1〜{2} 文字です）"));
        s.push_back(shape(R"re((\S+) is missing; LINE requires it)re",
                          "{1} がありません（LINE では必須です）"));
        s.push_back(shape(R"re((\S+) is ([\d,]+) characters; LINE allows ([\d,]+))re",
                          "{1} は {2} 文字です（LINE では {3} 文字まで）"));
        s.push_back(shape(R"re((\S+) is ([\d,]+) characters; LINE allows ([\d,]+) (.+))re",
                          "{1} は {2} 文字です（LINE では {3} 文字まで: {4}）"));
        s.push_back(shape(R"re((\S+) (\S+) works only in a quick reply)re",
                          "{1} の {2} はクイックリプライの中でしか使えません"));
        s.push_back(shape(R"re((\S+) richmenuswitch works only in a rich menu)re",
                          "{1} の richmenuswitch はリッチメニューの中でしか使えません"));
        s.push_back(shape(R"re((\S+) contains (.+), which a (?:URL|link) cannot hold)re",
                          "{1} に URL に使えない文字 {2} が入っています"));
        s.push_back(shape(
            R"re((\S+) is (.+); LINE accepts only links that start with http://, https://, line:// or tel:)re",
            "{1} は {2} です。LINE が開けるのは http://、https://、line://、tel: で始まるリンクだけ"
            "です"));
        s.push_back(shape(R"re((\S+) is (.+); LINE requires an https:// URL)re",
                          "{1} は {2} です（LINE では https:// の URL が必要です）"));
        s.push_back(shape(R"re((\S+)\.type '(.+)' is not a flex component type)re",
                          "{1}.type の '{2}' は Flex のコンポーネントの種類ではありません"));
        s.push_back(shape(R"re((\S+)\.type '(.+)' is not a LINE action type)re",
                          "{1}.type の '{2}' は LINE のアクションの種類ではありません"));
        s.push_back(shape(R"re((\S+) must be a box)re", "{1} はボックス（box）にしてください"));
        s.push_back(shape(R"re((\S+) has (\d+) buttons; LINE allows 1 to 13)re",
                          "{1} のボタンは {2} 個です（LINE では 1〜13 個）"));
        // LINE's own verdict (--check-config --online); LINE's words stay as LINE wrote them.
        s.push_back(
            shape(R"re(LINE refused (\S+): (.*))re", "LINE が {1} を受け付けませんでした: {2}"));
        s.push_back(
            shape(R"re(LINE refused (.+?): (.*))re", "LINE が {1} を受け付けませんでした: {2}"));
        return s;
    }();
    return shapes;
}

const std::vector<Shape>& hint_shapes() {
    static const std::vector<Shape> shapes = [] {
        std::vector<Shape> s;
        // in_groups (scenario_schema.cpp, issue 17)
        s.push_back(shape(
            R"re(add 'keywords: \[\.\.\.\]' \(with 'trigger: friend\.message'\) or remove 'in_groups')re",
            "'keywords: [...]' を（'trigger: friend.message' と一緒に）書くか、'in_groups' を消"
            "してください"));
        s.push_back(shape(R"re(write a separate scenario without 'in_groups' for the conditions)re",
                          "条件は 'in_groups' のない別のシナリオに書いてください"));
        s.push_back(shape(R"re(remove the wait from this step, or remove 'in_groups')re",
                          "このステップの待ちを消すか、'in_groups' を消してください"));
        s.push_back(shape(
            R"re(use only \{\{shop\.name\}\} and \{\{vars\.<name>\}\} here, or give the group scenario its own template)re",
            "ここでは {{shop.name}} と {{vars.<名前>}} だけを使うか、グループ用のシナリオに専用の"
            "テンプレートを用意してください"));
        // Keys
        s.push_back(shape(R"re(valid keys are: (.*))re", "使えるキー: {1}"));
        s.push_back(shape(R"re(keep one of them; only one value can be used)re",
                          "どちらか1つを残してください（使える値は1つだけです）"));
        s.push_back({std::regex(R"re(add a line '(.+): <(.+)>')re"), [](const std::smatch& m) {
                         return "'" + m[1].str() + ": <" + type_ja(m[2].str()) +
                                ">' の行を追加してください";
                     }});
        s.push_back(shape(R"re(write one "key: value" per line below '(.+):')re",
                          "'{1}:' の下に「キー: 値」を1行に1つずつ書いてください"));
        // Values
        s.push_back(shape(R"re(write one of: (.*))re", "次のどれかを書いてください: {1}"));
        s.push_back(
            shape(R"re(write the text after the colon, in quotes if it contains ':' or '#')re",
                  "コロンのあとにテキストを書いてください（':' や '#' を含むときは引用符で囲み"
                  "ます）"));
        s.push_back(
            shape(R"re(write a value after the colon)re", "コロンのあとに値を書いてください"));
        s.push_back(shape(
            R"re(write a whole number from (-?\d+) to (-?\d+) without units or commas, e\.g\. (-?\d+))re",
            "{1} から {2} までの整数を、単位やカンマを付けずに書いてください（例: {3}）"));
        s.push_back(shape(R"re(write a whole number without units or commas, e\.g\. (-?\d+))re",
                          "整数を、単位やカンマを付けずに書いてください（例: {1}）"));
        s.push_back(shape(R"re(write true or false)re", "true か false を書いてください"));
        s.push_back(shape(
            R"re(write a number and a unit, e\.g\. 90m, 3d or 1h30m \(units: ms, s, m, h, d, w\))re",
            "数と単位を続けて書いてください（例: 90m、3d、1h30m。単位: ms=ミリ秒, s=秒, "
            "m=分, h=時間, d=日, w=週）"));
        s.push_back(shape(R"re(write at least (.+))re", "{1} 以上にしてください"));
        s.push_back(shape(R"re(write a JST time as HH:MM, e\.g\. "10:00")re",
                          "日本時間を HH:MM の形で書いてください（例: \"10:00\"）"));
        s.push_back(shape(
            R"re(write a JST window as "HH:MM-HH:MM", e\.g\. "10:00-20:00" \("21:00-08:00" crosses midnight\))re",
            "日本時間の時間帯を \"HH:MM-HH:MM\" の形で書いてください（例: \"10:00-20:00\"。"
            "\"21:00-08:00\" は夜中の0時をまたぎます）"));
        s.push_back(shape(
            R"re(write a URL starting with https:// \(or http:// for the simulator\), e\.g\. https://api\.line\.me)re",
            "https:// で始まる URL を書いてください（シミュレーターでは http://）。例: "
            "https://api.line.me"));
        // webhook.forward (schema.cpp)
        s.push_back(shape(
            R"re(write the other tool's webhook URL as set in the LINE Developers console before, e\.g\. https://other-tool\.example/callback)re",
            "もう一つのツールの Webhook URL（これまで LINE Developers コンソールに設定していた"
            "もの）を書いてください（例: https://other-tool.example/callback）"));
        s.push_back(
            shape(R"re(write each URL once; list all its event types under one 'events:')re",
                  "URL は1回だけ書き、イベントの種類はまとめて1つの 'events:' に並べてください"));
        s.push_back(shape(
            R"re(write a file path, e\.g\. /var/lib/musubi/musubi\.db \(a relative path is taken from the folder of this file\))re",
            "ファイルのパスを書いてください（例: /var/lib/musubi/musubi.db。相対パスはこの"
            "ファイルのあるフォルダーから数えます）"));
        s.push_back(shape(
            R"re(write host:port, e\.g\. 127\.0\.0\.1:8080, 0\.0\.0\.0:8080 or \[::1\]:8080)re",
            "ホスト:ポートの形で書いてください（例: 127.0.0.1:8080、0.0.0.0:8080、"
            "[::1]:8080）"));
        s.push_back(
            shape(R"re(use lower-case letters, digits, '_' and '-', e\.g\. review-request)re",
                  "小文字の英字・数字・'_'・'-' で書いてください（例: review-request）"));
        s.push_back(shape(R"re(write one item per line, each starting with "- ")re",
                          "1行に1つずつ、\"- \" で始めて書いてください"));
        s.push_back(shape(R"re(write one "name: value" per line)re",
                          "「名前: 値」を1行に1つずつ書いてください"));
        // Files
        s.push_back(shape(
            R"re(check the indentation \(spaces, not tabs\) and put text that contains ': ' or ' #' in quotes)re",
            "字下げ（インデント）はタブではなくスペースでそろえ、': ' や ' #' を含むテキストは"
            "引用符で囲んでください"));
        s.push_back(shape(R"re(check the path and that the musubi service may read it)re",
                          "パスが正しいか、musubi のサービスがそのファイルを読めるかを確かめてく"
                          "ださい"));
        s.push_back(
            shape(R"re(start with 'shop:' and the other sections, each followed by its keys)re",
                  "'shop:' などのセクション名を書き、その下にキーを書いてください"));
        s.push_back(shape(R"re(start the file with 'scenario: <name>')re",
                          "ファイルの最初に 'scenario: <名前>' と書いてください"));
        s.push_back(shape(R"re(give each scenario its own name)re",
                          "シナリオごとに別の名前を付けてください"));
        // Secrets
        s.push_back(shape(
            R"re(create it with the secret on one line, readable by the musubi service, or write the path of an existing file)re",
            "秘密情報を1行だけ書いたファイルを musubi のサービスが読める場所に作るか、すでに"
            "あるファイルのパスを書いてください"));
        s.push_back(shape(R"re(put the secret on the first line of the file)re",
                          "ファイルの1行目に秘密情報を書いてください"));
        s.push_back(shape(R"re(keep only one of them)re", "どちらか1つだけにしてください"));
        s.push_back(shape(
            R"re(write the value in quotes, or put it in a file and use '(.+)_file: /path')re",
            "値を引用符で囲んで書くか、ファイルに入れて '{1}_file: /path' と書いてください"));
        s.push_back(shape(R"re(write e\.g\. '(.+)')re", "例: '{1}' のように書いてください"));
        s.push_back(
            shape(R"re(add '(.+): \.\.\.' or '(.+)_file: /path' under '(.+):', or set \$(.+))re",
                  "'{3}:' の下に '{1}: ...' か '{2}_file: /path' を書くか、環境変数 "
                  "${4} を設定してください"));
        s.push_back(
            shape(R"re(add 'channel_id: <the channel ID from the LINE Developers console>')re",
                  "'channel_id: <LINE Developers コンソールのチャネルID>' を追加してくださ"
                  "い"));
        s.push_back(
            shape(R"re(use a long random value, e\.g\. the output of 'openssl rand -hex 32')re",
                  "長いランダムな値を使ってください（例: 'openssl rand -hex 32' の出力）"));
        // Scenarios
        s.push_back(shape(R"re(templates are: (.*))re", "あるテンプレート: {1}"));
        s.push_back(
            shape(R"re(create the template file)re", "テンプレートのファイルを作ってください"));
        s.push_back(shape(R"re(fields are: (.*))re", "使える項目: {1}"));
        s.push_back(shape(R"re(operators for this field are: (.+), e\.g\. (.+))re",
                          "この項目に使える比べ方: {1}（例: {2}）"));
        s.push_back(
            shape(R"re(write one condition per line, e\.g\. 'order\.total: \{gte: 3000\}')re",
                  "条件を1行に1つずつ書いてください（例: 'order.total: {gte: 3000}'）"));
        s.push_back(shape(R"re(add 'steps:' with at least one step that sends a template)re",
                          "'steps:' を書き、テンプレートを送るステップを1つ以上入れてください"));
        s.push_back(
            shape(R"re(give each step its own name)re", "ステップごとに別の名前を付けてください"));
        s.push_back(shape(R"re(keep one; to wait and then wait again, write two steps)re",
                          "1つだけにしてください。待ってからさらに待つときは、ステップを2つに分け"
                          "ます"));
        s.push_back(shape(
            R"re(write 'on: <fact>' to wait for a fact for at most this long, or remove 'within')re",
            "出来事をこの長さまで待つなら 'on: <出来事>' を書き、そうでなければ 'within' を消"
            "してください"));
        s.push_back(
            shape(R"re(add e\.g\. 'within: 14d' so the step gives up when the fact never comes)re",
                  "出来事が来ないときにあきらめられるよう、'within: 14d' などを追加してください"));
        s.push_back(shape(
            R"re(add 'send: <template>', 'add_tags: \[\.\.\.\]' or 'remove_tags: \[\.\.\.\]')re",
            "'send: <テンプレート>'、'add_tags: [...]'、'remove_tags: [...]' のどれかを追加して"
            "ください"));
        s.push_back(shape(R"re(add 'send: <template>' or remove 'vars')re",
                          "'send: <テンプレート>' を追加するか、'vars' を消してください"));
        s.push_back(shape(R"re(change the trigger to (.+) or remove '(.+)')re",
                          "トリガーを {1} にするか、'{2}' を消してください"));
        s.push_back(
            shape(R"re(use 'reentry: per_subject' or 'reentry: always', or remove 'cooldown')re",
                  "'reentry: per_subject' か 'reentry: always' にするか、'cooldown' を消してく"
                  "ださい"));
        s.push_back(shape(R"re(use 'reentry: once' or 'reentry: always')re",
                          "'reentry: once' か 'reentry: always' にしてください"));
        // Segments (issue 7)
        s.push_back(shape(R"re(did you mean '(.+)'\?)re", "'{1}' のまちがいではありませんか？"));
        s.push_back(shape(R"re(the only key here is 'segments:')re",
                          "ここに書けるキーは 'segments:' だけです"));
        s.push_back(shape(R"re(move '(.+)' to the end of the list, or give it 'when:')re",
                          "'{1}' をいちばん最後に移すか、'when:' を付けてください"));
        s.push_back(shape(R"re(give each segment its own name)re",
                          "セグメントごとに別の名前を付けてください"));
        s.push_back(shape(R"re(use a friend\.\* or orders\.\* field, or an order trigger)re",
                          "friend.* か orders.* の項目を使うか、注文のトリガーにしてください"));
        // Templates (issue 17)
        s.push_back(shape(
            R"re(a variable in it may have rendered empty for this message; put fixed text around it, or give a fallback with \{\{\^name\}\}…\{\{/name\}\})re",
            "中の変数がこのメッセージでは空になったようです。前後に固定の文字を置くか、"
            "{{^name}}…{{/name}} で代わりの文字を書いてください"));
        s.push_back(shape(
            R"re(the variable that makes the link \(e\.g\. (.+)\) is empty for this message; give a fallback link with \{\{\^name\}\}https://…\{\{/name\}\})re",
            "リンクを作る変数（例: {1}）がこのメッセージでは空です。{{^name}}https://…"
            "{{/name}} で代わりのリンクを書いてください"));
        s.push_back(shape(R"re(add it to the template)re", "テンプレートに書き足してください"));
        s.push_back(shape(R"re(shorten it; a long variable value may be the cause)re",
                          "短くしてください。長い変数の値が原因のこともあります"));
        s.push_back(shape(
            R"re(shorten it \(LINE counts an emoji as 2 characters\); a long variable value may be the cause)re",
            "短くしてください（LINE は絵文字を2文字と数えます）。長い変数の値が原因のことも"
            "あります"));
        s.push_back(shape(R"re(shorten the button label)re", "ボタンの文字を短くしてください"));
        s.push_back(shape(
            R"re(put it in a quickReply item, or use a uri, message or postback action here)re",
            "quickReply の項目に入れるか、ここでは uri・message・postback のアクションを使って"
            "ください"));
        s.push_back(shape(
            R"re(percent-encode it \(a space is %20\); a variable in the (?:URL|link) may be the cause)re",
            "パーセントエンコードしてください（空白は %20）。URL の中の変数が原因のことも"
            "あります"));
        s.push_back(shape(R"re(write the full link, e\.g\. https://…)re",
                          "https://… のように完全なリンクを書いてください"));
        s.push_back(
            shape(R"re(use box, button, image, video, icon, text, span, separator or filler)re",
                  "box、button、image、video、icon、text、span、separator、filler の"
                  "どれかにしてください"));
        s.push_back(shape(R"re(use a postback or uri action in a message)re",
                          "メッセージでは postback か uri のアクションを使ってください"));
        s.push_back(shape(R"re(give the quick reply 1 to 13 items)re",
                          "クイックリプライの項目は 1〜13 個にしてください"));
        // Carriers (issue 18)
        s.push_back(shape(R"re(write the carrier's tracking page as a URL, e\.g\. (.+))re",
                          "配送会社の追跡ページを URL で書いてください（例: {1}）"));
        s.push_back(shape(R"re(write the placeholder exactly as \{tracking_number\})re",
                          "差し込みは {tracking_number} と正確に書いてください"));
        s.push_back(shape(
            R"re(remove 'search_page: true' \(the link opens the parcel's own page\) or remove \{tracking_number\} from the URL)re",
            "'search_page: true' を消す（荷物ごとのページを開くリンクになります）か、URL から "
            "{tracking_number} を消してください"));
        s.push_back(shape(
            R"re(put \{tracking_number\} where the parcel's number goes, e\.g\. (.+), or add 'search_page: true' if the carrier has no page per parcel)re",
            "追跡番号が入る場所に {tracking_number} と書いてください（例: {1}）。荷物ごとの"
            "ページがない配送会社なら 'search_page: true' を書き足してください（検索ページへの"
            "リンクになります）"));
        s.push_back(shape(R"re(keep one \{tracking_number\})re",
                          "{tracking_number} は1つだけにしてください"));
        s.push_back(shape(
            R"re(start the file with 'carriers:' and one entry per delivery company code below it)re",
            "ファイルの最初に 'carriers:' "
            "と書き、その下に配送会社コードごとに1行ずつ書いてください"));
        return s;
    }();
    return shapes;
}

std::optional<std::string> translate(const std::vector<Shape>& shapes, const std::string& text) {
    std::smatch match;
    for (const auto& candidate : shapes) {
        if (std::regex_match(text, match, candidate.english)) {
            return candidate.say(match);
        }
    }
    return std::nullopt;
}

bool starts_with_ja(const char* value) {
    return value != nullptr && value[0] == 'j' && value[1] == 'a' &&
           (value[2] == '\0' || value[2] == '_' || value[2] == '.' || value[2] == '@');
}

} // namespace

Language language_from_locale(const char* lc_all, const char* lc_messages, const char* lang) {
    for (const char* value : {lc_all, lc_messages, lang}) {
        if (value != nullptr && *value != '\0') {
            return starts_with_ja(value) ? Language::japanese : Language::english;
        }
    }
    return Language::english;
}

Language language_from_environment() {
    return language_from_locale(std::getenv("LC_ALL"), std::getenv("LC_MESSAGES"),
                                std::getenv("LANG"));
}

std::optional<std::string> message_in_japanese(std::string_view english) {
    // check_templates.cpp adds " (when {{a}} and {{b}} are empty)" to what only a friend
    // without those values would be sent.
    static const std::regex when_empty(R"re((.+) \(when (.+) (?:is|are) empty\))re");
    const std::string text(english);
    std::smatch match;
    if (std::regex_match(text, match, when_empty)) {
        const auto rest = translate(message_shapes(), match[1].str());
        if (!rest) {
            return std::nullopt;
        }
        const auto names = std::regex_replace(match[2].str(), std::regex("(, | and )"), "、");
        return *rest + "（" + names + " が空のとき）";
    }
    return translate(message_shapes(), text);
}

std::optional<std::string> hint_in_japanese(std::string_view english) {
    // "did you mean 'x'? " comes before any hint that lists the valid choices.
    static const std::regex did_you_mean(R"re(did you mean '(.+?)'\? (.*))re");
    const std::string text(english);
    std::smatch match;
    if (std::regex_match(text, match, did_you_mean)) {
        const auto rest = translate(hint_shapes(), match[2].str());
        if (!rest) {
            return std::nullopt;
        }
        return "'" + match[1].str() + "' のまちがいではありませんか？ " + *rest;
    }
    return translate(hint_shapes(), text);
}

std::string to_japanese(const Diagnostic& diagnostic) {
    std::string text = diagnostic.where.file;
    if (diagnostic.where.line > 0) {
        text += ':' + std::to_string(diagnostic.where.line) + ':' +
                std::to_string(diagnostic.where.column);
    }
    const auto message = message_in_japanese(diagnostic.message);
    text += ": " + message.value_or(diagnostic.message);
    if (!diagnostic.hint.empty()) {
        const auto hint = hint_in_japanese(diagnostic.hint);
        text += (message ? "。" : "; ") + hint.value_or(diagnostic.hint);
    }
    return text;
}

bool fully_translated(const Diagnostic& diagnostic) {
    return message_in_japanese(diagnostic.message).has_value() &&
           (diagnostic.hint.empty() || hint_in_japanese(diagnostic.hint).has_value());
}

std::string summary_line(std::size_t error_count, Language language) {
    if (language == Language::japanese) {
        return "設定に " + std::to_string(error_count) +
               " 件のまちがいがあります。何も変更・起動していません";
    }
    return std::to_string(error_count) + (error_count == 1 ? " error" : " errors") +
           " in the configuration; nothing was changed or started";
}

} // namespace musubi::config
