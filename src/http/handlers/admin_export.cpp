#include "http/handlers/admin_export.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "core/error_render.hpp"
#include "core/logging.hpp"
#include "http/handlers/admin_logs.hpp"
#include "store/usage_query.hpp"

namespace oh::http::handlers {

namespace {

/// Bytes the export may be ahead of the client before it waits.
constexpr size_t max_backlog = 1024 * 1024;
/// Rows are sent in pieces of about this size.
constexpr size_t piece_bytes = 64 * 1024;

/// What the exporting thread and the connection's callbacks share.
struct export_flow {
  std::mutex mu;
  std::condition_variable wake;
  std::atomic<bool> cancelled{false};
};

/// The export's whole life: runs on a detached actor's own thread (it
/// blocks on SQLite and on the client), then quits.
void exporter(caf::event_based_actor* self, std::shared_ptr<app_context> ctx,
              store::log_query q, store::export_format format, sink_ptr sink,
              http_response head) {
  auto flow = std::make_shared<export_flow>();
  sink->on_cancel([flow] {
    flow->cancelled = true;
    flow->wake.notify_all();
  });
  size_t rows = 0;
  try {
    store::database db{ctx->started_config->db_path};
    sink->begin_stream(std::move(head));
    std::string piece;
    if (format == store::export_format::csv)
      piece = store::csv_header();
    auto send = [&](bool last) {
      if (piece.empty() || (!last && piece.size() < piece_bytes))
        return;
      sink->write(std::move(piece));
      piece.clear();
      // Backpressure: wait for the client rather than buffer the table.
      while (sink->backlog() > max_backlog && !flow->cancelled
             && !ctx->draining) {
        sink->on_drain([flow] {
          flow->wake.notify_all();
        });
        std::unique_lock lock{flow->mu};
        flow->wake.wait_for(lock, std::chrono::milliseconds(200));
      }
    };
    store::export_logs(db, q, format, [&](std::string_view line) {
      if (flow->cancelled || ctx->draining)
        return false;
      piece += line;
      ++rows;
      send(false);
      return true;
    });
    if (!flow->cancelled) {
      send(true);
      sink->end_stream();
    }
  } catch (const std::exception& e) {
    // The head may be out already: end the body; the client sees it short.
    OH_ERROR("log export failed after {} rows: {}", rows, e.what());
    sink->end_stream();
  }
  OH_INFO("log export: {} rows{}", rows,
          flow->cancelled ? " (client went away)" : "");
  self->quit();
}

} // namespace

void handle_export(const std::shared_ptr<app_context>& ctx,
                   const http_request& req, sink_ptr sink, http_response head) {
  auto q = read_log_query(req.query);
  auto format_name = query_param(req.query, "format").value_or("csv");
  std::optional<failure> bad;
  if (!q)
    bad = q.error();
  else if (format_name != "csv" && format_name != "ndjson")
    bad
      = failure{errc::invalid_value, "format: must be csv or ndjson", "format"};
  if (bad) {
    auto res = error_response(dialect::admin, *bad);
    for (auto& h : head.headers)
      res.headers.push_back(h);
    sink->respond(std::move(res));
    return;
  }
  auto format = format_name == "csv" ? store::export_format::csv
                                     : store::export_format::ndjson;
  head.status = 200;
  head.content_type = format == store::export_format::csv
                        ? "text/csv; charset=utf-8"
                        : "application/x-ndjson";
  head.headers.emplace_back(
    "Content-Disposition",
    std::string{"attachment; filename=\"openhinge-requests."}
      + (format == store::export_format::csv ? "csv" : "ndjson") + "\"");
  head.headers.emplace_back("Cache-Control", "no-store");
  ctx->system->spawn<caf::detached>(exporter, ctx, *q, format, std::move(sink),
                                    std::move(head));
}

} // namespace oh::http::handlers
