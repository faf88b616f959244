#include "cli/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>

namespace oh::cli {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

expected<endpoint> parse_url(std::string_view url) {
  endpoint e;
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    e.tls = true;
    rest = url.substr(8);
  } else {
    return fail(errc::bad_config,
                "the URL must start with http:// or https:// (got '"
                  + std::string{url.substr(0, 200)} + "')");
  }
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    e.base_path = std::string{rest.substr(slash)};
    while (!e.base_path.empty() && e.base_path.back() == '/')
      e.base_path.pop_back();
  }
  if (authority.empty())
    return fail(errc::bad_config, "the URL has no host");
  if (authority.front() == '[') { // [::1]:3700
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return fail(errc::bad_config, "the URL's IPv6 address lacks ']'");
    e.host = std::string{authority.substr(1, close - 1)};
    auto after = authority.substr(close + 1);
    if (after.starts_with(":"))
      e.port = std::string{after.substr(1)};
  } else {
    auto colon = authority.rfind(':');
    e.host = std::string{authority.substr(0, colon)};
    if (colon != std::string_view::npos)
      e.port = std::string{authority.substr(colon + 1)};
  }
  if (e.port.empty())
    e.port = e.tls ? "443" : "80";
  if (e.port.find_first_not_of("0123456789") != std::string::npos
      || e.port.size() > 5)
    return fail(errc::bad_config, "the URL's port is not a number");
  return e;
}

namespace {

template<class Stream>
bool exchange(Stream& stream, const endpoint& where, const http_call& call,
              http_reply& reply, transport_error& error,
              const std::function<void(std::string_view)>& on_chunk,
              beast::tcp_stream& timed) {
  http::request<http::string_body> req{http::string_to_verb(call.method),
                                       where.base_path + call.target, 11};
  auto port_suffix
    = (where.port == (where.tls ? "443" : "80")) ? "" : ":" + where.port;
  bool v6 = where.host.find(':') != std::string::npos;
  req.set(http::field::host,
          (v6 ? "[" + where.host + "]" : where.host) + port_suffix);
  req.set(http::field::user_agent, "openhinge-cli/" OH_VERSION);
  req.set(http::field::accept, "application/json");
  for (auto& [k, v] : call.headers)
    req.set(k, v);
  if (!call.body.empty() || call.method == "POST" || call.method == "PUT"
      || call.method == "PATCH") {
    req.set(http::field::content_type, "application/json");
    req.body() = call.body;
    req.prepare_payload();
  }
  beast::error_code ec;
  timed.expires_after(call.timeout);
  http::write(stream, req, ec);
  if (ec) {
    error = {ec == beast::error::timeout ? transport_failure::timeout
                                         : transport_failure::other,
             "sending the request failed: " + ec.message()};
    return false;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  http::read_header(stream, buffer, parser, ec);
  if (ec) {
    error = {ec == beast::error::timeout ? transport_failure::timeout
                                         : transport_failure::other,
             "reading the answer failed: " + ec.message()};
    return false;
  }
  reply.status = static_cast<int>(parser.get().result_int());
  reply.content_type = std::string{parser.get()[http::field::content_type]};
  char chunk[16384];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    http::read(stream, buffer, parser, ec);
    if (ec == http::error::need_buffer)
      ec = {};
    if (ec) {
      error = {ec == beast::error::timeout ? transport_failure::timeout
                                           : transport_failure::other,
               "reading the answer failed: " + ec.message()};
      return false;
    }
    std::string_view got{chunk, sizeof chunk - parser.get().body().size};
    if (on_chunk)
      on_chunk(got);
    else
      reply.body.append(got);
  }
  return true;
}

} // namespace

bool http_client::send(const http_call& call, http_reply& reply,
                       transport_error& error,
                       const std::function<void(std::string_view)>& on_chunk) {
  asio::io_context io;
  tcp::resolver resolver{io};
  beast::error_code ec;
  auto addresses = resolver.resolve(where_.host, where_.port, ec);
  if (ec) {
    error = {transport_failure::connect,
             "cannot resolve " + where_.host + ": " + ec.message()};
    return false;
  }
  auto connect = [&](beast::tcp_stream& s) {
    s.expires_after(std::min(call.timeout, std::chrono::milliseconds{10'000}));
    s.connect(addresses, ec);
    if (ec)
      error
        = {transport_failure::connect, "cannot connect to " + where_.host + ":"
                                         + where_.port + ": " + ec.message()};
    return !ec;
  };
  if (!where_.tls) {
    beast::tcp_stream stream{io};
    return connect(stream)
           && exchange(stream, where_, call, reply, error, on_chunk, stream);
  }
  asio::ssl::context tls{asio::ssl::context::tls_client};
  tls.set_default_verify_paths();
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream{io, tls};
  auto& lowest = beast::get_lowest_layer(stream);
  if (!connect(lowest))
    return false;
  SSL_set_tlsext_host_name(stream.native_handle(), where_.host.c_str());
  stream.set_verify_callback(asio::ssl::host_name_verification(where_.host));
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) {
    error = {transport_failure::other,
             "TLS handshake with " + where_.host + " failed: " + ec.message()};
    return false;
  }
  return exchange(stream, where_, call, reply, error, on_chunk, lowest);
}

} // namespace oh::cli
