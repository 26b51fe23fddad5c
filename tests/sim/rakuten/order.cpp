#include "order.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace musubi::sim::rakuten {

bool is_progress_code(std::int64_t code) {
    return code >= 100 && code <= 900 && code % 100 == 0;
}

int Order::goods_price() const {
    int sum = 0;
    for (const auto& item : items) {
        sum += item.price * item.units;
    }
    return sum;
}

std::string delivery_company_name(const std::string& code) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 32> k_names{{
        {"1000", "その他"},
        {"1001", "ヤマト運輸"},
        {"1002", "佐川急便"},
        {"1003", "日本郵便"},
        {"1004", "西濃運輸"},
        {"1005", "セイノースーパーエクスプレス"},
        {"1006", "福山通運"},
        {"1007", "名鉄運輸"},
        {"1008", "トナミ運輸"},
        {"1009", "第一貨物"},
        {"1010", "新潟運輸"},
        {"1011", "中越運送"},
        {"1012", "岡山県貨物運送"},
        {"1013", "久留米運送"},
        {"1014", "山陽自動車運送"},
        {"1015", "NXトランスポート"},
        {"1016", "エコ配"},
        {"1017", "EMS"},
        {"1018", "DHL"},
        {"1019", "FedEx"},
        {"1020", "UPS"},
        {"1021", "日本通運"},
        {"1022", "TNT"},
        {"1023", "OCS"},
        {"1024", "USPS"},
        {"1025", "SFエクスプレス"},
        {"1026", "Aramex"},
        {"1027", "SGHグローバル・ジャパン"},
        {"1028", "Rakuten EXPRESS"},
        {"1029", "日本郵便 楽天倉庫出荷"},
        {"1030", "ヤマト運輸 クロネコゆうパケット"},
        {"1031", "名鉄NX運輸"},
    }};
    for (const auto& [known, name] : k_names) {
        if (known == code) {
            return std::string(name);
        }
    }
    return {};
}

} // namespace musubi::sim::rakuten
