#pragma once

// /admin/auth/*: setup, login, logout, verify, change-password, sessions and
// the admin token's rotation (SPEC §9.1). Password checks and session
// writes run on the store thread (scrypt takes tens of milliseconds there,
// never on an I/O thread).

#include <memory>

#include "http/app.hpp"
#include "http/http_types.hpp"
#include "http/router.hpp"

namespace oh::http::handlers {

/// The routes anyone may call: status, setup, login.
bool is_public_auth_route(route_id id);

/// Answers an /admin/auth route; `who` is empty for the public ones.
void handle_auth(const std::shared_ptr<app_context>& ctx,
                 const route_result& route, http_request req,
                 const admin_principal& who, responder respond);

/// A session was used long enough after its last write: store last_seen.
void persist_session_touch(const std::shared_ptr<app_context>& ctx,
                           const admin_session& session);

} // namespace oh::http::handlers
