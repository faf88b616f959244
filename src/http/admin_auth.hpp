#pragma once

// Who may use the admin API (SPEC §9.1): the admin token, and dashboard
// sessions made by a login. The sessions live here in memory for the
// per-request check (no store hop per admin request) and in the database
// for restarts; the handlers in handlers/admin_auth.cpp keep both in step.
// Thread-safe: any I/O thread and the store thread use it.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/failure_limiter.hpp"
#include "store/sessions_repo.hpp"

namespace oh::http {

/// The settings key of the dashboard password's hash (a JSON string).
inline constexpr const char* password_setting = "auth.password_hash";

/// A session as the check sees it.
struct admin_session {
  std::string id_hash; // SHA-256 hex of the session token
  std::string csrf;
  int64_t created_ms = 0;
  int64_t last_seen_ms = 0;
  /// last_seen as last written to the database.
  int64_t persisted_seen_ms = 0;
  std::string ip;
  std::string user_agent;

  /// The public id shown by GET /admin/auth/sessions and used to end one:
  /// a prefix of the hash, never the token.
  std::string public_id() const {
    return id_hash.substr(0, 16);
  }
  store::session_row row() const;
};

/// A new session's secrets, returned once to the client.
struct new_session {
  std::string token;
  std::string csrf;
  admin_session info;
};

class admin_auth {
public:
  /// `token_path` is the file the admin token lives in, empty when it is
  /// configured (then it cannot be rotated through the API).
  admin_auth(std::string_view admin_token, std::string token_path);

  // -- the admin token --------------------------------------------------------
  bool is_admin_token(std::string_view presented) const;
  const std::string& token_path() const {
    return token_path_;
  }
  void set_admin_token(std::string_view token);

  // -- password and first-run setup -------------------------------------------
  bool has_password() const;
  void set_has_password(bool v);
  /// A new one-time setup token (SPEC §9.1), replacing any earlier one.
  std::string make_setup_token();
  /// True once for the current setup token, which is then spent.
  bool take_setup_token(std::string_view presented);

  // -- sessions ---------------------------------------------------------------
  void load(const std::vector<store::session_row>& rows);
  new_session create_session(std::string ip, std::string user_agent,
                             int64_t now_ms);
  /// The live session `token` names, touched (its sliding expiry moves).
  /// `persist` is set when last_seen moved enough to be written back.
  std::optional<admin_session> use_session(std::string_view token,
                                           int64_t now_ms, bool& persist);
  std::vector<admin_session> sessions(int64_t now_ms) const;
  /// Ends the session with this public id; false when there is none.
  bool end_session(const std::string& public_id);
  void end_session_by_hash(const std::string& id_hash);
  /// Ends every session except `keep_hash` (none when empty).
  void end_all_except(const std::string& keep_hash);

  // -- guessing ---------------------------------------------------------------
  int64_t retry_after_ms(const std::string& client, int64_t now_ms);
  void record_failure(const std::string& client, int64_t now_ms);

private:
  mutable std::mutex mu_;
  std::string token_hash_;
  std::string token_path_;
  bool has_password_ = false;
  std::string setup_hash_;
  std::unordered_map<std::string, admin_session> sessions_;
  failure_limiter limiter_;
};

/// Reads one cookie's value from a Cookie header.
std::optional<std::string_view> cookie_value(std::string_view header,
                                             std::string_view name);

} // namespace oh::http
