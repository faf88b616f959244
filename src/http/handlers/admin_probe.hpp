#pragma once

// Provider operations that talk to upstreams (SPEC §9.2): testing
// credentials before they are saved, health checks on demand, quick-add.

#include <memory>
#include <string>

#include "http/app.hpp"
#include "http/http_types.hpp"
#include "http/router.hpp"

namespace oh::http::handlers {

/// POST /admin/providers/probe {type, base_url?, api_key?}: a model listing
/// with credentials that are not saved; no generation quota is spent.
void handle_providers_probe(const std::shared_ptr<app_context>& ctx,
                            const http_request& req, responder respond);

/// POST /admin/providers/health (every account, concurrently, each within
/// a time limit) and POST /admin/providers/{id}/health (`id` not empty).
void handle_providers_health(const std::shared_ptr<app_context>& ctx,
                             std::string id, responder respond);

/// POST /admin/providers/quick-add {type, token?, name?, priority?,
/// base_url?}: probes the credentials, then creates the account with the
/// first listed model as its default; nothing is saved when the probe fails.
void handle_quick_add(const std::shared_ptr<app_context>& ctx,
                      const route_result& route, http_request req,
                      const admin_principal& who, responder respond);

} // namespace oh::http::handlers
