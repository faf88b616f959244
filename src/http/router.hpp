#pragma once

// The pure router: (method, path) → route and path parameters, or 404/405
// with the Allow list. No I/O, no allocation beyond the result.

#include <string>
#include <string_view>

#include "core/http_message.hpp"

namespace oh::http {

enum class route_id {
  health,
  root,
  admin_providers,
  admin_providers_detect,
  admin_providers_import,
  admin_provider,
  admin_souls,
  admin_soul,
  admin_keys,
  admin_key,
  admin_key_revoke,
  admin_key_reactivate,
  admin_key_rotate,
  admin_system_status,
  v1_chat,
  v1_soul_chat,
  v1_messages,
  v1_soul_messages,
  v1_count_tokens,
  v1_models,
  metrics,
  admin_actors,
  admin_actor,
  admin_auth_status,
  admin_auth_setup,
  admin_auth_login,
  admin_auth_logout,
  admin_auth_verify,
  admin_auth_change_password,
  admin_auth_sessions,
  admin_auth_session,
  admin_auth_rotate_token,
  admin_audit,
  admin_settings,
  admin_setting,
  admin_provider_models,
  admin_providers_bulk,
  admin_providers_probe,
  admin_providers_health,
  admin_provider_health,
  admin_providers_quick_add,
  admin_providers_auth_start,
  admin_providers_auth_complete,
  admin_providers_auth_cancel,
  admin_providers_auth_status,
  admin_providers_claude_oauth,
  admin_system_reload,
  admin_connect_detect,
  admin_connect,
  admin_connect_disconnect,
  admin_logs_query,
  admin_logs_newest,
  admin_log_detail,
  admin_cost_report,
  admin_cost_by_soul,
  admin_cost_by_key,
  admin_cost_by_provider,
  admin_cost_by_model,
  admin_logs_export,
  admin_system_backup,
  admin_overview,
  admin_cloudflare_zones,
  admin_cloudflare_tunnels,
  admin_cloudflare_dns,
  admin_cloudflare_dns_create,
  admin_cloudflare_tunnel_status,
  admin_cloudflare_local_status,
  admin_cloudflare_setup,
  admin_cloudflare_start,
  admin_cloudflare_stop,
};

using oh::dialect;

struct route_result {
  enum class outcome { found, not_found, method_not_allowed };
  outcome kind = outcome::not_found;
  route_id id = route_id::health;
  std::string param; // the `{id}` segment, when the route has one
  std::string allow; // for 405: "GET, POST"
};

route_result match_route(std::string_view method, std::string_view path);

/// Error dialect of a path: /v1/messages and /v1/souls/*/messages speak
/// Anthropic, /admin/* the admin dialect, everything else OpenAI.
dialect dialect_for_path(std::string_view path);

} // namespace oh::http
