#pragma once

// Cryptographic primitives on OpenSSL: hashing, randomness, encodings,
// constant-time comparison, HKDF and AES-256-GCM.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace oh::crypto {

using bytes = std::vector<uint8_t>;

/// Cryptographically secure random bytes (OpenSSL RAND_bytes).
bytes random_bytes(size_t n);

std::string to_hex(const uint8_t* data, size_t n);
inline std::string to_hex(const bytes& b) {
  return to_hex(b.data(), b.size());
}
/// Decodes lower- or upper-case hex; fails on odd length or other chars.
expected<bytes> from_hex(std::string_view hex);

/// base64url without padding (RFC 4648 §5).
std::string base64url(const uint8_t* data, size_t n);

/// Decodes base64url (RFC 4648 §5), padding optional; fails on other
/// characters.
expected<std::string> base64url_decode(std::string_view text);

/// SHA-256 of `data`, raw.
std::array<uint8_t, 32> sha256(std::string_view data);

/// SHA-256 of `data` as 64 lower-case hex characters.
std::string sha256_hex(std::string_view data);

/// Compares in time that depends only on the lengths, never on the content.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

/// HKDF-SHA-256 (RFC 5869) producing `length` bytes.
bytes hkdf_sha256(std::string_view input_key, const bytes& salt,
                  std::string_view info, size_t length);

/// AES-256-GCM with a 12-byte random nonce. Output: `v2:<nonce hex>:<ct+tag
/// hex>`.
std::string seal(const bytes& key, std::string_view plaintext);

/// Reverses seal(); fails with errc::decrypt_failed on tampering or a wrong
/// key.
expected<std::string> open(const bytes& key, std::string_view sealed);

/// Object ids: 16 hex characters from 64 random bits (as the original).
std::string new_id();

/// A client API key: `ohk_` + 43 base64url characters (256 random bits).
std::string new_api_key();

/// The admin token: `oha_` + 43 base64url characters.
std::string new_admin_token();

} // namespace oh::crypto
