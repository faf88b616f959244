#include <gtest/gtest.h>

#include "providers/retry_after.hpp"

using namespace oh::providers;

TEST(RetryAfter, ParsesOpenAiDurations) {
  EXPECT_EQ(parse_duration_ms("1s"), 1'000);
  EXPECT_EQ(parse_duration_ms("6m0s"), 360'000);
  EXPECT_EQ(parse_duration_ms("1h2m3.5s"), 3'723'500);
  EXPECT_EQ(parse_duration_ms("250ms"), 250);
  EXPECT_FALSE(parse_duration_ms("soon"));
  EXPECT_FALSE(parse_duration_ms(""));
}

TEST(RetryAfter, TakesTheLongestHintOfAllHeaders) {
  header_list h{{"retry-after", "7"}, {"x-ratelimit-reset-requests", "2s"}};
  EXPECT_EQ(retry_after_ms(h, 0), 7'000);
  h = {{"anthropic-ratelimit-requests-reset", "1970-01-01T00:00:30Z"}};
  EXPECT_EQ(retry_after_ms(h, 10'000), 20'000);
  h = {{"retry-after", "Thu, 01 Jan 1970 00:01:00 GMT"}};
  EXPECT_EQ(retry_after_ms(h, 0), 60'000);
  EXPECT_FALSE(retry_after_ms({{"content-type", "x"}}, 0));
}
