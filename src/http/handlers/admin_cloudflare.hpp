#pragma once

// /admin/cloudflare/* (SPEC §12): the original's read routes (zones,
// tunnels, dns, tunnel-status, dns/create, local-status) in its shapes,
// and the whole path: setup (zone → tunnel → ingress → CNAME → token →
// cloudflared), start and stop of the supervised tunnel.

#include <memory>

#include "http/app.hpp"
#include "http/router.hpp"

namespace oh::http::handlers {

bool is_cloudflare_route(route_id id);

void handle_cloudflare(const std::shared_ptr<app_context>& ctx,
                       const route_result& route, http_request req,
                       const admin_principal& who, responder respond);

/// At start: runs the tunnel again when the setup had enabled it (the
/// public listener on its stored port, cloudflared with the stored token).
void resume_tunnel(const std::shared_ptr<app_context>& ctx, store::database& db,
                   const store::credential_vault& vault);

} // namespace oh::http::handlers
