#pragma once

// Dashboard passwords (SPEC §9.1): scrypt hashes, verified in constant time.
// Three stored forms are read: ours, the original's (so an imported
// password keeps working) and the original's legacy bare SHA-256; only
// ours is written.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.hpp"

namespace oh::password {

/// Shortest password accepted by setup and change-password.
inline constexpr size_t min_length = 10;

/// scrypt cost of new hashes (N = 2^15, r = 8, p = 1): ~32 MiB and tens of
/// milliseconds per check, which the login limiter keeps rare.
inline constexpr uint64_t cost_n = 1u << 15;

/// scrypt (RFC 7914) through OpenSSL; nullopt when OpenSSL refuses the
/// parameters.
std::optional<crypto::bytes> scrypt(std::string_view password,
                                    std::string_view salt, uint64_t n,
                                    uint64_t r, uint64_t p, size_t length);

/// A new hash of `password`: `scrypt$<N>$<r>$<p>$<salt hex>$<hash hex>`.
std::string hash(std::string_view password);

/// True when `password` matches `stored`, in any of the forms read:
/// ours, the original's `scrypt:<salt text>:<hash hex>` (N=16384, r=8,
/// p=1, 64 bytes, the salt's characters used as given) and a legacy bare
/// SHA-256 hex digest.
bool verify(std::string_view password, std::string_view stored);

/// True for stored forms other than ours (rewritten after a good login).
bool needs_rehash(std::string_view stored);

} // namespace oh::password
