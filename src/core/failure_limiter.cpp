#include "core/failure_limiter.hpp"

#include <algorithm>

namespace oh {

void failure_limiter::prune(int64_t now_ms) {
  auto cutoff = now_ms - window_ms_;
  while (!all_.empty() && all_.front() <= cutoff)
    all_.pop_front();
  for (auto it = by_client_.begin(); it != by_client_.end();) {
    auto& q = it->second;
    while (!q.empty() && q.front() <= cutoff)
      q.pop_front();
    it = q.empty() ? by_client_.erase(it) : std::next(it);
  }
}

int64_t failure_limiter::retry_after_ms(const std::string& client,
                                        int64_t now_ms) {
  prune(now_ms);
  int64_t wait = 0;
  // The oldest failure that keeps the count at the limit decides when one
  // more attempt is allowed.
  if (auto it = by_client_.find(client);
      it != by_client_.end() && it->second.size() >= per_client_)
    wait = it->second[it->second.size() - per_client_] + window_ms_ - now_ms;
  if (all_.size() >= global_)
    wait = std::max(wait, all_[all_.size() - global_] + window_ms_ - now_ms);
  return std::max<int64_t>(wait, 0);
}

void failure_limiter::record_failure(const std::string& client,
                                     int64_t now_ms) {
  prune(now_ms);
  all_.push_back(now_ms);
  by_client_[client].push_back(now_ms);
}

} // namespace oh
