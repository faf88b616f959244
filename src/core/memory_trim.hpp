#pragma once

// Gives freed heap memory back to the system at a fixed interval.
//
// glibc keeps memory freed by the I/O threads in their arenas; after a burst
// (say 256 busy connections) the process kept ~50 MB resident while ~25 MB
// of it was free (docs/performance.md). malloc_trim(0) hands whole free
// pages back; it runs here on its own thread so no I/O thread pauses for it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace oh {

class memory_trimmer {
public:
  explicit memory_trimmer(std::chrono::milliseconds interval);
  /// Stops the thread at once, whatever the interval.
  ~memory_trimmer();
  memory_trimmer(const memory_trimmer&) = delete;
  memory_trimmer& operator=(const memory_trimmer&) = delete;

  /// How many times memory was trimmed so far.
  uint64_t trims() const;

private:
  void run(std::chrono::milliseconds interval);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  uint64_t trims_ = 0;
  std::thread thread_;
};

} // namespace oh
