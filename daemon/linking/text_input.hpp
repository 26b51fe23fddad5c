#pragma once
// What friends type, made comparable: Japanese phones and IMEs produce full-width digits,
// long-vowel marks and dashes of many kinds where an order number has ASCII digits and '-'.
// Nothing here keeps or logs the text.

#include <optional>
#include <string>
#include <string_view>

namespace musubi::linking {

// Full-width digits → ASCII; the dash look-alikes (－ ー ‐ ‑ ‒ – — − ｰ) → '-'; the
// ideographic space and other ASCII white space → ' '. Everything else is kept as it is.
std::string normalize_input(std::string_view text);

// normalize_input(text) without spaces at either end.
std::string trim(std::string_view text);

struct FoundOrderNumber {
    std::string order_number; // canonical: SSSSSS-YYYYMMDD-NNNNNNNNNN (or an 8-digit NNNNNNNN)
    std::string rest;         // the normalized text around it
};

// The first Rakuten order number anywhere in the text, not part of a longer run of digits,
// shaped as rakuten::is_order_number says (10-digit sequences, and RMS's older 8-digit ones).
// Spaces around the hyphens are tolerated, and so are missing hyphens (phone keyboards that
// only have digits).
std::optional<FoundOrderNumber> find_order_number(std::string_view text);

// The last four digits of a phone number when that is all the text is: four digits, or a
// whole domestic number (10 or 11 digits, hyphens and spaces allowed). nullopt otherwise.
std::optional<std::string> phone_last4(std::string_view text);

} // namespace musubi::linking
