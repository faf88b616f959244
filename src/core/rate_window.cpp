#include "core/rate_window.hpp"

namespace oh {

void rate_window::expire(int64_t now_ms) {
  // A request admitted at t occupies its slot during [t, t + window).
  while (!stamps_.empty() && stamps_.front() + window_ms_ <= now_ms)
    stamps_.pop_front();
}

window_decision rate_window::describe(int64_t now_ms, bool admitted) const {
  window_decision d;
  d.admitted = admitted;
  d.limit = limit_;
  auto used = static_cast<int64_t>(stamps_.size());
  d.remaining = limit_ > 0 ? std::max<int64_t>(0, limit_ - used) : 0;
  d.reset_ms = stamps_.empty() ? 0 : stamps_.back() + window_ms_ - now_ms;
  if (limit_ > 0 && used >= limit_)
    d.retry_after_ms = stamps_.front() + window_ms_ - now_ms;
  return d;
}

window_decision rate_window::admit(int64_t now_ms) {
  expire(now_ms);
  if (limit_ <= 0) {
    window_decision d;
    d.admitted = true;
    return d;
  }
  if (static_cast<int64_t>(stamps_.size()) >= limit_)
    return describe(now_ms, false);
  stamps_.push_back(now_ms);
  return describe(now_ms, true);
}

window_decision rate_window::peek(int64_t now_ms) {
  expire(now_ms);
  return describe(now_ms, true);
}

int64_t rate_window::used(int64_t now_ms) {
  expire(now_ms);
  return static_cast<int64_t>(stamps_.size());
}

} // namespace oh
