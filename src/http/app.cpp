#include "http/app.hpp"

#include "core/crypto.hpp"
#include "core/logging.hpp"
#include "core/error_render.hpp"
#include "http/handlers/admin.hpp"
#include "http/handlers/chat.hpp"
#include "http/handlers/public.hpp"
#include "http/router.hpp"

namespace oh::http {

namespace {

bool is_loopback_host(std::string_view host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost"
         || host.starts_with("127.");
}

std::string_view hostname_of(std::string_view host_header) {
  if (host_header.starts_with("[")) {
    auto close = host_header.find(']');
    return close == std::string_view::npos ? host_header
                                           : host_header.substr(0, close + 1);
  }
  auto colon = host_header.rfind(':');
  return colon == std::string_view::npos ? host_header
                                         : host_header.substr(0, colon);
}

} // namespace

bool admin_host_allowed(const app_context& ctx, std::string_view host_header) {
  auto host = hostname_of(host_header);
  for (auto& allowed : ctx.allowed_hosts)
    if (iequals(host, allowed))
      return true;
  if (!is_loopback_host(ctx.listen_host))
    return ctx.allowed_hosts.empty();
  return iequals(host, "localhost") || host == "127.0.0.1" || host == "[::1]"
         || iequals(host, ctx.listen_host);
}

bool admin_origin_allowed(const app_context& ctx, const http_request& req) {
  auto origin = req.header("origin");
  if (!origin)
    return true; // not a browser's cross-site request (curl, the CLI)
  for (auto& allowed : ctx.admin_origins)
    if (iequals(*origin, allowed))
      return true;
  // Our own origin: the scheme and the Host the browser addressed.
  auto host = req.header("host");
  if (!host || host->empty())
    return false;
  for (std::string_view scheme : {"http://", "https://"})
    if (origin->size() == scheme.size() + host->size()
        && iequals(origin->substr(0, scheme.size()), scheme)
        && iequals(origin->substr(scheme.size()), *host))
      return true;
  return false;
}

bool has_admin_token(const app_context& ctx, const http_request& req) {
  std::string_view presented;
  if (auto auth = req.header("authorization");
      auth && auth->size() > 7 && iequals(auth->substr(0, 7), "bearer "))
    presented = auth->substr(7);
  else if (auto token = req.header("x-admin-token"))
    presented = *token;
  if (presented.empty())
    return false;
  // Hashing first makes the comparison independent of the token's length.
  return crypto::constant_time_equal(crypto::sha256_hex(presented),
                                     ctx.admin_token_hash);
}

void app::handle(http_request req, sink_ptr sink) {
  auto respond = respond_via(sink);
  bool v1 = req.path.starts_with("/v1/");
  if (v1 && req.method == "OPTIONS") {
    // CORS preflight: /v1 is for any origin, without credentials (SPEC §3).
    http_response res;
    res.status = 204;
    res.content_type.clear();
    res.headers = {{"Access-Control-Allow-Origin", "*"},
                   {"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
                   {"Access-Control-Allow-Headers",
                    "authorization, content-type, x-api-key, api-key, "
                    "x-openhinge-soul, x-request-id, anthropic-version, "
                    "anthropic-beta, openai-organization, openai-project"},
                   {"Access-Control-Max-Age", "600"}};
    respond(std::move(res));
    return;
  }
  auto route = match_route(req.method, req.path);
  auto d = dialect_for_path(req.path);
  if (route.kind == route_result::outcome::not_found) {
    respond(error_response(
      d, fail(errc::not_found, "no route for " + req.method + " " + req.path)));
    return;
  }
  if (route.kind == route_result::outcome::method_not_allowed) {
    auto res
      = error_response(d, fail(errc::method_not_allowed,
                               req.method + " is not allowed on " + req.path));
    res.headers.emplace_back("Allow", route.allow);
    respond(std::move(res));
    return;
  }
  switch (route.id) {
    case route_id::health:
      respond(handlers::health(*ctx_));
      return;
    case route_id::root:
      respond(handlers::root_redirect());
      return;
    case route_id::v1_chat:
    case route_id::v1_soul_chat:
    case route_id::v1_messages:
    case route_id::v1_soul_messages:
    case route_id::v1_count_tokens:
      handlers::handle_chat(ctx_, route, std::move(req), std::move(sink));
      return;
    case route_id::v1_models:
      handlers::handle_models(ctx_, std::move(req), std::move(sink));
      return;
    case route_id::metrics: {
      // The same DNS-rebinding guard as the admin API (SPEC §3).
      if (auto host = req.header("host");
          host && !admin_host_allowed(*ctx_, *host)) {
        respond(error_response(dialect::admin,
                               fail(errc::misdirected,
                                    "this host name may not reach /metrics; "
                                    "add it to admin.allowed_hosts")));
        return;
      }
      if (!ctx_->metrics_public && !has_admin_token(*ctx_, req)) {
        respond(error_response(dialect::admin,
                               fail(errc::auth_required,
                                    "/metrics needs the admin token (or set "
                                    "metrics.public)")));
        return;
      }
      http_response res;
      res.content_type = "text/plain; version=0.0.4; charset=utf-8";
      res.body = ctx_->services->metrics->reg.render();
      respond(std::move(res));
      return;
    }
    default:
      break;
  }
  // Everything else is the admin API.
  if (auto host = req.header("host");
      host && !admin_host_allowed(*ctx_, *host)) {
    respond(error_response(dialect::admin,
                           fail(errc::misdirected,
                                "this host name may not reach the admin API; "
                                "add it to admin.allowed_hosts")));
    return;
  }
  if (req.method != "GET" && req.method != "HEAD"
      && !admin_origin_allowed(*ctx_, req)) {
    // A page of another site driving a logged-in browser (SPEC §3): the
    // cookie sessions of the dashboard must never act for it.
    respond(error_response(dialect::admin,
                           fail(errc::forbidden,
                                "this Origin may not change the admin API; "
                                "add it to cors.admin_origins")));
    return;
  }
  if (!has_admin_token(*ctx_, req)) {
    bool presented = req.header("authorization") || req.header("x-admin-token");
    respond(error_response(
      dialect::admin,
      fail(presented ? errc::auth_invalid : errc::auth_required,
           presented ? "invalid admin token"
                     : "admin token required: send Authorization: Bearer "
                       "<admin token>")));
    return;
  }
  handlers::handle_admin(ctx_, route, std::move(req), std::move(respond));
}

} // namespace oh::http
