#include "http/public_listener.hpp"

#include <boost/asio/ip/address.hpp>

#include "core/error_render.hpp"
#include "core/expected.hpp"

namespace oh::http {

bool public_path(std::string_view path, bool expose_admin) {
  if (path == "/health" || path.starts_with("/v1/"))
    return true;
  return expose_admin;
}

std::string public_client_ip(const http_request& req) {
  auto header = req.header("cf-connecting-ip");
  if (!header)
    return req.peer_ip;
  // Only an address: the header is the client's claim as Cloudflare saw
  // it, and it lands in logs and rate keys.
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string{*header}, ec);
  return ec ? req.peer_ip : address.to_string();
}

void public_app::handle(http_request req, sink_ptr sink) {
  if (!public_path(req.path, expose_admin_)) {
    // The same answer as an unknown route: nothing says an admin plane
    // exists behind this port.
    respond_via(std::move(sink))(error_response(
      dialect::openai,
      fail(errc::not_found, "no route for " + clip_echo(req.method) + " "
                              + clip_echo(req.path))));
    return;
  }
  req.peer_ip = public_client_ip(req);
  inner_->handle(std::move(req), std::move(sink));
}

} // namespace oh::http
