#include <gtest/gtest.h>

#include "core/circuit_breaker.hpp"

using namespace oh;

TEST(CircuitBreaker, OpensAfterConsecutiveFailures) {
  circuit_breaker b{3, 1'000};
  b.on_failure(0);
  b.on_failure(1);
  b.on_success(2); // a success resets the count
  b.on_failure(3);
  b.on_failure(4);
  EXPECT_EQ(b.state(4), circuit_state::closed);
  b.on_failure(5);
  EXPECT_EQ(b.state(5), circuit_state::open);
  EXPECT_FALSE(b.allow(500));
  EXPECT_EQ(b.open_until(), 1'005);
}

TEST(CircuitBreaker, HalfOpenLetsExactlyOneTrialThrough) {
  circuit_breaker b{1, 1'000};
  b.on_failure(0);
  EXPECT_FALSE(b.allow(999));
  EXPECT_EQ(b.state(1'000), circuit_state::half_open);
  EXPECT_TRUE(b.allow(1'000));
  EXPECT_FALSE(b.allow(1'001)); // the trial is still out
  b.on_success(1'002);
  EXPECT_EQ(b.state(1'002), circuit_state::closed);
  EXPECT_TRUE(b.allow(1'003));
}

TEST(CircuitBreaker, ASuccessDuringTheCoolDownDoesNotCloseIt) {
  circuit_breaker b{1, 1'000};
  b.on_failure(0);
  b.on_success(500); // a probe, or a request that began before it opened
  EXPECT_EQ(b.state(500), circuit_state::open);
  EXPECT_FALSE(b.allow(600));
  // After the cool-down a success (the half-open trial) closes it.
  EXPECT_EQ(b.state(1'000), circuit_state::half_open);
  b.on_success(1'000);
  EXPECT_EQ(b.state(1'000), circuit_state::closed);
}

TEST(CircuitBreaker, AFailedTrialReopensForTwiceAsLongUpToTheCap) {
  circuit_breaker b{1, 1'000, 3'000};
  b.on_failure(0);
  ASSERT_TRUE(b.allow(1'000));
  b.on_failure(1'000);
  EXPECT_EQ(b.open_until(), 3'000); // 2 000 ms cool-down
  ASSERT_TRUE(b.allow(3'000));
  b.on_failure(3'000);
  EXPECT_EQ(b.open_until(), 6'000); // capped at 3 000
  ASSERT_TRUE(b.allow(6'000));
  b.on_success(6'000);
  b.on_failure(7'000);
  EXPECT_EQ(b.open_until(), 8'000); // back to the base after closing
}

TEST(CircuitBreaker, ANeutralTrialFreesTheSlot) {
  circuit_breaker b{1, 100};
  b.on_failure(0);
  ASSERT_TRUE(b.allow(100));
  b.on_neutral();
  EXPECT_TRUE(b.allow(101));
}
