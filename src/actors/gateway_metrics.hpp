#pragma once

// The metric families of SPEC §9.4, created once and shared by the actors
// and handlers that update them.

#include <memory>

#include "core/live_stats.hpp"
#include "core/metrics.hpp"

namespace oh::actors {

struct gateway_metrics {
  metrics::registry reg;
  metrics::counter_family& requests;
  metrics::histogram_family& duration;
  metrics::histogram_family& ttft;
  metrics::counter_family& tokens;
  metrics::counter_family& cost;
  metrics::counter_family& upstream_errors;
  metrics::counter_family& fallbacks;
  metrics::counter_family& rate_limited;
  metrics::counter_family& auth_failures;
  metrics::gauge_family& open_streams;
  metrics::counter_family& token_refresh;
  metrics::counter_family& unpriced;
  /// The last hour per minute, for the dashboard's overview.
  live_stats recent;

  gateway_metrics();
};

} // namespace oh::actors
