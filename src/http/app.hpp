#pragma once

// The gateway's request handler: routes each request, applies the admin
// checks (Host, token) and hands it to the handler for its route.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/actors.hpp"
#include "actors/services.hpp"
#include "actors/snapshot.hpp"
#include "http/http_types.hpp"

#include <caf/actor.hpp>

namespace caf {
class actor_system;
}

namespace oh::http {

struct app_context {
  caf::actor_system* system = nullptr;
  actors::store_actor store;
  actors::registry_actor registry;
  std::shared_ptr<actors::snapshot_holder> snapshot;
  std::shared_ptr<const actors::gateway_services> services;
  /// SHA-256 hex of the admin token; compared in constant time.
  std::string admin_token_hash;
  /// The configured listen host and extra allowed admin hosts (SPEC §3).
  std::string listen_host;
  std::vector<std::string> allowed_hosts;
  /// cors.admin_origins: origins besides our own that may change things
  /// through the admin API (SPEC §3).
  std::vector<std::string> admin_origins;
  /// Set on SIGTERM: /health answers 503 while in-flight work finishes.
  std::atomic<bool> draining{false};
  /// Actors outside the registry, listed by /admin/actors.
  caf::actor usage_logger;
  caf::actor health_monitor;
  caf::actor acceptor;
  bool metrics_public = false;
  unsigned io_threads = 1;
  unsigned scheduler_threads = 1;
  int64_t started_ms = 0;
};

/// True when a request's Origin (if any) is the gateway's own or one of
/// cors.admin_origins.
bool admin_origin_allowed(const app_context& ctx, const http_request& req);

class app final : public request_handler {
public:
  explicit app(std::shared_ptr<app_context> ctx) : ctx_(std::move(ctx)) {}
  void handle(http_request req, sink_ptr sink) override;

private:
  std::shared_ptr<app_context> ctx_;
};

/// Whether the Host header may reach /admin (DNS-rebinding guard, SPEC §3).
bool admin_host_allowed(const app_context& ctx, std::string_view host_header);

/// Whether the request carries the admin token (Bearer or x-admin-token).
bool has_admin_token(const app_context& ctx, const http_request& req);

} // namespace oh::http
