#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/credential_vault.hpp"
#include "store/database.hpp"
#include "store/records.hpp"

namespace oh::store {

/// The `providers` table. Credentials are sealed on write and opened on read;
/// a row whose credentials do not open is an error, never empty credentials.
class providers_repo {
public:
  providers_repo(database& db, const credential_vault& vault)
    : db_(db), vault_(vault) {}
  std::vector<provider_record> list();
  std::optional<provider_record> get(const std::string& id);
  void insert(const provider_record& rec);
  void update(const provider_record& rec);
  bool remove(const std::string& id);
  bool exists(const std::string& id);
  /// Records the health shown to users (the actor is the source of truth).
  void set_health(const std::string& id, const std::string& status,
                  const std::optional<std::string>& last_check);
  /// The model ids the last probe listed (JSON array).
  /// Replaces an account's credentials and token expiry in one write;
  /// false when the account is gone.
  bool set_credentials(const std::string& id,
                       const std::string& credentials_json,
                       const std::optional<std::string>& token_expires_at);
  void set_token_expiry(const std::string& id,
                        const std::optional<std::string>& token_expires_at);
  void set_models(const std::string& id, const std::string& models_json);

private:
  database& db_;
  const credential_vault& vault_;
};

} // namespace oh::store
