#include "core/live_stats.hpp"

#include <algorithm>

namespace oh {

namespace {

constexpr int64_t minute_ms = 60'000;

size_t bucket_of(int64_t ms) {
  auto& b = live_stats::bounds_ms;
  return static_cast<size_t>(std::lower_bound(b.begin(), b.end(), ms)
                             - b.begin());
}

size_t slot_of(int64_t start_ms) {
  return static_cast<size_t>((start_ms / minute_ms) % live_stats::minutes_kept);
}

} // namespace

void live_stats::record(int64_t now_ms, const finished_request& r) {
  int64_t start = now_ms - now_ms % minute_ms;
  std::lock_guard guard{mu_};
  auto& m = ring_[slot_of(start)];
  if (m.start_ms != start)
    m = minute{.start_ms = start}; // the slot last held an hour ago
  ++m.requests;
  if (r.error)
    ++m.errors;
  m.input_tokens += r.input_tokens;
  m.output_tokens += r.output_tokens;
  m.cost_micros += r.cost_micros;
  ++m.latency[bucket_of(std::max<int64_t>(r.latency_ms, 0))];
  if (r.ttft_ms >= 0)
    ++m.ttft[bucket_of(r.ttft_ms)];
}

std::vector<live_stats::minute> live_stats::last(int64_t now_ms,
                                                 int count) const {
  count = std::clamp(count, 1, minutes_kept);
  int64_t newest = now_ms - now_ms % minute_ms;
  std::vector<minute> out;
  out.reserve(static_cast<size_t>(count));
  std::lock_guard guard{mu_};
  for (int i = count - 1; i >= 0; --i) {
    int64_t start = newest - i * minute_ms;
    auto& m = ring_[slot_of(start)];
    out.push_back(m.start_ms == start ? m : minute{.start_ms = start});
  }
  return out;
}

double live_stats::quantile(const histogram& h, double q) {
  uint64_t total = 0;
  for (auto c : h)
    total += c;
  if (total == 0)
    return -1;
  double rank = std::clamp(q, 0.0, 1.0) * static_cast<double>(total);
  uint64_t seen = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    if (h[i] == 0 || static_cast<double>(seen + h[i]) < rank) {
      seen += h[i];
      continue;
    }
    double lower = i == 0 ? 0.0 : static_cast<double>(bounds_ms[i - 1]);
    if (i == bounds_ms.size())
      return lower; // the open bucket: its lower bound is all we know
    double upper = static_cast<double>(bounds_ms[i]);
    double within
      = (rank - static_cast<double>(seen)) / static_cast<double>(h[i]);
    return lower + (upper - lower) * std::clamp(within, 0.0, 1.0);
  }
  return static_cast<double>(bounds_ms.back());
}

void live_stats::merge(minute& into, const minute& from) {
  into.requests += from.requests;
  into.errors += from.errors;
  into.input_tokens += from.input_tokens;
  into.output_tokens += from.output_tokens;
  into.cost_micros += from.cost_micros;
  for (size_t i = 0; i < into.latency.size(); ++i) {
    into.latency[i] += from.latency[i];
    into.ttft[i] += from.ttft[i];
  }
}

} // namespace oh
