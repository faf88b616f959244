#include "providers/cloudflare/api.hpp"

#include <cctype>

#include "providers/collect_call.hpp"
#include "providers/oauth/oauth_client.hpp"

namespace oh::providers::cloudflare {

std::string query_value(std::string_view text) {
  return oauth::url_encode(text); // the same RFC 3986 unreserved set
}

api_result read_envelope(unsigned status, const std::string& body) {
  api_result r;
  r.status = status;
  auto doc = json::parse(body);
  if (!doc || !doc->IsObject()) {
    r.error = "Cloudflare answered HTTP " + std::to_string(status)
              + " without its JSON envelope";
    return r;
  }
  auto* success = json::find(*doc, "success");
  r.ok = success && success->IsBool() && success->GetBool() && status < 400;
  if (!r.ok) {
    if (auto* errors = json::find(*doc, "errors");
        errors && errors->IsArray() && !errors->Empty()) {
      auto& first = (*errors)[0];
      r.code = static_cast<int>(json::get_int64(first, "code"));
      r.error = json::get_string(first, "message").value_or("");
    }
    if (r.error.empty())
      r.error = "Cloudflare answered HTTP " + std::to_string(status);
    r.error = clip_echo(r.error, 300);
    return r;
  }
  r.result = std::make_shared<json::document>();
  if (auto* result = json::find(*doc, "result"))
    r.result->CopyFrom(*result, r.result->GetAllocator());
  else
    r.result->SetNull();
  return r;
}

void api::call(const std::string& method, const std::string& target,
               const std::string& body, api_done done) const {
  auto url = parse_url(base_ + target);
  if (!url) {
    api_result r;
    r.error = "cloudflare.api_base: " + url.error().message;
    done(std::move(r));
    return;
  }
  upstream_request req;
  req.url = std::move(*url);
  req.method = method;
  req.headers.emplace_back("authorization", "Bearer " + token_);
  req.headers.emplace_back("accept", "application/json");
  if (!body.empty() || method == "POST" || method == "PUT"
      || method == "PATCH") {
    req.headers.emplace_back("content-type", "application/json");
    req.body = body;
  }
  req.connect_timeout = std::chrono::milliseconds(10'000);
  req.first_byte_timeout = std::chrono::milliseconds(30'000);
  req.idle_timeout = std::chrono::milliseconds(30'000);
  req.total_timeout = std::chrono::milliseconds(45'000);
  collect_call(upstream_, std::move(req),
               [done = std::move(done)](collected_answer a) {
                 if (a.status == 0) {
                   api_result r;
                   r.error = "Cloudflare did not answer: " + a.error;
                   done(std::move(r));
                   return;
                 }
                 done(read_envelope(a.status, a.body));
               });
}

namespace {

struct listing : std::enable_shared_from_this<listing> {
  const api* client;
  std::string path;
  std::string query;
  int per_page;
  int max_pages;
  api_done done;
  std::shared_ptr<json::document> items = std::make_shared<json::document>();

  void fetch(int page) {
    std::string target = path + "?" + query + (query.empty() ? "" : "&")
                         + "page=" + std::to_string(page)
                         + "&per_page=" + std::to_string(per_page);
    client->call("GET", target, {},
                 [self = shared_from_this(), page](api_result r) {
                   self->on_page(page, std::move(r));
                 });
  }

  void on_page(int page, api_result r) {
    if (!r.ok) {
      done(std::move(r));
      return;
    }
    size_t got = 0;
    if (r.result && r.result->IsArray()) {
      got = r.result->Size();
      for (auto& item : r.result->GetArray())
        items->PushBack(json::value{item, items->GetAllocator()},
                        items->GetAllocator());
    }
    // A short page is the last, whatever result_info says (it is not
    // sent on every listing).
    if (got == static_cast<size_t>(per_page) && page < max_pages) {
      fetch(page + 1);
      return;
    }
    api_result out;
    out.ok = true;
    out.status = r.status;
    out.result = items;
    done(std::move(out));
  }
};

} // namespace

void api::list(const std::string& path, const std::string& query, api_done done,
               int per_page, int max_pages) const {
  auto l = std::make_shared<listing>();
  l->client = this;
  l->path = path;
  l->query = query;
  l->per_page = per_page;
  l->max_pages = max_pages;
  l->done = std::move(done);
  l->items->SetArray();
  l->fetch(1);
}

} // namespace oh::providers::cloudflare
