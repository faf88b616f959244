#include "http/handlers/public.hpp"

#include "core/clock.hpp"

namespace oh::http::handlers {

http_response health(const app_context& ctx) {
  http_response res;
  bool draining = ctx.draining.load();
  res.status = draining ? 503 : 200;
  res.body = std::string{"{\"status\":\""} + (draining ? "draining" : "ok")
             + "\",\"timestamp\":\"" + clock::now_iso() + "\"}";
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

http_response root_redirect() {
  http_response res;
  res.status = 302;
  res.content_type.clear();
  res.headers.emplace_back("Location", "/dashboard/");
  return res;
}

} // namespace oh::http::handlers
