#include "store/providers_repo.hpp"

#include "core/clock.hpp"
#include "store/statement.hpp"

namespace oh::store {

namespace {

constexpr const char* columns
  = "id, name, type, base_url, auth_mode, config, credentials, priority,"
    " is_enabled, health_status, last_health_check, models_json,"
    " token_expires_at, created_at, updated_at";

provider_record read_row(const statement& st, const credential_vault& vault) {
  provider_record r;
  r.id = st.text(0);
  r.name = st.text(1);
  r.type = st.text(2);
  r.base_url = st.opt_text(3);
  r.auth_mode = st.text(4);
  r.config_json = st.text(5);
  auto sealed = st.text(6);
  if (sealed.empty()) {
    r.credentials_json = "{}";
  } else {
    auto opened = vault.unseal(sealed);
    if (!opened)
      throw store_error(0,
                        "credentials of provider " + r.id + " do not decrypt");
    r.credentials_json = std::move(*opened);
  }
  r.priority = st.int64(7);
  r.is_enabled = st.int64(8) != 0;
  r.health_status = st.text(9);
  r.last_health_check = st.opt_text(10);
  r.models_json = st.text(11);
  r.token_expires_at = st.opt_text(12);
  r.created_at = st.text(13);
  r.updated_at = st.text(14);
  return r;
}

} // namespace

std::vector<provider_record> providers_repo::list() {
  statement st{db_, std::string{"SELECT "} + columns
                      + " FROM providers ORDER BY priority DESC, name, id"};
  std::vector<provider_record> out;
  while (st.step())
    out.push_back(read_row(st, vault_));
  return out;
}

std::optional<provider_record> providers_repo::get(const std::string& id) {
  statement st{db_, std::string{"SELECT "} + columns
                      + " FROM providers WHERE id = ?1"};
  st.bind(1, id);
  if (!st.step())
    return std::nullopt;
  return read_row(st, vault_);
}

bool providers_repo::exists(const std::string& id) {
  statement st{db_, "SELECT 1 FROM providers WHERE id = ?1"};
  st.bind(1, id);
  return st.step();
}

void providers_repo::insert(const provider_record& r) {
  statement st{db_, std::string{"INSERT INTO providers ("} + columns
                      + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                        " ?11, ?12, ?13, ?14, ?15)"};
  st.bind(1, r.id)
    .bind(2, r.name)
    .bind(3, r.type)
    .bind(4, r.base_url)
    .bind(5, r.auth_mode)
    .bind(6, r.config_json)
    .bind(7, vault_.seal(r.credentials_json))
    .bind(8, r.priority)
    .bind(9, r.is_enabled)
    .bind(10, r.health_status)
    .bind(11, r.last_health_check)
    .bind(12, r.models_json)
    .bind(13, r.token_expires_at)
    .bind(14, r.created_at)
    .bind(15, r.updated_at)
    .run();
}

void providers_repo::update(const provider_record& r) {
  statement st{db_, "UPDATE providers SET name = ?2, type = ?3, base_url = ?4,"
                    " auth_mode = ?5, config = ?6, credentials = ?7,"
                    " priority = ?8, is_enabled = ?9, health_status = ?10,"
                    " last_health_check = ?11, models_json = ?12,"
                    " token_expires_at = ?13, updated_at = ?14 WHERE id = ?1"};
  st.bind(1, r.id)
    .bind(2, r.name)
    .bind(3, r.type)
    .bind(4, r.base_url)
    .bind(5, r.auth_mode)
    .bind(6, r.config_json)
    .bind(7, vault_.seal(r.credentials_json))
    .bind(8, r.priority)
    .bind(9, r.is_enabled)
    .bind(10, r.health_status)
    .bind(11, r.last_health_check)
    .bind(12, r.models_json)
    .bind(13, r.token_expires_at)
    .bind(14, r.updated_at)
    .run();
}

void providers_repo::set_health(const std::string& id,
                                const std::string& status,
                                const std::optional<std::string>& last_check) {
  statement st{db_, "UPDATE providers SET health_status = ?2,"
                    " last_health_check = COALESCE(?3, last_health_check)"
                    " WHERE id = ?1"};
  st.bind(1, id).bind(2, status).bind(3, last_check).run();
}

bool providers_repo::set_credentials(
  const std::string& id, const std::string& credentials_json,
  const std::optional<std::string>& token_expires_at) {
  // One statement: the access token and the rotated refresh token land
  // together or not at all (SPEC §7).
  statement st{db_, "UPDATE providers SET credentials = ?2,"
                    " token_expires_at = ?3 WHERE id = ?1"};
  st.bind(1, id)
    .bind(2, vault_.seal(credentials_json))
    .bind(3, token_expires_at)
    .run();
  return db_.changes() > 0;
}

void providers_repo::set_token_expiry(
  const std::string& id, const std::optional<std::string>& token_expires_at) {
  statement st{db_, "UPDATE providers SET token_expires_at = ?2 WHERE id = ?1"};
  st.bind(1, id).bind(2, token_expires_at).run();
}

void providers_repo::set_models(const std::string& id,
                                const std::string& models_json) {
  statement st{db_, "UPDATE providers SET models_json = ?2 WHERE id = ?1"};
  st.bind(1, id).bind(2, models_json).run();
}

bool providers_repo::remove(const std::string& id) {
  statement st{db_, "DELETE FROM providers WHERE id = ?1"};
  st.bind(1, id).run();
  return db_.changes() > 0;
}

} // namespace oh::store
