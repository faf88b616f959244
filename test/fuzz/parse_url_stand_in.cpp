// translation.cpp calls providers::parse_url, which lives in
// upstream_client.cpp beside the Asio client: compiling that file (and
// Asio with it) took over a minute of the fuzz stage's five. The targets
// only ever pass fixed base URLs of their own (never fuzzed input), so this
// stand-in splits exactly those: `http://host[:port]/path`. The real
// parser has its own unit tests; moving it to a file of its own would let
// the fuzz build link it instead.
#include <cstdlib>

#include "providers/upstream_client.hpp"

namespace oh::providers {

expected<upstream_url> parse_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme))
    std::abort(); // a target passed a URL this stand-in does not handle
  url.remove_prefix(scheme.size());
  auto slash = url.find('/');
  auto authority = url.substr(0, slash);
  upstream_url out;
  out.target
    = slash == std::string_view::npos ? "/" : std::string{url.substr(slash)};
  auto colon = authority.find(':');
  out.host = std::string{authority.substr(0, colon)};
  out.port = colon == std::string_view::npos
               ? "80"
               : std::string{authority.substr(colon + 1)};
  return out;
}

} // namespace oh::providers
