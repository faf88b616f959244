#pragma once

// Browser logins for subscription accounts (SPEC §7, reference §3.2): the
// admin API starts a PKCE flow and returns the authorize URL (the server
// opens nothing); the browser comes back to a callback listener on the
// gateway host, or the user pastes the redirect URL. The code is exchanged,
// Gemini's Code Assist project discovered, and the account created with
// auth_mode oauth. Also POST /admin/providers/claude-oauth (a pasted
// token).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "http/app.hpp"
#include "http/http_types.hpp"
#include "http/oauth_flows.hpp"
#include "http/router.hpp"

namespace oh::providers {
class io_runtime;
}

namespace oh::http {

class http_server;

/// The process's logins and their callback listeners.
struct oauth_runtime {
  oauth_flow_book flows;
  providers::io_runtime* io = nullptr;
  /// oauth.endpoint_base: replaces scheme and host of every vendor URL.
  std::string endpoint_base;
  /// oauth.callback_port: 0 = each vendor's registered port.
  uint16_t callback_port = 0;
  std::mutex mutex;
  std::map<uint16_t, std::shared_ptr<http_server>> listeners;
  /// Stopped listeners, released at the next sweep (not inside their own
  /// handler).
  std::vector<std::shared_ptr<http_server>> retired;
};

} // namespace oh::http

namespace oh::http::handlers {

/// True for the routes handle_oauth answers.
bool is_oauth_route(route_id id);

/// A gcloud login imported for Gemini (POST /admin/providers/import) needs
/// its Code Assist project: refreshes an access token from the ADC file's
/// refresh token (it does not rotate) and discovers the project, then
/// answers the create body with `credentials.project_id` set. Bodies that
/// need nothing pass through.
void add_code_assist_project(const std::shared_ptr<app_context>& ctx,
                             std::string create_body,
                             std::function<void(expected<std::string>)> done);

void handle_oauth(const std::shared_ptr<app_context>& ctx,
                  const route_result& route, http_request req,
                  const admin_principal& who, responder respond);

} // namespace oh::http::handlers
