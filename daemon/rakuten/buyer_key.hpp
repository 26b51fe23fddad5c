#pragma once
// Buyers are known only by keyed hashes (HMAC-SHA256 with privacy.hashing_key): of the masked
// relay e-mail address, of the normalised phone number and of the phone's last four digits
// (the second factor of linking in chat). The buyer key joins a repeat buyer's orders. The
// inputs are personal data: nothing here logs, and callers must not log them either.

#include <string>
#include <string_view>

#include "connectors/rakuten/order.hpp"
#include "daemon/store/store.hpp"

namespace musubi::rakuten_poller {

// Lower-case hex of HMAC-SHA256(key, message).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// Digits only (ASCII and full-width), with a leading +81 / 81 country code turned into the
// domestic 0, so that "090-1234-5678", "09012345678" and "+81 90 1234 5678" agree.
std::string normalise_phone(std::string_view phone);
// Trimmed and lower-cased.
std::string normalise_email(std::string_view email);

// The hashes of one orderer; `given_name` is kept as is (for greetings). An orderer without
// e-mail and phone gets an empty buyer key (no buyer row).
store::BuyerIdentity buyer_identity(const rakuten::Orderer& orderer, std::string_view hashing_key);

} // namespace musubi::rakuten_poller
