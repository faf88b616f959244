#pragma once

// The request actors alive now: for /admin/actors and for ending streams
// cleanly at the drain deadline.

#include <mutex>
#include <set>
#include <vector>

#include "actors/actors.hpp"

namespace oh::actors {

class live_requests {
public:
  void add(const request_actor& a) {
    std::lock_guard guard{mu_};
    set_.insert(a);
  }
  void remove(const request_actor& a) {
    std::lock_guard guard{mu_};
    set_.erase(a);
  }
  std::vector<request_actor> all() const {
    std::lock_guard guard{mu_};
    return {set_.begin(), set_.end()};
  }
  size_t size() const {
    std::lock_guard guard{mu_};
    return set_.size();
  }

private:
  mutable std::mutex mu_;
  std::set<request_actor> set_;
};

} // namespace oh::actors
