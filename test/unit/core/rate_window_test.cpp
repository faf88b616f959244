#include <gtest/gtest.h>

#include "core/rate_window.hpp"

using namespace oh;

TEST(RateWindow, AdmitsExactlyTheLimitWithinSixtySeconds) {
  rate_window w{3};
  EXPECT_TRUE(w.admit(1'000).admitted);
  EXPECT_TRUE(w.admit(2'000).admitted);
  auto third = w.admit(3'000);
  EXPECT_TRUE(third.admitted);
  EXPECT_EQ(third.remaining, 0);
  auto fourth = w.admit(4'000);
  EXPECT_FALSE(fourth.admitted);
  // The first slot frees at 1 000 + 60 000.
  EXPECT_EQ(fourth.retry_after_ms, 57'000);
}

TEST(RateWindow, SlidesWithoutFixedMinuteBoundaries) {
  rate_window w{2};
  EXPECT_TRUE(w.admit(59'000).admitted);
  EXPECT_TRUE(w.admit(59'500).admitted);
  // A fixed window would reset at 60 000; the sliding one does not.
  EXPECT_FALSE(w.admit(60'100).admitted);
  EXPECT_FALSE(w.admit(118'999).admitted);
  EXPECT_TRUE(w.admit(119'000).admitted); // ±0 at the boundary
  EXPECT_FALSE(w.admit(119'400).admitted);
  EXPECT_TRUE(w.admit(119'500).admitted);
}

TEST(RateWindow, RefusedRequestsTakeNoSlot) {
  rate_window w{1};
  EXPECT_TRUE(w.admit(0).admitted);
  for (int t = 1; t < 60'000; t += 5'000)
    EXPECT_FALSE(w.admit(t).admitted);
  EXPECT_TRUE(w.admit(60'000).admitted);
}

TEST(RateWindow, ResetIsTheTimeUntilTheWindowIsEmpty) {
  rate_window w{10};
  w.admit(1'000);
  w.admit(5'000);
  auto d = w.peek(6'000);
  EXPECT_EQ(d.remaining, 8);
  EXPECT_EQ(d.reset_ms, 59'000);
  EXPECT_EQ(w.used(61'000), 1);
}

TEST(RateWindow, ZeroMeansUnlimited) {
  rate_window w{0};
  for (int i = 0; i < 1000; ++i)
    EXPECT_TRUE(w.admit(i).admitted);
}
