#pragma once

// Seals and opens provider secrets with AES-256-GCM under a data key derived
// once at start (SPEC §7): HKDF-SHA-256(configured key string, per-database
// salt in settings.kdf_salt, "openhinge v2 credentials").

#include <string>
#include <string_view>

#include "core/crypto.hpp"
#include "core/expected.hpp"

namespace oh::store {

class database;

class credential_vault {
public:
  /// Derives the data key for `db`, creating the salt and the key check value
  /// on first use. Fails when the key does not open the stored check value,
  /// so a wrong key never yields empty credentials.
  static expected<credential_vault> open(database& db,
                                         std::string_view configured_key);

  std::string seal(std::string_view plaintext) const;
  expected<std::string> unseal(std::string_view sealed) const;

private:
  explicit credential_vault(crypto::bytes key) : key_(std::move(key)) {}
  crypto::bytes key_;
};

} // namespace oh::store
