#include "http/admin_auth.hpp"

#include "core/clock.hpp"
#include "core/crypto.hpp"

namespace oh::http {

namespace {

/// Written back at most this often per session: a dashboard polling every
/// second must not write the database every second.
constexpr int64_t touch_interval_ms = 60'000;

/// 5 failures per client and 30 in all per 15 minutes (SPEC §9.1).
constexpr size_t failures_per_client = 5;
constexpr size_t failures_global = 30;
constexpr int64_t failure_window_ms = 15LL * 60 * 1000;

int64_t ms_of(const std::string& iso) {
  return clock::parse_timestamp(iso).value_or(0);
}

} // namespace

store::session_row admin_session::row() const {
  store::session_row r;
  r.id_hash = id_hash;
  r.csrf = csrf;
  r.created_at = clock::format_iso(created_ms);
  r.last_seen = clock::format_iso(last_seen_ms);
  r.expires_at
    = clock::format_iso(session_life::expires_at(created_ms, last_seen_ms));
  if (!ip.empty())
    r.ip = ip;
  if (!user_agent.empty())
    r.user_agent = user_agent;
  return r;
}

admin_auth::admin_auth(std::string_view admin_token, std::string token_path)
  : token_hash_(crypto::sha256_hex(admin_token)),
    token_path_(std::move(token_path)),
    limiter_(failures_per_client, failures_global, failure_window_ms) {}

bool admin_auth::is_admin_token(std::string_view presented) const {
  if (presented.empty())
    return false;
  // Hashing first makes the comparison independent of the token's length.
  auto hash = crypto::sha256_hex(presented);
  std::lock_guard guard{mu_};
  return crypto::constant_time_equal(hash, token_hash_);
}

void admin_auth::set_admin_token(std::string_view token) {
  auto hash = crypto::sha256_hex(token);
  std::lock_guard guard{mu_};
  token_hash_ = std::move(hash);
}

bool admin_auth::has_password() const {
  std::lock_guard guard{mu_};
  return has_password_;
}

void admin_auth::set_has_password(bool v) {
  std::lock_guard guard{mu_};
  has_password_ = v;
  if (v)
    setup_hash_.clear();
}

std::string admin_auth::make_setup_token() {
  auto bytes = crypto::random_bytes(32);
  auto token = "ohsetup_" + crypto::base64url(bytes.data(), bytes.size());
  std::lock_guard guard{mu_};
  setup_hash_ = crypto::sha256_hex(token);
  return token;
}

bool admin_auth::take_setup_token(std::string_view presented) {
  if (presented.empty())
    return false;
  auto hash = crypto::sha256_hex(presented);
  std::lock_guard guard{mu_};
  if (setup_hash_.empty() || !crypto::constant_time_equal(hash, setup_hash_))
    return false;
  setup_hash_.clear();
  return true;
}

void admin_auth::load(const std::vector<store::session_row>& rows) {
  std::lock_guard guard{mu_};
  for (auto& r : rows) {
    admin_session s;
    s.id_hash = r.id_hash;
    s.csrf = r.csrf;
    s.created_ms = ms_of(r.created_at);
    s.last_seen_ms = ms_of(r.last_seen);
    s.persisted_seen_ms = s.last_seen_ms;
    s.ip = r.ip.value_or("");
    s.user_agent = r.user_agent.value_or("");
    sessions_[s.id_hash] = std::move(s);
  }
}

new_session admin_auth::create_session(std::string ip, std::string user_agent,
                                       int64_t now_ms) {
  auto token_bytes = crypto::random_bytes(32);
  auto csrf_bytes = crypto::random_bytes(32);
  new_session out;
  out.token
    = "ohs_" + crypto::base64url(token_bytes.data(), token_bytes.size());
  out.csrf = crypto::to_hex(csrf_bytes);
  auto& s = out.info;
  s.id_hash = crypto::sha256_hex(out.token);
  s.csrf = out.csrf;
  s.created_ms = now_ms;
  s.last_seen_ms = now_ms;
  s.persisted_seen_ms = now_ms;
  s.ip = std::move(ip);
  s.user_agent = std::move(user_agent);
  if (s.user_agent.size() > 256)
    s.user_agent.resize(256);
  std::lock_guard guard{mu_};
  sessions_[s.id_hash] = s;
  return out;
}

std::optional<admin_session>
admin_auth::use_session(std::string_view token, int64_t now_ms, bool& persist) {
  persist = false;
  if (token.empty())
    return std::nullopt;
  auto hash = crypto::sha256_hex(token);
  std::lock_guard guard{mu_};
  auto it = sessions_.find(hash);
  if (it == sessions_.end())
    return std::nullopt;
  auto& s = it->second;
  if (session_life::expired(s.created_ms, s.last_seen_ms, now_ms)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  s.last_seen_ms = std::max(s.last_seen_ms, now_ms);
  if (s.last_seen_ms - s.persisted_seen_ms >= touch_interval_ms) {
    s.persisted_seen_ms = s.last_seen_ms;
    persist = true;
  }
  return s;
}

std::vector<admin_session> admin_auth::sessions(int64_t now_ms) const {
  std::lock_guard guard{mu_};
  std::vector<admin_session> out;
  for (auto& [hash, s] : sessions_)
    if (!session_life::expired(s.created_ms, s.last_seen_ms, now_ms))
      out.push_back(s);
  return out;
}

bool admin_auth::end_session(const std::string& public_id) {
  std::lock_guard guard{mu_};
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
    if (it->second.public_id() == public_id) {
      sessions_.erase(it);
      return true;
    }
  return false;
}

void admin_auth::end_session_by_hash(const std::string& id_hash) {
  std::lock_guard guard{mu_};
  sessions_.erase(id_hash);
}

void admin_auth::end_all_except(const std::string& keep_hash) {
  std::lock_guard guard{mu_};
  for (auto it = sessions_.begin(); it != sessions_.end();)
    it = it->first == keep_hash ? std::next(it) : sessions_.erase(it);
}

int64_t admin_auth::retry_after_ms(const std::string& client, int64_t now_ms) {
  std::lock_guard guard{mu_};
  return limiter_.retry_after_ms(client, now_ms);
}

void admin_auth::record_failure(const std::string& client, int64_t now_ms) {
  std::lock_guard guard{mu_};
  limiter_.record_failure(client, now_ms);
}

std::optional<std::string_view> cookie_value(std::string_view header,
                                             std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    auto pair = header.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ')
      pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name)
      return pair.substr(eq + 1);
    if (semi == std::string_view::npos)
      break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

} // namespace oh::http
