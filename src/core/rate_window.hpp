#pragma once

// A sliding-window request counter: exact on one node (SPEC §5.2). It keeps
// the admission time of every request of the last window, so the limit holds
// at every instant, not per fixed minute.

#include <cstdint>
#include <deque>

namespace oh {

struct window_decision {
  bool admitted = false;
  int64_t limit = 0;
  /// Slots left after this decision.
  int64_t remaining = 0;
  /// Milliseconds until the window is empty again (all slots free).
  int64_t reset_ms = 0;
  /// Milliseconds until the next slot frees (for Retry-After); 0 if free.
  int64_t retry_after_ms = 0;
};

class rate_window {
public:
  explicit rate_window(int64_t limit = 0, int64_t window_ms = 60'000)
    : limit_(limit), window_ms_(window_ms) {}

  /// 0 means unlimited.
  void set_limit(int64_t limit) {
    limit_ = limit;
  }
  int64_t limit() const {
    return limit_;
  }

  /// Takes a slot at `now_ms` when one is free.
  window_decision admit(int64_t now_ms);
  /// The state without taking a slot.
  window_decision peek(int64_t now_ms);
  /// Requests counted in the window ending at `now_ms`.
  int64_t used(int64_t now_ms);

private:
  void expire(int64_t now_ms);
  window_decision describe(int64_t now_ms, bool admitted) const;

  int64_t limit_;
  int64_t window_ms_;
  std::deque<int64_t> stamps_;
};

} // namespace oh
