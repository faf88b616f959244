#include "http/handlers/admin_overview.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "actors/live_requests.hpp"
#include "core/circuit_breaker.hpp"
#include "core/clock.hpp"
#include "core/error_render.hpp"
#include "core/json.hpp"
#include "http/handlers/admin.hpp"
#include "store/statement.hpp"

namespace oh::http::handlers {

namespace {

/// A quantile in whole milliseconds, or null when nothing was measured.
std::string ms_or_null(double v) {
  if (v < 0)
    return "null";
  return std::to_string(static_cast<int64_t>(v + 0.5));
}

std::string fixed(double v, const char* format) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

/// Accounts by health status, and how many have an open circuit.
std::string providers_section(const app_context& ctx) {
  auto snap = ctx.snapshot->load();
  int healthy = 0, degraded = 0, down = 0, unknown = 0, open = 0;
  for (auto& [id, actor] : snap->accounts_by_id) {
    auto cell = ctx.services->health->find(id);
    if (!cell) {
      ++unknown;
      continue;
    }
    auto status = cell->read().status;
    if (status == "healthy")
      ++healthy;
    else if (status == "degraded")
      ++degraded;
    else if (status == "down")
      ++down;
    else
      ++unknown;
    if (cell->circuit.load() != static_cast<uint8_t>(circuit_state::closed))
      ++open;
  }
  return "{\"total\":" + std::to_string(snap->accounts_by_id.size())
         + ",\"healthy\":" + std::to_string(healthy) + ",\"degraded\":"
         + std::to_string(degraded) + ",\"down\":" + std::to_string(down)
         + ",\"unknown\":" + std::to_string(unknown)
         + ",\"circuit_not_closed\":" + std::to_string(open) + "}";
}

} // namespace

std::string render_live_section(const std::vector<live_stats::minute>& minutes,
                                int summary_minutes) {
  live_stats::minute sum;
  int n = std::min<int>(summary_minutes, static_cast<int>(minutes.size()));
  for (int i = static_cast<int>(minutes.size()) - n;
       i < static_cast<int>(minutes.size()); ++i)
    live_stats::merge(sum, minutes[static_cast<size_t>(i)]);
  double per_min = n > 0 ? static_cast<double>(sum.requests) / n : 0.0;
  std::string out
    = "\"live\":{\"minutes\":" + std::to_string(n)
      + ",\"requests\":" + std::to_string(sum.requests)
      + ",\"requests_per_min\":" + fixed(per_min, "%.2f")
      + ",\"errors\":" + std::to_string(sum.errors) + ",\"error_rate\":"
      + fixed(sum.requests > 0 ? static_cast<double>(sum.errors)
                                   / static_cast<double>(sum.requests)
                               : 0.0,
              "%.4f")
      + ",\"latency_p50_ms\":"
      + ms_or_null(live_stats::quantile(sum.latency, 0.5))
      + ",\"latency_p95_ms\":"
      + ms_or_null(live_stats::quantile(sum.latency, 0.95))
      + ",\"ttft_p50_ms\":" + ms_or_null(live_stats::quantile(sum.ttft, 0.5))
      + ",\"ttft_p95_ms\":" + ms_or_null(live_stats::quantile(sum.ttft, 0.95))
      + ",\"tokens\":" + std::to_string(sum.input_tokens + sum.output_tokens)
      + ",\"cost_micros\":" + std::to_string(sum.cost_micros)
      + "},\"series\":[";
  bool first = true;
  for (auto& m : minutes) {
    if (!first)
      out += ',';
    first = false;
    out += "{\"t\":";
    json::append_quoted(out, clock::format_iso(m.start_ms));
    out += ",\"requests\":" + std::to_string(m.requests)
           + ",\"errors\":" + std::to_string(m.errors) + ",\"latency_p50_ms\":"
           + ms_or_null(live_stats::quantile(m.latency, 0.5))
           + ",\"latency_p95_ms\":"
           + ms_or_null(live_stats::quantile(m.latency, 0.95))
           + ",\"ttft_p50_ms\":" + ms_or_null(live_stats::quantile(m.ttft, 0.5))
           + ",\"tokens\":" + std::to_string(m.input_tokens + m.output_tokens)
           + ",\"cost_micros\":" + std::to_string(m.cost_micros) + "}";
  }
  return out + "]";
}

void handle_overview(const std::shared_ptr<app_context>& ctx,
                     const http_request& req, responder respond) {
  int minutes = live_stats::minutes_kept;
  if (auto v = query_param(req.query, "minutes"); v && !v->empty()) {
    int n = 0;
    auto r = std::from_chars(v->data(), v->data() + v->size(), n);
    if (r.ec != std::errc{} || r.ptr != v->data() + v->size() || n < 1
        || n > live_stats::minutes_kept) {
      respond(error_response(
        dialect::admin, failure{errc::invalid_value,
                                "minutes: must be an integer from 1 to "
                                  + std::to_string(live_stats::minutes_kept),
                                "minutes"}));
      return;
    }
    minutes = n;
  }
  // Today's totals come from the rollup the log writer keeps (one row per
  // account and day), read on the store thread; everything else is memory.
  actors::store_job job = [ctx, minutes](actors::store_context& sc) {
    auto today = clock::now_iso().substr(0, 10);
    store::statement q{
      sc.db, "SELECT COALESCE(SUM(requests),0), COALESCE(SUM(errors),0),"
             " COALESCE(SUM(input_tokens),0), COALESCE(SUM(output_tokens),0),"
             " COALESCE(SUM(cost_micros),0) FROM usage_daily"
             " WHERE dimension = 'provider' AND date = ?1"};
    q.bind(1, today);
    q.step();
    auto now = clock::now_ms();
    auto& services = *ctx->services;
    std::string body = "{\"data\":{\"now\":";
    json::append_quoted(body, clock::format_iso(now));
    body
      += ","
         + render_live_section(services.metrics->recent.last(now, minutes), 5);
    body += ",\"today\":{\"date\":\"" + today
            + "\",\"requests\":" + std::to_string(q.int64(0))
            + ",\"errors\":" + std::to_string(q.int64(1))
            + ",\"input_tokens\":" + std::to_string(q.int64(2))
            + ",\"output_tokens\":" + std::to_string(q.int64(3))
            + ",\"cost_micros\":" + std::to_string(q.int64(4))
            + ",\"cost_cents\":"
            + fixed(static_cast<double>(q.int64(4)) / 10'000.0, "%.4f") + "}";
    body += ",\"open_streams\":"
            + std::to_string(
              static_cast<int64_t>(services.metrics->open_streams.sum()))
            + ",\"in_flight\":" + std::to_string(services.live->all().size())
            + ",\"uptime_s\":" + std::to_string((now - ctx->started_ms) / 1000)
            + ",\"providers\":" + providers_section(*ctx) + "}}";
    actors::admin_reply r;
    r.body = std::move(body);
    return r;
  };
  run_store_job(ctx, std::move(job), std::move(respond));
}

} // namespace oh::http::handlers
