#pragma once

// The dashboard's static files (web/, embedded): GET and HEAD under
// /dashboard/, with the security headers of SPEC §3 and ETag revalidation,
// so a reload costs one round trip per asset and no body when unchanged.

#include <string_view>

#include "http/http_types.hpp"

namespace oh::http::handlers {

/// `/dashboard` and every path under `/dashboard/`.
bool is_dashboard_path(std::string_view path);

/// The answer for a dashboard path: the asset, 304 when the browser's copy
/// is current, a redirect from `/dashboard` to `/dashboard/`, 404 or 405.
http_response serve_dashboard(const http_request& req);

} // namespace oh::http::handlers
