#include "store/api_keys_repo.hpp"

#include "store/statement.hpp"

namespace oh::store {

namespace {

constexpr const char* columns
  = "id, name, key_hash, hash_algo, key_prefix, last4, api_format,"
    " rate_limit_rpm, rate_limit_tpm, max_concurrency, daily_budget_cents,"
    " monthly_budget_cents, expires_at, is_enabled, last_used_at,"
    " total_requests, created_at, updated_at";

api_key_record read_row(const statement& st) {
  api_key_record r;
  r.id = st.text(0);
  r.name = st.text(1);
  r.key_hash = st.text(2);
  r.hash_algo = st.text(3);
  r.key_prefix = st.text(4);
  r.last4 = st.text(5);
  r.api_format = st.text(6);
  r.rate_limit_rpm = st.int64(7);
  r.rate_limit_tpm = st.opt_int64(8);
  r.max_concurrency = st.opt_int64(9);
  r.daily_budget_cents = st.opt_int64(10);
  r.monthly_budget_cents = st.opt_int64(11);
  r.expires_at = st.opt_text(12);
  r.is_enabled = st.int64(13) != 0;
  r.last_used_at = st.opt_text(14);
  r.total_requests = st.int64(15);
  r.created_at = st.text(16);
  r.updated_at = st.text(17);
  return r;
}

} // namespace

std::vector<std::string> api_keys_repo::read_bindings(const std::string& id) {
  statement st{db_, "SELECT soul_id FROM api_key_souls WHERE api_key_id = ?1"
                    " ORDER BY soul_id"};
  st.bind(1, id);
  std::vector<std::string> out;
  while (st.step())
    out.push_back(st.text(0));
  return out;
}

void api_keys_repo::write_bindings(const api_key_record& r) {
  statement del{db_, "DELETE FROM api_key_souls WHERE api_key_id = ?1"};
  del.bind(1, r.id).run();
  statement ins{db_, "INSERT OR IGNORE INTO api_key_souls(api_key_id, soul_id)"
                     " VALUES (?1, ?2)"};
  for (auto& soul : r.soul_ids) {
    ins.reset();
    ins.bind(1, r.id).bind(2, soul).run();
  }
}

std::vector<api_key_record> api_keys_repo::list() {
  statement st{db_, std::string{"SELECT "} + columns
                      + " FROM api_keys ORDER BY created_at DESC, id"};
  std::vector<api_key_record> out;
  while (st.step())
    out.push_back(read_row(st));
  for (auto& r : out)
    r.soul_ids = read_bindings(r.id);
  return out;
}

std::optional<api_key_record> api_keys_repo::get(const std::string& id) {
  statement st{db_, std::string{"SELECT "} + columns
                      + " FROM api_keys WHERE id = ?1"};
  st.bind(1, id);
  if (!st.step())
    return std::nullopt;
  auto r = read_row(st);
  r.soul_ids = read_bindings(r.id);
  return r;
}

void api_keys_repo::insert(const api_key_record& r) {
  statement st{db_, std::string{"INSERT INTO api_keys ("} + columns
                      + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                        " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"};
  st.bind(1, r.id)
    .bind(2, r.name)
    .bind(3, r.key_hash)
    .bind(4, r.hash_algo)
    .bind(5, r.key_prefix)
    .bind(6, r.last4)
    .bind(7, r.api_format)
    .bind(8, r.rate_limit_rpm)
    .bind(9, r.rate_limit_tpm)
    .bind(10, r.max_concurrency)
    .bind(11, r.daily_budget_cents)
    .bind(12, r.monthly_budget_cents)
    .bind(13, r.expires_at)
    .bind(14, r.is_enabled)
    .bind(15, r.last_used_at)
    .bind(16, r.total_requests)
    .bind(17, r.created_at)
    .bind(18, r.updated_at)
    .run();
  write_bindings(r);
}

void api_keys_repo::update(const api_key_record& r) {
  statement st{db_, "UPDATE api_keys SET name = ?2, key_hash = ?3,"
                    " hash_algo = ?4, key_prefix = ?5, last4 = ?6,"
                    " api_format = ?7, rate_limit_rpm = ?8,"
                    " rate_limit_tpm = ?9, max_concurrency = ?10,"
                    " daily_budget_cents = ?11, monthly_budget_cents = ?12,"
                    " expires_at = ?13, is_enabled = ?14, updated_at = ?15"
                    " WHERE id = ?1"};
  st.bind(1, r.id)
    .bind(2, r.name)
    .bind(3, r.key_hash)
    .bind(4, r.hash_algo)
    .bind(5, r.key_prefix)
    .bind(6, r.last4)
    .bind(7, r.api_format)
    .bind(8, r.rate_limit_rpm)
    .bind(9, r.rate_limit_tpm)
    .bind(10, r.max_concurrency)
    .bind(11, r.daily_budget_cents)
    .bind(12, r.monthly_budget_cents)
    .bind(13, r.expires_at)
    .bind(14, r.is_enabled)
    .bind(15, r.updated_at)
    .run();
  write_bindings(r);
}

bool api_keys_repo::remove(const std::string& id) {
  statement st{db_, "DELETE FROM api_keys WHERE id = ?1"};
  st.bind(1, id).run();
  return db_.changes() > 0;
}

std::pair<int64_t, int64_t>
api_keys_repo::spend_micros(const std::string& id, const std::string& today,
                            const std::string& month_start) {
  auto s = spend(id, today, month_start);
  return {static_cast<int64_t>(s.today_cents * 10'000.0 + 0.5),
          static_cast<int64_t>(s.month_cents * 10'000.0 + 0.5)};
}

key_spend api_keys_repo::spend(const std::string& id, const std::string& today,
                               const std::string& month_start) {
  statement st{db_, "SELECT"
                    " COALESCE(SUM(CASE WHEN date = ?2 THEN total_cost_micros"
                    " END), 0),"
                    " COALESCE(SUM(total_cost_micros), 0)"
                    " FROM cost_daily WHERE api_key_id = ?1 AND date >= ?3"};
  st.bind(1, id).bind(2, today).bind(3, month_start);
  key_spend out;
  if (st.step()) {
    out.today_cents = static_cast<double>(st.int64(0)) / 10'000.0;
    out.month_cents = static_cast<double>(st.int64(1)) / 10'000.0;
  }
  return out;
}

std::vector<std::string>
api_keys_repo::bound_to_soul(const std::string& soul_id) {
  statement st{db_, "SELECT api_key_id FROM api_key_souls WHERE soul_id = ?1"};
  st.bind(1, soul_id);
  std::vector<std::string> out;
  while (st.step())
    out.push_back(st.text(0));
  return out;
}

} // namespace oh::store
