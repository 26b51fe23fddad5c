#include "review_csv.hpp"

#include <cerrno>
#include <iconv.h>

namespace musubi::sim::rakuten {

std::optional<CsvEncoding> parse_csv_encoding(std::string_view name) {
    if (name == "cp932" || name == "shift_jis" || name == "sjis") {
        return CsvEncoding::cp932;
    }
    if (name == "utf-8" || name == "utf8") {
        return CsvEncoding::utf8;
    }
    if (name == "utf-8-bom" || name == "utf8-bom") {
        return CsvEncoding::utf8_bom;
    }
    return std::nullopt;
}

std::string_view csv_encoding_name(CsvEncoding encoding) {
    switch (encoding) {
    case CsvEncoding::cp932:
        return "cp932";
    case CsvEncoding::utf8:
        return "utf-8";
    case CsvEncoding::utf8_bom:
        return "utf-8-bom";
    }
    return "cp932";
}

std::string csv_field(std::string_view value) {
    if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
        return std::string(value);
    }
    std::string quoted = "\"";
    for (char c : value) {
        if (c == '"') {
            quoted += '"';
        }
        quoted += c;
    }
    return quoted + "\"";
}

std::string review_csv_text(const std::vector<ReviewRow>& rows) {
    std::string text(k_review_csv_header);
    text += "\r\n";
    for (const auto& row : rows) {
        text += csv_field(row.review_type) + "," + csv_field(row.item_name) + "," +
                csv_field(row.url) + "," + std::to_string(row.rating) + "," +
                csv_field(format_review_time(row.posted_at)) + "," + csv_field(row.title) + "," +
                csv_field(row.body) + "," + std::to_string(row.flag) + "," +
                csv_field(row.order_number) + "," + std::to_string(row.unhandled_flag) + "\r\n";
    }
    return text;
}

std::optional<std::string> encode_csv(const std::string& utf8, CsvEncoding encoding) {
    if (encoding == CsvEncoding::utf8) {
        return utf8;
    }
    if (encoding == CsvEncoding::utf8_bom) {
        return "\xEF\xBB\xBF" + utf8;
    }
    iconv_t converter = iconv_open("CP932", "UTF-8");
    if (converter == reinterpret_cast<iconv_t>(-1)) {
        return std::nullopt;
    }
    std::string input = utf8;
    std::string output(input.size() * 2 + 16, '\0');
    char* in = input.data();
    std::size_t in_left = input.size();
    char* out = output.data();
    std::size_t out_left = output.size();
    std::size_t result = iconv(converter, &in, &in_left, &out, &out_left);
    iconv_close(converter);
    if (result == static_cast<std::size_t>(-1)) {
        return std::nullopt;
    }
    output.resize(output.size() - out_left);
    return output;
}

} // namespace musubi::sim::rakuten
