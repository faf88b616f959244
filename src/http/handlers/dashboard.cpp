#include "http/handlers/dashboard.hpp"

#include <map>
#include <string>

#include "core/crypto.hpp"
#include "core/error_render.hpp"
#include "http/web_assets.hpp"

namespace oh::http::handlers {

namespace {

constexpr std::string_view prefix = "/dashboard/";

// 'self' only: no inline script or style, no eval, no third party. Charts
// set sizes through the CSSOM, which style-src does not govern.
constexpr std::string_view content_security_policy
  = "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct served_asset {
  std::string_view body;
  std::string content_type;
  std::string etag;
};

std::string content_type_of(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.ends_with(ext);
  };
  if (ends(".html"))
    return "text/html; charset=utf-8";
  if (ends(".css"))
    return "text/css; charset=utf-8";
  if (ends(".js"))
    return "text/javascript; charset=utf-8";
  if (ends(".svg"))
    return "image/svg+xml";
  if (ends(".json"))
    return "application/json";
  return "text/plain; charset=utf-8";
}

/// Path → asset, with content types and strong ETags (a digest of the
/// bytes) computed once; the table never changes while the process runs.
const std::map<std::string_view, served_asset>& table() {
  static const auto all = [] {
    std::map<std::string_view, served_asset> out;
    for (auto& a : web::assets())
      out.emplace(
        a.path,
        served_asset{a.body, content_type_of(a.path),
                     "\"" + crypto::sha256_hex(a.body).substr(0, 20) + "\""});
    return out;
  }();
  return all;
}

void add_security_headers(http_response& res) {
  res.headers.emplace_back("Content-Security-Policy",
                           std::string{content_security_policy});
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  res.headers.emplace_back("X-Frame-Options", "DENY");
}

/// If-None-Match lists the ETag (or is `*`).
bool browser_has(const http_request& req, std::string_view etag) {
  auto inm = req.header("if-none-match");
  if (!inm)
    return false;
  if (*inm == "*")
    return true;
  size_t pos = 0;
  while (pos < inm->size()) {
    auto comma = inm->find(',', pos);
    auto item = inm->substr(pos, comma == std::string_view::npos
                                   ? std::string_view::npos
                                   : comma - pos);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item.starts_with("W/"))
      item.remove_prefix(2);
    if (item == etag)
      return true;
    if (comma == std::string_view::npos)
      break;
    pos = comma + 1;
  }
  return false;
}

} // namespace

bool is_dashboard_path(std::string_view path) {
  return path == "/dashboard" || path.starts_with(prefix);
}

http_response serve_dashboard(const http_request& req) {
  http_response res;
  if (req.method != "GET" && req.method != "HEAD") {
    res = error_response(dialect::admin,
                         fail(errc::method_not_allowed,
                              clip_echo(req.method) + " is not allowed on "
                                + clip_echo(req.path)));
    res.headers.emplace_back("Allow", "GET, HEAD");
    add_security_headers(res);
    return res;
  }
  if (req.path == "/dashboard") {
    // Relative asset URLs need the trailing slash; the setup link's query
    // must survive the redirect.
    res.status = 301;
    res.content_type.clear();
    res.headers.emplace_back(
      "Location", req.query.empty() ? std::string{prefix}
                                    : std::string{prefix} + "?" + req.query);
    add_security_headers(res);
    return res;
  }
  auto name = std::string_view{req.path}.substr(prefix.size());
  if (name.empty())
    name = "index.html";
  auto& all = table();
  auto it = all.find(name);
  if (it == all.end()) {
    res = error_response(
      dialect::admin,
      fail(errc::not_found, "no dashboard file " + clip_echo(req.path)));
    add_security_headers(res);
    return res;
  }
  auto& a = it->second;
  add_security_headers(res);
  res.headers.emplace_back("ETag", a.etag);
  // Revalidate every time: the pages change with the binary, and a 304
  // costs one round trip without a body.
  res.headers.emplace_back("Cache-Control", "no-cache");
  if (browser_has(req, a.etag)) {
    res.status = 304;
    res.content_type.clear();
    return res;
  }
  res.content_type = a.content_type;
  res.body.assign(a.body);
  return res;
}

} // namespace oh::http::handlers
