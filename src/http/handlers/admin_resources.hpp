#pragma once

// Admin API resources (SPEC §9.2) as functions that run on the store actor's
// thread: validate, write the store, and return the reply plus the changes
// the registry applies to the running actors.

#include <memory>
#include <string>

#include "actors/health_board.hpp"
#include "actors/messages.hpp"
#include "core/json.hpp"
#include "http/router.hpp"

namespace oh::http::admin {

struct admin_call {
  route_id route;
  std::string method;
  std::string id; // the `{id}` path segment
  /// Parsed body for POST/PATCH/PUT (an empty object when no body was sent).
  std::shared_ptr<const json::document> body;
  /// Who: "token" or "session:<prefix>", for the audit trail.
  std::string actor;
  /// Live account health (circuit, limits, in flight); may be null.
  std::shared_ptr<const actors::health_board> health;
};

/// Runs one admin call against the store.
actors::admin_reply run_admin_call(actors::store_context& ctx,
                                   const admin_call& call);

// Per resource (one file each).
actors::admin_reply providers_call(actors::store_context& ctx,
                                   const admin_call& call);
actors::admin_reply souls_call(actors::store_context& ctx,
                               const admin_call& call);
actors::admin_reply keys_call(actors::store_context& ctx,
                              const admin_call& call);

/// Helpers shared by the resource files.
actors::admin_reply reply_error(failure f);
actors::admin_reply reply_json(uint16_t status, std::string body);
actors::admin_reply reply_ok();

} // namespace oh::http::admin
