#pragma once

// The `admin_sessions` table: dashboard sessions survive restarts (SPEC
// §9.1). Only the SHA-256 of a session's token is stored.

#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace oh::store {

struct session_row {
  std::string id_hash;
  std::string csrf;
  std::string created_at; // ISO-8601 UTC, like every timestamp here
  std::string last_seen;
  std::string expires_at;
  std::optional<std::string> ip;
  std::optional<std::string> user_agent;
};

class sessions_repo {
public:
  explicit sessions_repo(database& db) : db_(db) {}
  void insert(const session_row& row);
  /// The session was used: its sliding expiry moves.
  void touch(const std::string& id_hash, const std::string& last_seen,
             const std::string& expires_at);
  void remove(const std::string& id_hash);
  /// Ends every session but `keep` (none when empty).
  void remove_all_except(const std::string& keep);
  /// Sessions whose expiry is after `now_iso`; older ones are deleted.
  std::vector<session_row> live(const std::string& now_iso);

private:
  database& db_;
};

} // namespace oh::store
