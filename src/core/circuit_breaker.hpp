#pragma once

// The circuit breaker of one account (SPEC §6.3): `failures` consecutive
// failures open it for a cool-down that doubles (up to a cap) while the
// account keeps failing; after the cool-down one trial request or probe is
// let through (half-open) and decides. Pure: time is passed in.

#include <cstdint>

namespace oh {

enum class circuit_state : uint8_t { closed = 0, half_open = 1, open = 2 };

const char* to_string(circuit_state s);

class circuit_breaker {
public:
  circuit_breaker(int failures_to_open = 5, int64_t cooldown_ms = 30'000,
                  int64_t max_cooldown_ms = 300'000)
    : threshold_(failures_to_open), base_cooldown_ms_(cooldown_ms),
      max_cooldown_ms_(max_cooldown_ms), cooldown_ms_(cooldown_ms) {}

  /// Whether a request may go now. In half-open state only one trial is
  /// allowed until it reports back.
  /// New limits from the dashboard; the current state and count stay.
  void set_limits(int failures_to_open, int64_t cooldown_ms) {
    threshold_ = failures_to_open;
    base_cooldown_ms_ = cooldown_ms;
    if (cooldown_ms_ < cooldown_ms)
      cooldown_ms_ = cooldown_ms;
  }
  bool allow(int64_t now_ms);
  void on_success(int64_t now_ms);
  void on_failure(int64_t now_ms);
  /// A trial that ended without a verdict (the client left) frees the slot.
  void on_neutral();

  circuit_state state(int64_t now_ms) const;
  int consecutive_failures() const {
    return failures_;
  }
  /// When an open circuit may be tried again (epoch of the caller's clock).
  int64_t open_until() const {
    return open_until_;
  }

private:
  int threshold_;
  int64_t base_cooldown_ms_;
  int64_t max_cooldown_ms_;
  int64_t cooldown_ms_;
  int failures_ = 0;
  bool open_ = false;
  bool trial_in_flight_ = false;
  int64_t open_until_ = 0;
};

} // namespace oh
