#include "review_csv.hpp"

#include <algorithm>
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
    std::string quoted = "\"";
    for (char c : value) {
        if (c == '"') {
            quoted += '"';
        }
        quoted += c;
    }
    return quoted + "\"";
}

namespace {

std::string header_line() {
    std::string line;
    std::string_view rest = k_review_csv_header;
    while (true) {
        const auto comma = rest.find(',');
        line += csv_field(rest.substr(0, comma));
        if (comma == std::string_view::npos) {
            break;
        }
        line += ",";
        rest.remove_prefix(comma + 1);
    }
    return line + "\r\n";
}

std::string row_line(const ReviewRow& row) {
    return csv_field(row.review_type) + "," + csv_field(row.item_name) + "," + csv_field(row.url) +
           "," + csv_field(std::to_string(row.rating)) + "," +
           csv_field(format_review_time(row.posted_at)) + "," + csv_field(row.title) + "," +
           csv_field(row.body) + "," + csv_field(std::to_string(row.flag)) + "," +
           csv_field(row.order_number) + "," + csv_field(std::to_string(row.unhandled_flag)) +
           "\r\n";
}

} // namespace

std::string review_csv_text(const std::vector<ReviewRow>& rows) {
    std::string text = header_line();
    for (const auto& row : rows) {
        text += row_line(row);
    }
    return text;
}

std::vector<ReviewRow> shape_export(std::vector<ReviewRow> rows, const ExportShape& shape,
                                    CsvEncoding encoding, std::size_t& dropped) {
    std::stable_sort(rows.begin(), rows.end(), [](const ReviewRow& a, const ReviewRow& b) {
        return a.posted_at > b.posted_at;
    });
    std::vector<ReviewRow> shaped;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        shaped.push_back(rows[i]);
        if (shape.repeat_every > 0 && (i + 1) % shape.repeat_every == 0) {
            shaped.push_back(rows[i]);
        }
    }
    // Sizes per line in the target encoding, so the cut lands where RMS's would.
    const auto encoded_size = [&](const std::string& text) {
        if (encoding != CsvEncoding::cp932) {
            return text.size(); // UTF-8; the BOM is counted once below
        }
        const auto bytes = encode_csv(text, encoding);
        return bytes ? bytes->size() : text.size();
    };
    std::size_t size = encoded_size(header_line()) + (encoding == CsvEncoding::utf8_bom ? 3 : 0);
    std::size_t kept = 0;
    for (; kept < shaped.size(); ++kept) {
        const std::size_t line = encoded_size(row_line(shaped[kept]));
        if (size + line > shape.cap_bytes) {
            break;
        }
        size += line;
    }
    dropped = 0;
    for (std::size_t i = kept; i < shaped.size(); ++i) {
        // A repeated row that falls off is not a review lost.
        if (i == 0 || shaped[i].url != shaped[i - 1].url) {
            ++dropped;
        }
    }
    shaped.resize(kept);
    return shaped;
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
