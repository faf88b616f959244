#include "core/circuit_breaker.hpp"

#include <algorithm>

namespace oh {

const char* to_string(circuit_state s) {
  switch (s) {
    case circuit_state::closed:
      return "closed";
    case circuit_state::half_open:
      return "half_open";
    case circuit_state::open:
      return "open";
  }
  return "closed";
}

circuit_state circuit_breaker::state(int64_t now_ms) const {
  if (!open_)
    return circuit_state::closed;
  return now_ms >= open_until_ ? circuit_state::half_open : circuit_state::open;
}

bool circuit_breaker::allow(int64_t now_ms) {
  switch (state(now_ms)) {
    case circuit_state::closed:
      return true;
    case circuit_state::open:
      return false;
    case circuit_state::half_open:
      if (trial_in_flight_)
        return false;
      trial_in_flight_ = true;
      return true;
  }
  return false;
}

void circuit_breaker::on_success(int64_t now_ms) {
  // While open, the cool-down runs out first: a success that arrives then
  // (a request started before the circuit opened, a health probe) does not
  // close it. Half-open, the trial (request or probe) decides (SPEC §6.3).
  if (open_ && now_ms < open_until_)
    return;
  failures_ = 0;
  open_ = false;
  trial_in_flight_ = false;
  cooldown_ms_ = base_cooldown_ms_;
}

void circuit_breaker::on_failure(int64_t now_ms) {
  if (open_) {
    if (trial_in_flight_ || now_ms >= open_until_) {
      // The trial failed: open again, for longer.
      trial_in_flight_ = false;
      cooldown_ms_ = std::min(cooldown_ms_ * 2, max_cooldown_ms_);
      open_until_ = now_ms + cooldown_ms_;
    }
    return;
  }
  if (++failures_ >= threshold_) {
    open_ = true;
    trial_in_flight_ = false;
    open_until_ = now_ms + cooldown_ms_;
  }
}

void circuit_breaker::on_neutral() {
  trial_in_flight_ = false;
}

} // namespace oh
