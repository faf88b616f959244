#pragma once

// A small blocking HTTP/1.1 client for the CLI: one request per call on a
// fresh connection (http or https), with a deadline. Beast stays in the
// .cpp file.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace oh::cli {

struct endpoint {
  bool tls = false;
  std::string host;
  std::string port;
  /// Path prefix of the URL ("" or "/gateway"), without a trailing slash.
  std::string base_path;
};

/// Parses http://host[:port][/prefix]; a failure names what is wrong.
expected<endpoint> parse_url(std::string_view url);

struct http_call {
  std::string method = "GET";
  std::string target; // path and query, appended to base_path
  std::string body;   // sent as application/json when not empty
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{60'000};
};

struct http_reply {
  int status = 0;
  std::string content_type;
  std::string body;
};

/// Why a call produced no answer: `connect` means nothing answered at the
/// address (the gateway is not running there), `other` a broken exchange.
enum class transport_failure { connect, timeout, other };

struct transport_error {
  transport_failure kind = transport_failure::other;
  std::string message;
};

class http_client {
public:
  explicit http_client(endpoint where) : where_(std::move(where)) {}

  /// Sends the call and reads the whole answer. With `on_chunk`, body
  /// bytes are handed over as they arrive (and not kept in the reply).
  bool send(const http_call& call, http_reply& reply, transport_error& error,
            const std::function<void(std::string_view)>& on_chunk = {});

  const endpoint& where() const {
    return where_;
  }

private:
  endpoint where_;
};

} // namespace oh::cli
