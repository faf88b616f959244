#pragma once

// The bounded queue between request actors and the usage logger. Pushing
// never blocks and never grows past the capacity: overflow is counted and
// warned about once per second, never silent (SPEC §8).

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "store/usage_repo.hpp"

namespace oh::actors {

class usage_queue {
public:
  explicit usage_queue(size_t capacity = 100'000) : capacity_(capacity) {}

  /// Adds a row; false (and a drop counted) when the queue is full.
  bool push(store::usage_row row);
  /// Takes up to `max` rows, oldest first.
  std::vector<store::usage_row> take(size_t max);

  size_t depth() const;
  uint64_t dropped() const {
    return dropped_.load();
  }

private:
  size_t capacity_;
  mutable std::mutex mu_;
  std::vector<store::usage_row> rows_;
  std::atomic<uint64_t> dropped_{0};
  std::atomic<int64_t> last_warning_s_{0};
};

} // namespace oh::actors
