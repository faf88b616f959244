#pragma once

// The gateway's request handler: routes each request, applies the admin
// checks (Host, token) and hands it to the handler for its route.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/actors.hpp"
#include "actors/services.hpp"
#include "actors/snapshot.hpp"
#include "core/config.hpp"
#include "http/admin_auth.hpp"
#include "http/http_types.hpp"

#include <caf/actor.hpp>

namespace caf {
class actor_system;
}

namespace oh::http {

/// Who is calling the admin API.
struct admin_principal {
  /// "token", or "session:<public id>": the audit trail's who.
  std::string actor;
  /// The session, when the caller used one.
  std::optional<admin_session> session;
  /// Authenticated by the cookie (then changes need X-CSRF-Token).
  bool via_cookie = false;
};

struct oauth_runtime;

struct app_context {
  caf::actor_system* system = nullptr;
  actors::store_actor store;
  actors::registry_actor registry;
  std::shared_ptr<actors::snapshot_holder> snapshot;
  std::shared_ptr<const actors::gateway_services> services;
  /// The same services, for the few settings the dashboard changes live
  /// (routing.max_attempts).
  std::shared_ptr<actors::gateway_services> services_mut;
  /// The configuration the process started with (database level applied):
  /// which values a flag, the environment or the file fixes (SPEC §2).
  std::shared_ptr<const config> started_config;
  /// The admin token and dashboard sessions (SPEC §9.1).
  std::shared_ptr<admin_auth> auth;
  /// The configured listen host and extra allowed admin hosts (SPEC §3).
  std::string listen_host;
  /// The port the listener bound (known after start; `--port 0` picks one).
  std::atomic<uint16_t> listen_port{0};
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
  /// Browser logins in progress and their callback listeners (SPEC §7).
  std::shared_ptr<oauth_runtime> oauth;
  /// The Cloudflare tunnel (SPEC §12): its supervisor actor, the public
  /// listener started on demand (answers its bound port; `port` 0 = any
  /// free one; an already running listener answers its own), and the
  /// tunnel's hostname, which the admin Host check accepts only while
  /// tunnel.expose_admin is set.
  caf::actor tunnel_supervisor;
  std::function<expected<uint16_t>(uint16_t port)> ensure_public_listener;
  bool tunnel_expose_admin = false;
  std::atomic<std::shared_ptr<const std::string>> tunnel_hostname;
  /// One setup at a time: each writes the settings it read at its start.
  std::atomic<bool> tunnel_setup_busy{false};
};

/// True when a request's Origin (if any) is the gateway's own or one of
/// cors.admin_origins.
bool admin_origin_allowed(const app_context& ctx, const http_request& req);

class app final : public request_handler {
public:
  explicit app(std::shared_ptr<app_context> ctx) : ctx_(std::move(ctx)) {}
  void handle(http_request req, sink_ptr sink) override;

private:
  /// Answers 421 when the Host may not reach `what` (DNS rebinding, SPEC
  /// §3); true when it did.
  bool refuse_foreign_host(const http_request& req, const responder& respond,
                           std::string_view what) const;

  std::shared_ptr<app_context> ctx_;
};

/// Whether the Host header may reach /admin (DNS-rebinding guard, SPEC §3).
bool admin_host_allowed(const app_context& ctx, std::string_view host_header);

/// Whether the request carries the admin token (Bearer or x-admin-token).
bool has_admin_token(const app_context& ctx, const http_request& req);

/// Who the request authenticates as (SPEC §9.1): the admin token or a
/// session token in `Authorization`/`x-admin-token` (the header decides
/// when there is one), else the `oh_session` cookie. nullopt: nobody.
/// `persist` is set when the session's last use should be written back.
std::optional<admin_principal>
authenticate(const app_context& ctx, const http_request& req, bool& persist);

} // namespace oh::http
