#include "http/router.hpp"

#include <array>
#include <vector>

namespace oh::http {

namespace {

struct route_def {
  std::string_view method;
  std::string_view pattern; // `{}` matches one non-empty segment
  route_id id;
};

// PUT is accepted as PATCH for compatibility with the original (SPEC §9.2).
constexpr route_def routes[] = {
  {"GET", "/health", route_id::health},
  {"GET", "/", route_id::root},
  {"GET", "/admin/providers/detect", route_id::admin_providers_detect},
  {"POST", "/admin/providers/import", route_id::admin_providers_import},
  {"GET", "/admin/providers", route_id::admin_providers},
  {"POST", "/admin/providers", route_id::admin_providers},
  {"GET", "/admin/providers/{}", route_id::admin_provider},
  {"PATCH", "/admin/providers/{}", route_id::admin_provider},
  {"PUT", "/admin/providers/{}", route_id::admin_provider},
  {"DELETE", "/admin/providers/{}", route_id::admin_provider},
  {"GET", "/admin/souls", route_id::admin_souls},
  {"POST", "/admin/souls", route_id::admin_souls},
  {"GET", "/admin/souls/{}", route_id::admin_soul},
  {"PATCH", "/admin/souls/{}", route_id::admin_soul},
  {"PUT", "/admin/souls/{}", route_id::admin_soul},
  {"DELETE", "/admin/souls/{}", route_id::admin_soul},
  {"GET", "/admin/keys", route_id::admin_keys},
  {"POST", "/admin/keys", route_id::admin_keys},
  {"GET", "/admin/keys/{}", route_id::admin_key},
  {"PATCH", "/admin/keys/{}", route_id::admin_key},
  {"PUT", "/admin/keys/{}", route_id::admin_key},
  {"DELETE", "/admin/keys/{}", route_id::admin_key},
  {"POST", "/admin/keys/{}/revoke", route_id::admin_key_revoke},
  {"POST", "/admin/keys/{}/reactivate", route_id::admin_key_reactivate},
  {"POST", "/admin/keys/{}/rotate", route_id::admin_key_rotate},
  {"GET", "/admin/system/status", route_id::admin_system_status},
  // HEAD is answered like GET for the cheap endpoints probes use.
  {"HEAD", "/health", route_id::health},
  {"HEAD", "/", route_id::root},
  {"HEAD", "/admin/system/status", route_id::admin_system_status},
  {"HEAD", "/admin/providers", route_id::admin_providers},
  {"POST", "/v1/chat/completions", route_id::v1_chat},
  {"POST", "/v1/souls/{}/chat/completions", route_id::v1_soul_chat},
  {"POST", "/v1/messages", route_id::v1_messages},
  {"POST", "/v1/messages/count_tokens", route_id::v1_count_tokens},
  {"POST", "/v1/souls/{}/messages", route_id::v1_soul_messages},
  {"GET", "/v1/models", route_id::v1_models},
  {"GET", "/metrics", route_id::metrics},
  {"GET", "/admin/actors", route_id::admin_actors},
  {"GET", "/admin/auth/status", route_id::admin_auth_status},
  {"POST", "/admin/auth/setup", route_id::admin_auth_setup},
  {"POST", "/admin/auth/login", route_id::admin_auth_login},
  {"POST", "/admin/auth/logout", route_id::admin_auth_logout},
  {"POST", "/admin/auth/verify", route_id::admin_auth_verify},
  {"POST", "/admin/auth/change-password", route_id::admin_auth_change_password},
  {"GET", "/admin/auth/sessions", route_id::admin_auth_sessions},
  {"DELETE", "/admin/auth/sessions", route_id::admin_auth_sessions},
  {"DELETE", "/admin/auth/sessions/{}", route_id::admin_auth_session},
  {"POST", "/admin/auth/rotate-token", route_id::admin_auth_rotate_token},
  {"GET", "/admin/audit", route_id::admin_audit},
  {"GET", "/admin/settings", route_id::admin_settings},
  {"GET", "/admin/providers/{}/models", route_id::admin_provider_models},
  {"POST", "/admin/providers/bulk", route_id::admin_providers_bulk},
  {"POST", "/admin/providers/probe", route_id::admin_providers_probe},
  {"POST", "/admin/providers/health", route_id::admin_providers_health},
  {"POST", "/admin/providers/{}/health", route_id::admin_provider_health},
  {"POST", "/admin/providers/quick-add", route_id::admin_providers_quick_add},
  {"POST", "/admin/providers/auth/start", route_id::admin_providers_auth_start},
  {"POST", "/admin/providers/auth/complete",
   route_id::admin_providers_auth_complete},
  {"POST", "/admin/providers/auth/cancel",
   route_id::admin_providers_auth_cancel},
  {"GET", "/admin/providers/auth/status",
   route_id::admin_providers_auth_status},
  {"POST", "/admin/providers/claude-oauth",
   route_id::admin_providers_claude_oauth},
  {"POST", "/admin/system/reload", route_id::admin_system_reload},
  {"POST", "/admin/system/backup", route_id::admin_system_backup},
  {"GET", "/admin/connect/detect", route_id::admin_connect_detect},
  {"POST", "/admin/connect", route_id::admin_connect},
  {"POST", "/admin/connect/disconnect", route_id::admin_connect_disconnect},
  {"GET", "/admin/cost/logs/query", route_id::admin_logs_query},
  {"GET", "/admin/cost/logs/export", route_id::admin_logs_export},
  {"GET", "/admin/cost/logs", route_id::admin_logs_newest},
  {"GET", "/admin/logs/{}", route_id::admin_log_detail},
  {"GET", "/admin/cost/report", route_id::admin_cost_report},
  {"GET", "/admin/cost/by-soul", route_id::admin_cost_by_soul},
  {"GET", "/admin/cost/by-key", route_id::admin_cost_by_key},
  {"GET", "/admin/cost/by-provider", route_id::admin_cost_by_provider},
  {"GET", "/admin/cost/by-model", route_id::admin_cost_by_model},
  {"GET", "/admin/settings/{}", route_id::admin_setting},
  {"PUT", "/admin/settings/{}", route_id::admin_setting},
  {"GET", "/admin/actors/{}", route_id::admin_actor},
  {"GET", "/admin/overview", route_id::admin_overview},
  {"POST", "/admin/cloudflare/zones", route_id::admin_cloudflare_zones},
  {"POST", "/admin/cloudflare/tunnels", route_id::admin_cloudflare_tunnels},
  {"POST", "/admin/cloudflare/dns", route_id::admin_cloudflare_dns},
  {"POST", "/admin/cloudflare/dns/create",
   route_id::admin_cloudflare_dns_create},
  {"POST", "/admin/cloudflare/tunnel-status",
   route_id::admin_cloudflare_tunnel_status},
  {"GET", "/admin/cloudflare/local-status",
   route_id::admin_cloudflare_local_status},
  {"POST", "/admin/cloudflare/setup", route_id::admin_cloudflare_setup},
  {"POST", "/admin/cloudflare/start", route_id::admin_cloudflare_start},
  {"POST", "/admin/cloudflare/stop", route_id::admin_cloudflare_stop},
};

/// Matches `path` against `pattern`; captures the `{}` segment.
bool match_pattern(std::string_view pattern, std::string_view path,
                   std::string& param) {
  size_t pi = 0;
  size_t si = 0;
  while (pi < pattern.size() && si < path.size()) {
    if (pattern.compare(pi, 2, "{}") == 0) {
      size_t end = path.find('/', si);
      if (end == std::string_view::npos)
        end = path.size();
      if (end == si)
        return false;
      param.assign(path.substr(si, end - si));
      si = end;
      pi += 2;
      continue;
    }
    if (pattern[pi] != path[si])
      return false;
    ++pi;
    ++si;
  }
  return pi == pattern.size() && si == path.size();
}

} // namespace

route_result match_route(std::string_view method, std::string_view path) {
  // A trailing slash names the same resource ("/admin/keys/").
  if (path.size() > 1 && path.back() == '/')
    path.remove_suffix(1);
  route_result result;
  for (auto& r : routes) {
    std::string param;
    if (!match_pattern(r.pattern, path, param))
      continue;
    if (r.method == method) {
      result.kind = route_result::outcome::found;
      result.id = r.id;
      result.param = std::move(param);
      result.allow.clear();
      return result;
    }
    result.kind = route_result::outcome::method_not_allowed;
    if (result.allow.find(r.method) == std::string::npos) {
      if (!result.allow.empty())
        result.allow += ", ";
      result.allow += r.method;
    }
  }
  return result;
}

dialect dialect_for_path(std::string_view path) {
  if (path.starts_with("/admin"))
    return dialect::admin;
  if (path == "/v1/messages" || path.starts_with("/v1/messages/")
      || (path.starts_with("/v1/souls/") && path.ends_with("/messages")))
    return dialect::anthropic;
  return dialect::openai;
}

} // namespace oh::http
