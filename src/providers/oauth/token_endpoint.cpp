#include "providers/oauth/token_endpoint.hpp"

#include "providers/collect_call.hpp"
#include "providers/upstream_client.hpp"

namespace oh::providers::oauth {

void call_token_endpoint(upstream_client& upstream, const token_call& call,
                         std::function<void(expected<token_answer>)> done) {
  auto url = parse_url(call.url);
  if (!url) {
    done(fail(errc::upstream_failed,
              "bad token endpoint URL: " + url.error().message));
    return;
  }
  upstream_request req;
  req.url = std::move(*url);
  req.method = "POST";
  req.headers.emplace_back("content-type", call.content_type);
  req.headers.emplace_back("accept", "application/json");
  req.body = call.body;
  req.first_byte_timeout = std::chrono::milliseconds(20'000);
  req.idle_timeout = std::chrono::milliseconds(20'000);
  req.total_timeout = std::chrono::milliseconds(30'000);
  collect_call(upstream, std::move(req),
               [done = std::move(done)](collected_answer a) {
                 if (a.status == 0) {
                   done(fail(errc::upstream_failed,
                             "token endpoint unreachable: " + a.error));
                   return;
                 }
                 done(read_token_answer(a.status, a.body));
               });
}

} // namespace oh::providers::oauth
