#pragma once

// The public listener (SPEC §12, `server.public_port`): the port a
// Cloudflare tunnel points at. It serves only `/v1/*` and `/health`; the
// admin API and the dashboard answer 404 there unless `tunnel.expose_admin`
// is set, so exposing `/v1` never exposes the admin plane. Behind the
// tunnel every connection comes from cloudflared on 127.0.0.1: the client's
// address is taken from `Cf-Connecting-IP`, on this listener only.

#include <memory>
#include <string_view>

#include "http/http_types.hpp"

namespace oh::http {

/// Whether a path may be served on the public listener.
bool public_path(std::string_view path, bool expose_admin);

/// The client's address as the public listener sees it: a valid
/// `Cf-Connecting-IP`, else the peer.
std::string public_client_ip(const http_request& req);

class public_app final : public request_handler {
public:
  public_app(std::shared_ptr<request_handler> inner, bool expose_admin)
    : inner_(std::move(inner)), expose_admin_(expose_admin) {}
  void handle(http_request req, sink_ptr sink) override;

private:
  std::shared_ptr<request_handler> inner_;
  bool expose_admin_;
};

} // namespace oh::http
