#pragma once

// GET /admin/overview: what the dashboard's first page shows, live — the
// last hour per minute from the request actors' in-memory counters, today's
// totals from the daily rollup (a few rows, whatever the log's size), open
// streams, requests in flight and the accounts' health.

#include <memory>
#include <string>
#include <vector>

#include "core/live_stats.hpp"
#include "http/app.hpp"

namespace oh::http::handlers {

void handle_overview(const std::shared_ptr<app_context>& ctx,
                     const http_request& req, responder respond);

/// `"live":{…},"series":[…]` for the given minutes (oldest first): the
/// newest `summary_minutes` summarised (per-minute rate, errors, latency
/// and TTFT p50/p95), then one entry per minute.
std::string render_live_section(const std::vector<live_stats::minute>& minutes,
                                int summary_minutes);

} // namespace oh::http::handlers
