#include "reviews.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <string_view>
#include <system_error>

namespace musubi::sim::rakuten {

namespace {

struct ReviewText {
    int rating;
    std::string_view title;
    std::string_view body;
};

constexpr std::array<ReviewText, 8> k_texts{{
    {5, "とても美味しかったです", "香りが良く、毎朝飲んでいます。また購入します。"},
    {5, "\"リピ決定\"です", "家族にも好評でした。\"また買って\"と言われました。"},
    {4, "満足です", "届くのも早く\n梱包も丁寧でした。"},
    {5, "ギフトに最適", "母の日に贈りました。喜んでもらえて良かったです。"},
    {3, "普通", "値段なりだと思います。"},
    {4, "丁寧な対応", "問い合わせへの返信が早く、安心して購入できました。"},
    {2, "少し残念", "味が思っていたより薄く、量も少なめでした。"},
    {5, "リピートしています", "三回目の購入です。品質が安定していて、いつも満足しています。"},
}};

std::string hex_block(std::mt19937_64& random) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%04x", unsigned(random() & 0xffff));
    return buffer;
}

} // namespace

std::vector<ReviewRow> make_reviews(const OrderStore& store,
                                    const std::vector<std::uint32_t>& orders,
                                    std::mt19937_64& random, EpochSeconds now,
                                    const std::string& shop_id, const ReviewOverrides& overrides) {
    std::vector<ReviewRow> rows;
    for (auto index : orders) {
        const Order& order = store.order(index);
        const auto& text = k_texts[random() % k_texts.size()];
        ReviewRow row;
        row.order_number = order.order_number;
        row.rating = overrides.rating.value_or(text.rating);
        row.title = overrides.title.value_or(std::string(text.title));
        row.body = overrides.body.value_or(std::string(text.body));
        std::string id = hex_block(random) + "-" + hex_block(random) + "-" + hex_block(random);
        if (overrides.shop_review || order.items.empty()) {
            row.review_type = "ショップレビュー";
            row.url =
                "https://review.rakuten.co.jp/shop/4/" + shop_id + "_" + shop_id + "/" + id + "/";
        } else {
            const OrderItem& item = order.items.front();
            row.review_type = "商品レビュー";
            row.item_name = item.item_name;
            row.url = "https://review.rakuten.co.jp/item/1/" + shop_id + "_" +
                      std::to_string(item.item_id) + "/" + id + "/";
        }
        // Buyers review after delivery: from a day after shipping (or the order) up to now.
        EpochSeconds earliest =
            order.shipping_cmpl_rpt_datetime.value_or(order.order_datetime) + k_day;
        if (earliest > now) {
            earliest = order.shipping_cmpl_rpt_datetime.value_or(order.order_datetime);
        }
        EpochSeconds span = std::max<EpochSeconds>(1, now - earliest);
        row.posted_at = earliest + EpochSeconds(random() % std::uint64_t(span));
        rows.push_back(std::move(row));
    }
    return rows;
}

std::optional<std::string> write_review_file(const std::filesystem::path& path,
                                             const std::vector<ReviewRow>& rows,
                                             CsvEncoding encoding) {
    auto bytes = encode_csv(review_csv_text(rows), encoding);
    if (!bytes) {
        return "a review has characters that CP932 cannot encode";
    }
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
    if (error) {
        return "cannot create " + path.parent_path().string() + ": " + error.message();
    }
    auto temporary = path;
    temporary += ".part";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(bytes->data(), std::streamsize(bytes->size()));
        if (!out) {
            return "cannot write " + temporary.string();
        }
    }
    std::filesystem::rename(temporary, path, error);
    if (error) {
        return "cannot rename to " + path.string() + ": " + error.message();
    }
    return std::nullopt;
}

} // namespace musubi::sim::rakuten
