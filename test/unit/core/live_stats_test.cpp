#include <gtest/gtest.h>

#include "core/live_stats.hpp"
#include "http/handlers/admin_overview.hpp"

using oh::live_stats;

namespace {

constexpr int64_t minute = 60'000;
// A minute boundary, so offsets below land in known minutes.
constexpr int64_t t0 = 1'796'000'000'000 - 1'796'000'000'000 % minute;

live_stats::finished_request req(int64_t latency, bool error = false,
                                 int64_t ttft = -1) {
  return {.latency_ms = latency,
          .ttft_ms = ttft,
          .error = error,
          .input_tokens = 10,
          .output_tokens = 5,
          .cost_micros = 100};
}

} // namespace

TEST(LiveStats, CountsEachMinuteSeparatelyOldestFirst) {
  live_stats s;
  s.record(t0 + 1000, req(20));
  s.record(t0 + 59'000, req(40, true));
  s.record(t0 + minute + 5, req(30));
  auto m = s.last(t0 + minute + 10, 3);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].start_ms, t0 - minute);
  EXPECT_EQ(m[0].requests, 0u);
  EXPECT_EQ(m[1].start_ms, t0);
  EXPECT_EQ(m[1].requests, 2u);
  EXPECT_EQ(m[1].errors, 1u);
  EXPECT_EQ(m[1].input_tokens, 20);
  EXPECT_EQ(m[1].cost_micros, 200);
  EXPECT_EQ(m[2].requests, 1u);
  EXPECT_EQ(m[2].errors, 0u);
}

TEST(LiveStats, AMinuteFromAnHourAgoIsNotCountedAgain) {
  live_stats s;
  s.record(t0, req(10));
  // Sixty minutes later the same ring slot is reused: it starts empty.
  s.record(t0 + 60 * minute, req(10));
  auto m = s.last(t0 + 60 * minute, 60);
  ASSERT_EQ(m.size(), 60u);
  uint64_t total = 0;
  for (auto& x : m)
    total += x.requests;
  EXPECT_EQ(total, 1u);
  // And reading alone (no write) never shows the stale minute either.
  live_stats r;
  r.record(t0, req(10));
  auto later = r.last(t0 + 61 * minute, 60);
  for (auto& x : later)
    EXPECT_EQ(x.requests, 0u);
}

TEST(LiveStats, QuantilesInterpolateWithinTheBucket) {
  live_stats::histogram h{};
  EXPECT_EQ(live_stats::quantile(h, 0.5), -1);
  // 100 requests between 100 and 250 ms: the median is midway.
  h[5] = 100; // (100, 250]
  EXPECT_DOUBLE_EQ(live_stats::quantile(h, 0.5), 175.0);
  EXPECT_DOUBLE_EQ(live_stats::quantile(h, 1.0), 250.0);
  // 95 fast, 5 slow: p95 stays in the fast bucket, p99 reaches the slow.
  live_stats::histogram mix{};
  mix[0] = 95; // <= 5 ms
  mix[9] = 5;  // (2500, 5000]
  EXPECT_LE(live_stats::quantile(mix, 0.95), 5.0);
  EXPECT_GT(live_stats::quantile(mix, 0.99), 2500.0);
  // The open bucket reports its lower bound.
  live_stats::histogram slow{};
  slow[live_stats::bounds_ms.size()] = 1;
  EXPECT_EQ(live_stats::quantile(slow, 0.5),
            static_cast<double>(live_stats::bounds_ms.back()));
}

TEST(LiveStats, OverviewSummarisesTheNewestMinutesAndListsEveryMinute) {
  live_stats s;
  s.record(t0 - 10 * minute, req(5000)); // outside the 5-minute summary
  for (int i = 0; i < 4; ++i)
    s.record(t0 + i, req(20, i == 0, 300));
  auto text = oh::http::handlers::render_live_section(s.last(t0 + 1, 60), 5);
  EXPECT_NE(text.find("\"live\":{\"minutes\":5,\"requests\":4,"
                      "\"requests_per_min\":0.80,\"errors\":1,"
                      "\"error_rate\":0.2500,"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("\"ttft_p50_ms\":375"), std::string::npos) << text;
  EXPECT_NE(text.find("\"tokens\":60,\"cost_micros\":400}"), std::string::npos)
    << text;
  // 60 series entries, the old slow request among them.
  size_t entries = 0;
  for (size_t p = text.find("{\"t\":"); p != std::string::npos;
       p = text.find("{\"t\":", p + 1))
    ++entries;
  EXPECT_EQ(entries, 60u);
  EXPECT_NE(text.find("\"latency_p50_ms\":3750"), std::string::npos) << text;
}
