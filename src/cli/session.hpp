#pragma once

// A client command's connection to the gateway (SPEC §13.2): where it is
// (--url, OPENHINGE_URL, else 127.0.0.1 on the running gateway's port),
// which token to send (--token, OPENHINGE_ADMIN_TOKEN, else
// <data-dir>/admin.token), and calls that turn every failure into the
// exit status and message the command ends with.

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cli/command_spec.hpp"
#include "cli/http_client.hpp"
#include "core/json.hpp"

namespace oh::cli {

/// Ends a command: caught once in run_client, printed, turned into the
/// exit status.
struct cli_failure : std::runtime_error {
  cli_failure(int status, std::string message, std::string json_body = {})
    : std::runtime_error(std::move(message)), status(status),
      json_body(std::move(json_body)) {}
  int status;
  /// The API's error document, printed on stdout under --json.
  std::string json_body;
};

[[noreturn]] void usage_failure(std::string message);

class session {
public:
  /// Resolves target and token from the invocation, the environment and
  /// the configuration; a usage failure when they cannot be found.
  explicit session(const invocation& in);

  /// GET/POST/... returning the parsed JSON answer; an answer of 400 or
  /// more, or no answer, throws cli_failure (1 or 3).
  json::document get(const std::string& target);
  json::document post(const std::string& target, const std::string& body);
  json::document patch(const std::string& target, const std::string& body);
  json::document put(const std::string& target, const std::string& body);
  json::document del(const std::string& target);
  json::document call(const std::string& method, const std::string& target,
                      const std::string& body);
  /// A call with another bearer token (a dashboard session's, to end it).
  json::document call_as(const std::string& token, const std::string& method,
                         const std::string& target, const std::string& body);

  /// Streams a GET's body to `sink` (exports); failures as above.
  void stream(const std::string& target,
              const std::function<void(std::string_view)>& sink);

  bool json_output() const {
    return json_;
  }
  const std::string& url() const {
    return url_;
  }
  /// The admin token this session sends (setup proves itself with it).
  const std::string& token() const {
    return token_;
  }

private:
  std::string url_;
  std::string token_;
  bool json_ = false;
  std::chrono::milliseconds timeout_{60'000};
  http_client client_;
  void fail_on(const http_reply& reply) const;
  http_call make(const std::string& method, const std::string& target,
                 const std::string& body) const;
  json::document send(http_call call);
};

/// Percent-encodes a query value or path segment.
std::string url_encode(std::string_view text);

} // namespace oh::cli
