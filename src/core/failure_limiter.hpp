#pragma once

// Limits guessing (SPEC §9.1): failed logins and password changes, at most
// `per_client` per client IP and `global` in all within a sliding window.
// Successes do not count. Pure arithmetic over the caller's clock; the
// caller serialises access.

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace oh {

class failure_limiter {
public:
  failure_limiter(size_t per_client, size_t global, int64_t window_ms)
    : per_client_(per_client), global_(global), window_ms_(window_ms) {}

  /// Milliseconds until `client` may try again; 0 when it may now.
  int64_t retry_after_ms(const std::string& client, int64_t now_ms);
  /// One failed attempt of `client` at `now_ms`.
  void record_failure(const std::string& client, int64_t now_ms);

private:
  void prune(int64_t now_ms);

  size_t per_client_;
  size_t global_;
  int64_t window_ms_;
  std::deque<int64_t> all_;
  std::unordered_map<std::string, std::deque<int64_t>> by_client_;
};

/// Dashboard session lifetimes (SPEC §9.1): 12 h after the last use, and
/// never more than 30 days after the login.
namespace session_life {
inline constexpr int64_t idle_ms = 12LL * 3600 * 1000;
inline constexpr int64_t absolute_ms = 30LL * 24 * 3600 * 1000;
/// When a session made at `created_ms` and last used at `last_seen_ms` ends.
inline int64_t expires_at(int64_t created_ms, int64_t last_seen_ms) {
  auto idle_end = last_seen_ms + idle_ms;
  auto hard_end = created_ms + absolute_ms;
  return idle_end < hard_end ? idle_end : hard_end;
}
inline bool expired(int64_t created_ms, int64_t last_seen_ms, int64_t now_ms) {
  return now_ms >= expires_at(created_ms, last_seen_ms);
}
} // namespace session_life

} // namespace oh
