#pragma once

// The last hour of traffic in one-minute buckets, kept in memory by the
// request actors as they finish (SPEC §13.1 Overview): requests, errors,
// tokens, cost and latency/TTFT histograms per minute. Reading it costs the
// same with an empty log or ten million rows.

#include <array>
#include <cstdint>
#include <mutex>
#include <vector>

namespace oh {

class live_stats {
public:
  static constexpr int minutes_kept = 60;
  /// Upper bounds of the latency buckets in milliseconds; a last, open
  /// bucket holds everything slower.
  static constexpr std::array<int64_t, 15> bounds_ms
    = {5,    10,   25,    50,    100,   250,    500,   1000,
       2500, 5000, 10000, 30000, 60000, 120000, 300000};
  using histogram = std::array<uint64_t, bounds_ms.size() + 1>;

  struct finished_request {
    int64_t latency_ms = 0;
    int64_t ttft_ms = -1; // -1: no first token (not a stream, or none came)
    bool error = false;
    int64_t input_tokens = 0;
    int64_t output_tokens = 0;
    int64_t cost_micros = 0;
  };

  struct minute {
    int64_t start_ms = 0; // the minute's first millisecond (UTC)
    uint64_t requests = 0;
    uint64_t errors = 0;
    int64_t input_tokens = 0;
    int64_t output_tokens = 0;
    int64_t cost_micros = 0;
    histogram latency{};
    histogram ttft{};
  };

  void record(int64_t now_ms, const finished_request& r);

  /// The last `count` minutes ending with the one holding `now_ms`, oldest
  /// first; minutes without traffic are present with zeros.
  std::vector<minute> last(int64_t now_ms, int count) const;

  /// Quantile `q` (0..1) of a histogram in milliseconds, interpolated
  /// within its bucket; -1 when the histogram is empty.
  static double quantile(const histogram& h, double q);

  /// Adds `from` into `into` (to summarise several minutes).
  static void merge(minute& into, const minute& from);

private:
  mutable std::mutex mu_;
  std::array<minute, minutes_kept> ring_{};
};

} // namespace oh
