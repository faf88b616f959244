#pragma once

// Plain request/response values shared by the server, the router and the
// handlers, so handlers never see Beast types and stay testable.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oh::http {

struct http_request {
  std::string method; // upper case, as on the wire
  std::string target; // path and query as sent
  std::string path;   // decoded path without the query
  std::string query;  // raw query string without '?'
  /// Header fields with lower-case names, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string peer_ip;

  /// The first value of a header (name in lower case).
  std::optional<std::string_view> header(std::string_view name) const;
};

struct http_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// Close the connection after this response.
  bool close = false;
};

/// Delivers the response for one request. Callable from any thread, once;
/// it hands the response to the connection's strand.
using responder = std::function<void(http_response)>;

/// Handles complete requests. Implementations must not block: long work
/// goes to actors, and the responder is called when it is done.
class request_handler {
public:
  virtual ~request_handler() = default;
  virtual void handle(http_request req, responder respond) = 0;
};

/// Value of `name` in a query string (`a=1&b=2`), percent-decoded.
std::optional<std::string> query_param(std::string_view query,
                                       std::string_view name);

/// Percent-decodes a path or query component; nullopt on bad escapes.
std::optional<std::string> percent_decode(std::string_view text,
                                          bool plus_is_space);

} // namespace oh::http
