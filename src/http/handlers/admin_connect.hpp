#pragma once

// App connect (SPEC §9.2, reference §1.4): points OpenClaw at this gateway
// by editing OpenClaw's own configuration file, and undoes it.

#include <memory>

#include "http/app.hpp"
#include "http/http_types.hpp"
#include "http/router.hpp"

namespace oh::http::handlers {

/// GET /admin/connect/detect, POST /admin/connect {app, api_key},
/// POST /admin/connect/disconnect {app}. The user's file is copied aside
/// before it is changed and replaced atomically, keeping its mode.
void handle_connect(const std::shared_ptr<app_context>& ctx,
                    const route_result& route, http_request req,
                    const admin_principal& who, responder respond);

} // namespace oh::http::handlers
