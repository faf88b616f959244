#pragma once

#include "http/app.hpp"
#include "http/http_types.hpp"

namespace oh::http::handlers {

/// `GET /health`: `{"status":"ok","timestamp":…}`; 503 while draining.
http_response health(const app_context& ctx);

/// `GET /` → 302 to the dashboard.
http_response root_redirect();

} // namespace oh::http::handlers
