#pragma once

// The Node original's secret formats (reference §4.6), read when its install
// is imported and when one of its API keys is first used (SPEC §5.1, §11.3):
// provider credentials sealed as `hex(salt16):hex(iv16):hex(tag16):hex(ct)`
// (AES-256-GCM with a 16-byte IV under scrypt(passphrase, salt, N=16384, r=8,
// p=1, 32 bytes)), and API key hashes `hex(salt16):hex(scrypt(key, salt,
// 64 bytes))`. Nothing is written in these formats.

#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace oh::original {

/// True when `sealed` has the original's four-part shape.
bool looks_sealed(std::string_view sealed);

/// The plaintext of original-sealed credentials; errc::decrypt_failed when
/// the passphrase is not the one they were sealed with (or they were
/// altered), errc::invalid_value when the text is not in that format.
expected<std::string> open_credentials(std::string_view sealed,
                                       std::string_view passphrase);

/// Whether `key` matches an original key hash (constant-time compare).
bool verify_key_hash(std::string_view key, std::string_view stored);

} // namespace oh::original
