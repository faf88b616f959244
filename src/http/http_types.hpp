#pragma once

// Plain request/response values shared by the server, the router and the
// handlers, so handlers never see Beast types and stay testable.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/http_message.hpp"

namespace oh::http {

using oh::dialect;
using oh::http_request;
using oh::http_response;
using oh::response_sink;
using sink_ptr = std::shared_ptr<response_sink>;

/// Delivers the response for one request. Callable from any thread, once.
using responder = std::function<void(http_response)>;

/// Handles complete requests. Implementations must not block: long work
/// goes to actors, and the responder is called when it is done.
class request_handler {
public:
  virtual ~request_handler() = default;
  virtual void handle(http_request req, sink_ptr sink) = 0;
};

/// A responder that answers once through the sink.
inline responder respond_via(sink_ptr sink) {
  return [sink = std::move(sink)](http_response res) {
    sink->respond(std::move(res));
  };
}

/// Value of `name` in a query string (`a=1&b=2`), percent-decoded.
std::optional<std::string> query_param(std::string_view query,
                                       std::string_view name);

/// Percent-decodes a path or query component; nullopt on bad escapes.
std::optional<std::string> percent_decode(std::string_view text,
                                          bool plus_is_space);

} // namespace oh::http
