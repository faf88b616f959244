#pragma once

#include <memory>

#include "http/app.hpp"
#include "http/http_types.hpp"
#include "http/router.hpp"

namespace oh::http::handlers {

/// Runs an authenticated admin request: the store actor writes, the registry
/// applies the change to the running actors, then the client is answered.
/// Nothing here blocks the I/O thread.
void handle_admin(const std::shared_ptr<app_context>& ctx,
                  const route_result& route, http_request req,
                  responder respond);

} // namespace oh::http::handlers
