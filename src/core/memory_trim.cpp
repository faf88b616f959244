#include "core/memory_trim.hpp"

#include <pthread.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace oh {

memory_trimmer::memory_trimmer(std::chrono::milliseconds interval)
  : thread_([this, interval] {
      run(interval);
    }) {}

memory_trimmer::~memory_trimmer() {
  {
    std::lock_guard guard{mu_};
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t memory_trimmer::trims() const {
  std::lock_guard guard{mu_};
  return trims_;
}

void memory_trimmer::run(std::chrono::milliseconds interval) {
  pthread_setname_np(pthread_self(), "oh.trim");
  std::unique_lock lock{mu_};
  while (!cv_.wait_for(lock, interval, [this] {
    return stop_;
  })) {
    lock.unlock();
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    lock.lock();
    ++trims_;
  }
}

} // namespace oh
