#pragma once

// The request log for people (SPEC §8): search, one request's detail and
// cost reports. Parameters are checked here (400 naming the parameter); the
// queries run on the store thread (store/usage_query, store/cost_reports).

#include <memory>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "http/app.hpp"
#include "http/http_types.hpp"
#include "http/router.hpp"
#include "store/cost_reports.hpp"
#include "store/usage_query.hpp"

namespace oh::http::handlers {

/// GET /admin/cost/logs/query, /admin/cost/logs, /admin/logs/{request_id},
/// /admin/cost/report, /admin/cost/by-{soul,key,provider,model}.
void handle_logs(const std::shared_ptr<app_context>& ctx,
                 const route_result& route, const http_request& req,
                 responder respond);

/// The search parameters of a query string (pure, for tests).
expected<store::log_query> read_log_query(std::string_view query);

/// `days` (default 30) or `from`/`to` as UTC days, ending today.
expected<store::day_range> read_day_range(std::string_view query,
                                          int64_t now_ms);

} // namespace oh::http::handlers
