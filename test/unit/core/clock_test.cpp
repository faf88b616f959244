#include <gtest/gtest.h>

#include "core/clock.hpp"

using namespace oh;

TEST(Clock, FormatsEpochAsIsoWithMilliseconds) {
  EXPECT_EQ(clock::format_iso(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(clock::format_iso(1'764'000'000'123), "2025-11-24T16:00:00.123Z");
  EXPECT_EQ(clock::format_iso(951'782'400'000), "2000-02-29T00:00:00.000Z");
}

TEST(Clock, ParsesTheFormatsAdminClientsSend) {
  EXPECT_EQ(clock::parse_timestamp("2025-11-24T16:00:00.123Z"),
            1'764'000'000'123);
  EXPECT_EQ(clock::parse_timestamp("2025-11-24 16:00:00"), 1'764'000'000'000);
  EXPECT_EQ(clock::parse_timestamp("2025-11-24"), 1'763'942'400'000);
  EXPECT_EQ(clock::parse_timestamp("2025-11-24T18:00:00+02:00"),
            1'764'000'000'000);
  EXPECT_EQ(clock::parse_timestamp("2025-11-24T16:00"), 1'764'000'000'000);
}

TEST(Clock, RejectsMalformedTimestamps) {
  for (auto bad : {"", "2025", "2025-13-01", "2025-02-30", "2025-11-24T25:00",
                   "2025-11-24Tnoon", "2025-11-24T16:00:00Zjunk", "none",
                   "2025-11-24T16:00:00."})
    EXPECT_FALSE(clock::parse_timestamp(bad)) << bad;
}

TEST(Clock, RoundTripsThroughFormat) {
  for (int64_t ms : {int64_t{0}, int64_t{1}, int64_t{86'399'999},
                     int64_t{4'102'444'800'000}}) {
    EXPECT_EQ(clock::parse_timestamp(clock::format_iso(ms)), ms);
  }
}
