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
                  const admin_principal& who, responder respond);

/// Runs `job` on the store actor, applies its changes in the registry, then
/// answers with its reply.
void run_store_job(const std::shared_ptr<app_context>& ctx,
                   actors::store_job job, responder respond);

/// GET /health?deep=1: the store and the actors answer (SPEC §3).
void handle_deep_health(const std::shared_ptr<app_context>& ctx,
                        responder respond);

/// An admin job's reply as an HTTP answer (its extra headers included).
http_response admin_reply_to_http(const actors::admin_reply& reply);

} // namespace oh::http::handlers
