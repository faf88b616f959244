#include "http/app.hpp"

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/logging.hpp"
#include "core/error_render.hpp"
#include "http/handlers/admin_export.hpp"
#include "http/handlers/admin.hpp"
#include "http/handlers/admin_auth.hpp"
#include "http/handlers/admin_settings.hpp"
#include "http/handlers/chat.hpp"
#include "http/handlers/dashboard.hpp"
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
  if (ctx.tunnel_expose_admin)
    if (auto tunnel = ctx.tunnel_hostname.load();
        tunnel && !tunnel->empty() && iequals(host, *tunnel))
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

namespace {

/// The token of `Authorization: Bearer` or `x-admin-token`, if any.
std::optional<std::string_view> header_token(const http_request& req) {
  if (auto auth = req.header("authorization");
      auth && auth->size() > 7 && iequals(auth->substr(0, 7), "bearer "))
    return auth->substr(7);
  if (auto token = req.header("x-admin-token"))
    return *token;
  return std::nullopt;
}

} // namespace

bool has_admin_token(const app_context& ctx, const http_request& req) {
  auto presented = header_token(req);
  return presented && ctx.auth->is_admin_token(*presented);
}

std::optional<admin_principal>
authenticate(const app_context& ctx, const http_request& req, bool& persist) {
  persist = false;
  auto now = clock::now_ms();
  admin_principal who;
  if (auto presented = header_token(req)) {
    // The header decides, even beside a cookie (the original's dashboard
    // sends both); no CSRF token is needed without the cookie.
    if (ctx.auth->is_admin_token(*presented)) {
      who.actor = "token";
      return who;
    }
    if (auto s = ctx.auth->use_session(*presented, now, persist)) {
      who.actor = "session:" + s->public_id();
      who.session = std::move(*s);
      return who;
    }
    return std::nullopt;
  }
  auto cookies = req.header("cookie");
  if (!cookies)
    return std::nullopt;
  auto token = cookie_value(*cookies, "oh_session");
  if (!token)
    return std::nullopt;
  auto s = ctx.auth->use_session(*token, now, persist);
  if (!s)
    return std::nullopt;
  who.actor = "session:" + s->public_id();
  who.session = std::move(*s);
  who.via_cookie = true;
  return who;
}

namespace {

/// The Origin allowed to read admin answers across origins (SPEC §3): one
/// of cors.admin_origins, exactly; nothing else gets CORS headers.
std::optional<std::string> cors_admin_origin(const app_context& ctx,
                                             const http_request& req) {
  auto origin = req.header("origin");
  if (!origin)
    return std::nullopt;
  for (auto& allowed : ctx.admin_origins)
    if (iequals(*origin, allowed))
      return allowed;
  return std::nullopt;
}

/// x-request-id and x-openhinge-version, unless the answer has them.
void add_request_headers(http_response& res) {
  for (auto& [name, value] : res.headers)
    if (iequals(name, "x-request-id"))
      return;
  if (res.head_lines.find("x-request-id:") != std::string::npos)
    return;
  res.headers.emplace_back("x-request-id", crypto::new_id());
  res.headers.emplace_back("x-openhinge-version", OH_VERSION);
}

/// Headers every admin answer carries (SPEC §3), and CORS for an allowed
/// origin.
void add_admin_headers(http_response& res,
                       const std::optional<std::string>& origin) {
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; frame-ancestors 'none'");
  res.headers.emplace_back("Cache-Control", "no-store");
  if (origin) {
    res.headers.emplace_back("Access-Control-Allow-Origin", *origin);
    res.headers.emplace_back("Access-Control-Allow-Credentials", "true");
    res.headers.emplace_back("Vary", "Origin");
  }
}

} // namespace

bool app::refuse_foreign_host(const http_request& req, const responder& respond,
                              std::string_view what) const {
  auto host = req.header("host");
  if (!host || admin_host_allowed(*ctx_, *host))
    return false;
  respond(error_response(
    dialect::admin,
    fail(errc::misdirected, "this host name may not reach " + std::string{what}
                              + "; add it to admin.allowed_hosts")));
  return true;
}

void app::handle(http_request req, sink_ptr sink) {
  auto respond = respond_via(sink);
  if (req.path.starts_with("/admin")) {
    auto origin = cors_admin_origin(*ctx_, req);
    respond = [inner = std::move(respond), origin](http_response res) {
      add_admin_headers(res, origin);
      inner(std::move(res));
    };
    if (req.method == "OPTIONS") {
      // Preflight: answered for cors.admin_origins only; any other origin
      // gets a 403 without CORS headers, so the browser stops there.
      if (!origin) {
        respond(error_response(
          dialect::admin,
          fail(errc::forbidden, "this origin may not use the admin API; add "
                                "it to cors.admin_origins")));
        return;
      }
      http_response res;
      res.status = 204;
      res.content_type.clear();
      res.headers = {{"Access-Control-Allow-Methods",
                      "GET, POST, PUT, PATCH, DELETE, OPTIONS"},
                     {"Access-Control-Allow-Headers",
                      "authorization, content-type, x-admin-token, "
                      "x-csrf-token"},
                     {"Access-Control-Max-Age", "600"}};
      respond(std::move(res));
      return;
    }
  }
  bool v1 = req.path.starts_with("/v1/");
  if (v1) {
    // Every /v1 answer names its request and our version (SPEC §3), the
    // router's 404 and 405 too; the handlers add their own.
    respond = [inner = std::move(respond)](http_response res) {
      add_request_headers(res);
      inner(std::move(res));
    };
  }
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
  if (handlers::is_dashboard_path(req.path)) {
    respond(handlers::serve_dashboard(req));
    return;
  }
  auto route = match_route(req.method, req.path);
  auto d = dialect_for_path(req.path);
  if (route.kind == route_result::outcome::not_found) {
    respond(error_response(
      d, fail(errc::not_found, "no route for " + clip_echo(req.method) + " "
                                 + clip_echo(req.path))));
    return;
  }
  if (route.kind == route_result::outcome::method_not_allowed) {
    auto res
      = error_response(d, fail(errc::method_not_allowed,
                               clip_echo(req.method) + " is not allowed on "
                                 + clip_echo(req.path)));
    res.headers.emplace_back("Allow", route.allow);
    respond(std::move(res));
    return;
  }
  switch (route.id) {
    case route_id::health:
      if (query_param(req.query, "deep").value_or("") == "1") {
        handlers::handle_deep_health(ctx_, std::move(respond));
        return;
      }
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
      if (refuse_foreign_host(req, respond, "/metrics"))
        return;
      bool touched = false;
      if (!ctx_->metrics_public && !authenticate(*ctx_, req, touched)) {
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
  if (refuse_foreign_host(req, respond, "the admin API"))
    return;
  bool change = req.method != "GET" && req.method != "HEAD";
  if (change && !admin_origin_allowed(*ctx_, req)) {
    // A page of another site driving a logged-in browser (SPEC §3): the
    // cookie sessions of the dashboard must never act for it.
    respond(error_response(dialect::admin,
                           fail(errc::forbidden,
                                "this Origin may not change the admin API; "
                                "add it to cors.admin_origins")));
    return;
  }
  if (handlers::is_public_auth_route(route.id)) {
    handlers::handle_auth(ctx_, route, std::move(req), admin_principal{},
                          std::move(respond));
    return;
  }
  bool persist = false;
  auto who = authenticate(*ctx_, req, persist);
  if (!who) {
    bool presented = req.header("authorization") || req.header("x-admin-token")
                     || req.header("cookie");
    respond(error_response(
      dialect::admin,
      fail(presented ? errc::auth_invalid : errc::auth_required,
           presented ? "invalid admin token or expired session"
                     : "admin token required: send Authorization: Bearer "
                       "<admin token>, or log in")));
    return;
  }
  if (who->via_cookie && change) {
    // A cookie travels with every request the browser makes; the CSRF
    // token only with those our own pages make (SPEC §9.1).
    auto csrf = req.header("x-csrf-token");
    if (!csrf || !crypto::constant_time_equal(*csrf, who->session->csrf)) {
      respond(error_response(dialect::admin,
                             fail(errc::forbidden,
                                  "X-CSRF-Token missing or wrong: a session "
                                  "cookie needs it on every change")));
      return;
    }
  }
  if (persist && who->session)
    handlers::persist_session_touch(ctx_, *who->session);
  switch (route.id) {
    case route_id::admin_auth_logout:
    case route_id::admin_auth_verify:
    case route_id::admin_auth_change_password:
    case route_id::admin_auth_sessions:
    case route_id::admin_auth_session:
    case route_id::admin_auth_rotate_token:
      handlers::handle_auth(ctx_, route, std::move(req), *who,
                            std::move(respond));
      return;
    case route_id::admin_logs_export: {
      // Streamed: the handler writes to the connection itself.
      http_response head;
      add_admin_headers(head, cors_admin_origin(*ctx_, req));
      handlers::handle_export(ctx_, req, std::move(sink), std::move(head));
      return;
    }
    case route_id::admin_settings:
    case route_id::admin_setting:
      handlers::handle_settings(ctx_, route, std::move(req), *who,
                                std::move(respond));
      return;
    default:
      break;
  }
  handlers::handle_admin(ctx_, route, std::move(req), *who, std::move(respond));
}

} // namespace oh::http
