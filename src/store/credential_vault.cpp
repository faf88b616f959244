#include "store/credential_vault.hpp"

#include "store/settings_repo.hpp"

namespace oh::store {

namespace {

constexpr const char* kdf_info = "openhinge v2 credentials";
constexpr const char* check_plaintext = "openhinge key check v2";

} // namespace

expected<credential_vault> credential_vault::open(database& db,
                                                  std::string_view key) {
  if (key.empty())
    return fail(errc::bad_config, "encryption key is empty");
  settings_repo settings{db};
  auto salt_hex = settings.get_raw("kdf_salt");
  if (!salt_hex) {
    salt_hex = crypto::to_hex(crypto::random_bytes(16));
    settings.put_raw("kdf_salt", *salt_hex);
  }
  auto salt = crypto::from_hex(*salt_hex);
  if (!salt)
    return fail(errc::bad_config, "settings.kdf_salt is corrupt");
  credential_vault vault{crypto::hkdf_sha256(key, *salt, kdf_info, 32)};
  if (auto check = settings.get_raw("key_check")) {
    auto opened = vault.unseal(*check);
    if (!opened || *opened != check_plaintext)
      return fail(errc::bad_config,
                  "the encryption key does not decrypt the credentials stored "
                  "in "
                    + db.path()
                    + " (OPENHINGE_ENCRYPTION_KEY or encryption.key changed?)");
  } else {
    settings.put_raw("key_check", vault.seal(check_plaintext));
  }
  return vault;
}

std::string credential_vault::seal(std::string_view plaintext) const {
  return crypto::seal(key_, plaintext);
}

expected<std::string> credential_vault::unseal(std::string_view sealed) const {
  return crypto::open(key_, sealed);
}

} // namespace oh::store
