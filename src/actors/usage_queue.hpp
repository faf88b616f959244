#pragma once

// The bounded queue between request actors and the usage logger. Pushing
// never blocks and never grows past the capacity: overflow is counted and
// warned about once per second, never silent (SPEC §8).

#include <atomic>
#include <cstdint>
#include <functional>
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

  /// Where written rows are freed. A row's strings come from the allocator
  /// arena of the thread that made it; glibc frees each block under that
  /// arena's lock, so the logger freeing a whole flush of them made the I/O
  /// threads wait on their own malloc (docs/performance.md, c=1 p99). With
  /// these hooks each row remembers its thread (`origin` tells which, -1 for
  /// none) and `release` hands the rows of one origin back to be freed
  /// there; rows without an origin are freed by the caller.
  struct release_hooks {
    std::function<int()> origin;
    std::function<void(int, std::vector<store::usage_row>&&)> release;
  };
  void set_release_hooks(release_hooks hooks);
  /// Frees written rows: those of each origin where they were made (when
  /// hooks are set and `where_made` is true), the rest here.
  void release(std::vector<store::usage_row>&& rows, bool where_made = true);

  /// Held while rows taken from the queue are written: whoever holds it
  /// knows no taken row is half-written (the exit on a second signal
  /// writes what is queued under it, then ends the process).
  std::mutex& writer_gate() {
    return writer_gate_;
  }

  /// Rows retention deleted (for /metrics).
  void note_pruned(uint64_t n) {
    pruned_ += n;
  }
  uint64_t pruned() const {
    return pruned_.load();
  }

private:
  release_hooks hooks_;
  size_t capacity_;
  mutable std::mutex mu_;
  std::mutex writer_gate_;
  std::vector<store::usage_row> rows_;
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> pruned_{0};
  std::atomic<int64_t> last_warning_s_{0};
};

} // namespace oh::actors
