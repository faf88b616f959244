#include "core/memory_trim.hpp"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace oh {
namespace {

using namespace std::chrono_literals;

TEST(MemoryTrimmer, TrimsAtItsInterval) {
  memory_trimmer trimmer{5ms};
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (trimmer.trims() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  EXPECT_GE(trimmer.trims(), 3u);
}

TEST(MemoryTrimmer, StopsWithoutWaitingForTheInterval) {
  // An hour-long interval: destruction must not wait for it (a hang here is
  // caught by the test's timeout).
  memory_trimmer trimmer{std::chrono::hours(1)};
  EXPECT_EQ(trimmer.trims(), 0u);
}

} // namespace
} // namespace oh
