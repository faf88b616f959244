// fake_upstream: a small HTTP server that speaks the four provider wire
// formats exactly (JSON, SSE and NDJSON; see wire.hpp), chosen by path:
// OpenAI `/v1/chat/completions`, Anthropic `/v1/messages`, Gemini
// `/v1beta/models/{model}:generateContent|streamGenerateContent`, Ollama
// `/api/chat`, and their model listings (`/v1/models` — Anthropic's shape
// with `anthropic-version` —, `/v1beta/models`, `/api/tags`). Each request
// is scripted by `x-fake-*` headers or by `[[fake key=value ...]]`
// directives anywhere in the request body (they travel through the gateway
// untouched):
//   status=N        answer with HTTP N and the vendor's error body
//   delay_ms=N      wait before the response head
//   chunks=N        split the text into N content events (stream)
//   interval_ms=N   pause between stream events
//   pause_from=N    send the first N stream events without the pause
//   drop_after=N    close the connection after N stream events
//   tools=N         answer with N parallel tool calls (arguments streamed)
//   text=WORD       the answer text (default: "Hello from fake upstream");
//                   escaped quotes are unescaped (text={\"ok\":true})
//   thinking=WORD   reasoning before the answer (Claude, Gemini, Ollama)
//   finish=R        length | content_filter (default stop / tool calls)
//   cached=N        N prompt tokens reported as cache reads
//   error_after=N   the vendor's in-band error after N text events
//   hang=1          send the head (stream) and then nothing
//   hang_after=N    stop sending (but stay connected) after N stream events
//   retry_after=S   with status=429: retry-after and x-ratelimit-reset-*
// A hostile upstream, for the gateway's input limits (SPEC §3):
//   echo_auth=1     with status=N: the error message quotes the credential
//                   headers the request carried (as many proxies do)
//   nested=N        a 200 answer nested N arrays deep; streaming, one event
//                   (at index nested_at, default 0) nested that deep
//   answer_bytes=N  a 200 answer of N bytes
//   line_bytes=N    streaming: after nested_at events, one line of N bytes
//                   that never ends
//   bad_utf8=1      the answer's text carries a byte that is not UTF-8
// `--script "status=503 delay_ms=10"` sets a default script for every request
// (a directive or header still wins), so one process can play a failing
// account next to a healthy one; `POST /_fake/script` with a body of the same
// `k=v` pairs replaces it at run time (an empty body clears it). Scripts are
// read afresh by every request, never counted down. `--api-key K` makes
// every request carry K in the vendor's own auth header (else the vendor's
// auth error).
// Every generation body is checked first against its vendor's rules
// (body_checks.hpp) and refused as that vendor would, scripted or not.
// The model listings (and Code Assist's loadCodeAssist) are the gateway's
// health probes: they follow the script's `status` (with retry_after and
// echo_auth; the stream and delay keys mean nothing to them), so an account
// scripted to fail is also probed down. `listings=ok` in the script keeps
// them answering: an upstream that lists its models but fails generations,
// for tests that count generation failures alone.
// GET /_fake/stats reports requests seen, listings seen, streams open and
// the last request.
//
// `--flavor oauth` adds, in the same process, the subscription side
// (docs/subscriptions.md; oauth.hpp, subscription.hpp). Without it nothing
// below exists and the fake answers exactly as above. Paths are the real
// hosts' (the gateway's `oauth.endpoint_base` replaces scheme and host):
//   GET  /oauth/authorize (Claude, OpenAI), /o/oauth2/v2/auth (Google)
//        needs response_type=code, client_id, redirect_uri, scope, state,
//        code_challenge, code_challenge_method=S256 (else 400 text); 302 to
//        <redirect_uri>?code=<code>&state=<state>
//   POST /v1/oauth/token (Claude, JSON), /oauth/token (OpenAI, form),
//        /token (Google, form, client_secret required)
//        authorization_code: code (single use), code_verifier matching the
//        S256 challenge, the same redirect_uri and client_id;
//        refresh_token: a refresh token this fake issued or was seeded with,
//        not yet used, client_id (Claude: scope too). Both answer
//        {access_token, refresh_token (new: rotation), expires_in,
//        token_type} and for OpenAI an id_token (unsigned JWT, account
//        acct_fake, fake@example.com); errors are 400 {error,
//        error_description} (invalid_request, invalid_grant,
//        unsupported_grant_type).
//   POST /v1/messages with `authorization: Bearer` (x-api-key requests keep
//        the API-key behaviour): Claude Code's anthropic-beta flags
//        claude-code-20250219 and oauth-2025-04-20, user-agent claude-cli/…,
//        x-app: cli, anthropic-version and the identity `system` (string, or
//        first text block) are required (else 400 invalid_request_error).
//        GET /v1/models and POST /v1/messages/count_tokens take the bearer.
//   POST /responses   ChatGPT Codex: bearer, chatgpt-account-id, body model,
//        instructions, input[], store:false, stream:true; max_output_tokens,
//        temperature, top_p, stop, max_tokens are refused (400 {"detail"});
//        the answer is the Responses API event stream.
//   POST /v1internal:generateContent, :streamGenerateContent?alt=sse
//        Gemini Code Assist: bearer, user-agent with google-cloud-sdk, body
//        {model, project, request:{contents:[…]}}; Gemini's answers wrapped
//        as {"response": …}. POST :loadCodeAssist (project proj-fake),
//        POST :onboardUser, GET /v1internal/operations/op1.
// A subscription bearer is an access token issued or seeded here, not
// revoked and not expired (else 401 in the vendor's shape), or --api-key's
// value. The scripting directives above work on the three upstreams.
// Test hooks: POST /_fake/tokens {"access_token","refresh_token",
// "expires_in"} seeds tokens as issued; POST /_fake/revoke invalidates every
// access token issued so far (refresh tokens keep working); POST
// /_fake/fail-refresh?on=1|0 toggles --fail-refresh; /_fake/stats adds
// refreshes, token_exchanges (requests of each grant, answered or refused)
// and last_refresh_body.
// Flags: --token-expiry-s N (expires_in, default 3600), --reuse-refresh (a
// used refresh token stays valid), --refresh-delay-ms N (refresh answers
// wait), --fail-refresh (refresh answers invalid_grant), --no-project
// (loadCodeAssist finds no project until onboardUser).
//
// `--flavor cloudflare` adds the Cloudflare API v4 a tunnel setup uses
// (SPEC §12; cloudflare.hpp), at the real paths under `/client/v4` (the
// gateway's `cloudflare.api_base` is `http://127.0.0.1:<port>/client/v4`):
//   GET  /user/tokens/verify, /accounts, /zones (name=, status=,
//        account.id=), /zones/{zone_id}
//   GET|POST /accounts/{account_id}/cfd_tunnel (list: name=, uuid=,
//        is_deleted=; create: {"name","config_src"}, a live tunnel of that
//        name → 409 code 1013), GET|DELETE …/cfd_tunnel/{tunnel_id},
//        GET|PUT …/{tunnel_id}/configurations (the last ingress rule must
//        match all URLs, else 400 code 1055), GET …/{tunnel_id}/token
//   GET|POST /zones/{zone_id}/dns_records (list: type=, name=, content=;
//        a name taken by A/AAAA/CNAME → 400 code 81053), GET|PUT|PATCH|
//        DELETE …/dns_records/{id}
// Listings page with page= and per_page= and answer result_info. Every
// call needs `Authorization: Bearer <--cf-token>`: none → 400 code 9106,
// malformed → 400 code 6003, wrong → 403 code 10000 (verify: 401 code
// 1000); writes need Content-Type application/json (400 code 6003/6105).
// Test hooks (steps: verify accounts zones get_zone list_tunnels
// create_tunnel get_tunnel delete_tunnel put_config get_config token
// list_dns get_dns create_dns update_dns delete_dns):
//   POST /_fake/cf/fail?step=S[&times=N|always][&status=N][&code=N]
//        [&message=M][&retry_after=S]  the next N calls of S (default 1)
//        answer Cloudflare's error body (default 500 code 10002); step=dns
//        is create_dns and update_dns; times=0 clears; step=none clears all
//   POST /_fake/cf/delay?step=S|all&ms=N   answers of S wait N ms (0 clears)
//   POST /_fake/cf/connect?tunnel=ID|NAME[&conns=N]  N connections (4):
//        status healthy; /_fake/cf/disconnect: none, status down
//   POST /_fake/cf/token?value=T   T is now the valid token (empty: none)
//   POST /_fake/cf/reset           forget tunnels, records, hooks, counters
//   GET  /_fake/cf/stats  {"calls":{step:N},"auth_failures","injected_
//        failures","requests":[{method,path,step,status}] (last 200)}
//   GET  /_fake/cf/state  {token, account, zones, tunnels (with config_src,
//        secret, token, config_version, config), dns_records}
// Flags: --cf-token T (default cf-test-token), --cf-account-id ID (32 hex),
// --cf-account-name N, --cf-zones a.com,b.org:pending (default example.com;
// zone ids are the first 32 hex of SHA-256 of "zone:<name>"),
// --cf-max-per-page N (lowers every listing's maximum page size).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "body_checks.hpp"
#include "cloudflare.hpp"
#include "core/json.hpp"
#include "oauth.hpp"
#include "subscription.hpp"
#include "wire.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

struct stats {
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> listings{0};
  std::atomic<int64_t> open_streams{0};
  std::atomic<int64_t> completed_streams{0};
  std::mutex mu;
  std::string last_headers_json = "{}";
  std::string last_body;
  std::string last_target;
} g_stats;

using fake::num;
using fake::script;
using fake::str;
using fake::vendor;
script g_default_script;
std::string g_api_key;
// --flavor oauth: the subscription side (see the header comment).
bool g_oauth = false;
fake::oauth::issuer g_issuer;
fake::subscription::code_assist_state g_code_assist;
int64_t g_refresh_delay_ms = 0;
// --flavor cloudflare: the Cloudflare API v4 (see the header comment).
bool g_cloudflare = false;
fake::cloudflare::api g_cf;
using tcp_stream_t = beast::tcp_stream;
using tls_stream_t = beast::ssl_stream<beast::tcp_stream>;

std::string quoted(std::string_view text) {
  std::string out;
  oh::json::append_quoted(out, text);
  return out;
}

template<class Stream>
class connection : public std::enable_shared_from_this<connection<Stream>> {
public:
  using std::enable_shared_from_this<connection<Stream>>::shared_from_this;

  template<class... Args>
  explicit connection(tcp::socket s, Args&... args)
    : stream_(std::move(s), args...), timer_(stream_.get_executor()) {
    beast::error_code ignored;
    socket().set_option(tcp::no_delay(true), ignored);
  }
  void start() {
    if constexpr (std::is_same_v<Stream, tcp_stream_t>) {
      read();
    } else {
      stream_.async_handshake(
        net::ssl::stream_base::server,
        [self = shared_from_this()](beast::error_code ec) {
          if (!ec)
            self->read();
        });
    }
  }

  tcp::socket& socket() {
    return beast::get_lowest_layer(stream_).socket();
  }

private:
  void read() {
    req_ = {};
    bhttp::async_read(
      stream_, buffer_, req_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (!ec)
          self->handle();
      });
  }

  void reply(unsigned status, std::string body,
             std::string type = "application/json",
             std::vector<std::pair<std::string, std::string>> extra = {}) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
      static_cast<bhttp::status>(status), 11);
    res->set(bhttp::field::content_type, type);
    for (auto& [k, v] : extra)
      res->set(k, v);
    res->keep_alive(req_.keep_alive());
    res->body() = std::move(body);
    res->prepare_payload();
    bhttp::async_write(
      stream_, *res,
      [self = shared_from_this(), res](beast::error_code ec, size_t) {
        if (!ec && res->keep_alive())
          self->read();
      });
  }

  std::map<std::string, std::string> lower_headers() const {
    std::map<std::string, std::string> out;
    for (auto& f : req_) {
      std::string name{f.name_string()};
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.emplace(std::move(name), std::string{f.value()});
    }
    return out;
  }

  /// The credential headers a request carried, for `echo_auth`.
  static std::string
  credentials_in(const std::map<std::string, std::string>& headers) {
    std::string out;
    for (auto* name : {"authorization", "x-api-key", "x-goog-api-key"})
      if (auto it = headers.find(name); it != headers.end())
        out += std::string{name} + ": " + it->second + "; ";
    return out;
  }

  /// A listing's scripted failure (see the header comment): the default
  /// script and x-fake-* headers; a listing has no body to carry
  /// directives.
  std::optional<fake::error_reply>
  listing_failure(vendor wire,
                  const std::map<std::string, std::string>& headers) {
    g_stats.listings += 1;
    script s = g_default_script;
    for (auto& [name, v] : headers)
      if (name.rfind("x-fake-", 0) == 0)
        s[name.substr(7)] = v;
    if (str(s, "listings", "") == "ok")
      return std::nullopt;
    return fake::scripted_failure(wire, s, credentials_in(headers));
  }

  /// `/v1/messages/count_tokens` once authorised: the body's rules, then
  /// an estimate.
  void count_tokens() {
    oh::json::document body;
    body.Parse(req_.body().c_str());
    if (body.HasParseError() || !body.IsObject()) {
      refuse(fake::error_for(vendor::claude, 400, "invalid JSON body"));
      return;
    }
    if (auto r = fake::check_count_tokens(body)) {
      refuse(*r);
      return;
    }
    reply(200,
          "{\"input_tokens\":" + std::to_string(req_.body().size() / 4) + "}");
  }

  /// Counts a generation request and keeps it for /_fake/stats.
  void record(const std::string& target,
              const std::map<std::string, std::string>& headers) {
    g_stats.requests += 1;
    std::lock_guard guard{g_stats.mu};
    std::string h = "{";
    for (auto& [name, v] : headers) {
      if (h.size() > 1)
        h += ",";
      h += quoted(name) + ":" + quoted(v);
    }
    g_stats.last_headers_json = h + "}";
    g_stats.last_body = req_.body();
    g_stats.last_target = target;
  }

  void refuse(const fake::error_reply& e) {
    reply(e.status, e.body, "application/json", e.headers);
  }

  void reply_answer(const fake::oauth::answer& a) {
    reply(a.status, a.body, a.content_type, a.headers);
  }

  static std::string header(const std::map<std::string, std::string>& h,
                            const char* name) {
    auto it = h.find(name);
    return it == h.end() ? std::string{} : it->second;
  }

  /// The `--flavor oauth` routes (see the header comment); false for a
  /// request the default routes serve.
  bool oauth_route(const std::string& target,
                   const std::map<std::string, std::string>& headers,
                   bool get) {
    auto path = target.substr(0, target.find('?'));
    bool post = req_.method() == bhttp::verb::post;
    bool bearer
      = headers.contains("authorization") && !headers.contains("x-api-key");
    if (post && path == "/_fake/tokens") {
      reply_answer(g_issuer.seed(req_.body()));
    } else if (post && path == "/_fake/revoke") {
      reply_answer(g_issuer.revoke());
    } else if (post && path == "/_fake/fail-refresh") {
      auto on = fake::oauth::query_of(target)["on"] != "0";
      g_issuer.config.fail_refresh = on;
      reply(200,
            std::string{"{\"fail_refresh\":"} + (on ? "true" : "false") + "}");
    } else if (get
               && (path == "/oauth/authorize" || path == "/o/oauth2/v2/auth")) {
      reply_answer(g_issuer.authorize(target));
    } else if (path == "/v1/oauth/token" || path == "/oauth/token"
               || path == "/token") {
      token_endpoint(path, headers);
    } else if (get && path == "/v1/models" && bearer
               && headers.contains("anthropic-version")) {
      // The subscription health probe: the listing for a valid bearer.
      auto why = g_issuer.check(header(headers, "authorization"));
      if (why != fake::oauth::bearer::valid)
        refuse(fake::subscription::unauthorised(vendor::claude, why));
      else if (auto failure = listing_failure(vendor::claude, headers))
        refuse(*failure);
      else
        reply(200, fake::models_listing(vendor::claude));
    } else if (path == "/v1/messages" && bearer) {
      subscription(vendor::claude, target, headers, false);
    } else if (path == "/v1/messages/count_tokens" && bearer) {
      record(target, headers);
      auto why = g_issuer.check(header(headers, "authorization"));
      if (why != fake::oauth::bearer::valid)
        refuse(fake::subscription::unauthorised(vendor::claude, why));
      else
        count_tokens();
    } else if (path == "/responses") {
      subscription(vendor::codex, target, headers, false);
    } else if (target == "/v1internal:generateContent") {
      subscription(vendor::code_assist, target, headers, false);
    } else if (target == "/v1internal:streamGenerateContent?alt=sse") {
      subscription(vendor::code_assist, target, headers, true);
    } else if (path.starts_with("/v1internal")) {
      record(target, headers);
      auto why = g_issuer.check(header(headers, "authorization"));
      if (why != fake::oauth::bearer::valid) {
        refuse(fake::subscription::unauthorised(vendor::code_assist, why));
        return true;
      }
      // loadCodeAssist is the Code Assist account's health probe.
      if (post && target == "/v1internal:loadCodeAssist")
        if (auto failure = listing_failure(vendor::code_assist, headers)) {
          refuse(*failure);
          return true;
        }
      refuse(fake::subscription::discovery(g_code_assist, post, target,
                                           req_.body()));
    } else {
      return false;
    }
    return true;
  }

  /// The `--flavor cloudflare` API and its test hooks; answers after the
  /// delay a test asked for.
  void cloudflare_route(const std::string& target,
                        const std::map<std::string, std::string>& headers) {
    auto authorization = header(headers, "authorization");
    auto content_type = header(headers, "content-type");
    fake::cloudflare::request r{req_.method_string(), target, authorization,
                                content_type, req_.body()};
    auto a
      = target.starts_with("/client/v4/") ? g_cf.serve(r) : g_cf.control(r);
    if (a.delay_ms <= 0) {
      reply(a.status, std::move(a.body), "application/json", a.headers);
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(a.delay_ms));
    timer_.async_wait(
      [self = shared_from_this(), a = std::move(a)](beast::error_code ec) {
        if (!ec)
          self->reply(a.status, a.body, "application/json", a.headers);
      });
  }

  /// A token endpoint; refresh answers wait --refresh-delay-ms, so tests
  /// can pile requests up behind one refresh.
  void token_endpoint(const std::string& path,
                      const std::map<std::string, std::string>& headers) {
    if (req_.method() != bhttp::verb::post) {
      reply(405,
            R"({"error":"invalid_request","error_description":"use POST"})");
      return;
    }
    auto a = g_issuer.token(path, header(headers, "content-type"), req_.body());
    if (!a.refresh || g_refresh_delay_ms <= 0) {
      reply_answer(a);
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(g_refresh_delay_ms));
    timer_.async_wait(
      [self = shared_from_this(), a = std::move(a)](beast::error_code ec) {
        if (!ec)
          self->reply_answer(a);
      });
  }

  /// A subscription generation request: recorded, then the bearer, then
  /// the wire's header and body rules, then answered as scripted.
  void subscription(vendor wire, const std::string& target,
                    const std::map<std::string, std::string>& headers,
                    bool stream_from_path) {
    wire_ = wire;
    if (req_.method() != bhttp::verb::post) {
      refuse(fake::error_for(wire_, 405, "method not allowed"));
      return;
    }
    record(target, headers);
    auto why = g_issuer.check(header(headers, "authorization"));
    if (why != fake::oauth::bearer::valid) {
      refuse(fake::subscription::unauthorised(wire_, why));
      return;
    }
    if (auto r = fake::subscription::refusal(wire_, headers, req_.body())) {
      refuse(*r);
      return;
    }
    // refusal() turned away a body that is not a JSON object.
    oh::json::document body;
    body.Parse(req_.body().c_str());
    if (auto r = fake::check_body(wire_, body)) {
      refuse(*r);
      return;
    }
    generate(headers, "", stream_from_path);
  }

  void handle() {
    std::string target{req_.target()};
    auto headers = lower_headers();
    bool get = req_.method() == bhttp::verb::get;
    if (target == "/_fake/stats") {
      std::lock_guard guard{g_stats.mu};
      reply(200, "{\"requests\":" + std::to_string(g_stats.requests.load())
                   + ",\"listings\":" + std::to_string(g_stats.listings.load())
                   + ",\"open_streams\":"
                   + std::to_string(g_stats.open_streams.load())
                   + ",\"completed_streams\":"
                   + std::to_string(g_stats.completed_streams.load())
                   + ",\"last_headers\":" + g_stats.last_headers_json
                   + ",\"last_body\":" + quoted(g_stats.last_body)
                   + ",\"last_target\":" + quoted(g_stats.last_target)
                   + (g_oauth ? g_issuer.stats_members() : "") + "}");
      return;
    }
    if (target == "/_fake/script" && req_.method() == bhttp::verb::post) {
      g_default_script.clear();
      fake::parse_pairs(req_.body(), g_default_script);
      std::string pairs;
      for (auto& [k, v] : g_default_script)
        pairs += (pairs.empty() ? "" : ",") + quoted(k) + ":" + quoted(v);
      reply(200, "{\"script\":{" + pairs + "}}");
      return;
    }
    if (g_cloudflare
        && (target.starts_with("/client/v4/")
            || target.starts_with("/_fake/cf/"))) {
      cloudflare_route(target, headers);
      return;
    }
    if (g_oauth && oauth_route(target, headers, get))
      return;
    // Model listings: the no-quota health probes.
    std::optional<vendor> listing;
    if (get && (target == "/v1/models" || target == "/models"))
      listing = headers.contains("anthropic-version") ? vendor::claude
                                                      : vendor::openai;
    else if (get && target == "/v1beta/models")
      listing = vendor::gemini;
    else if (get && target == "/api/tags")
      listing = vendor::ollama;
    if (listing) {
      fake::error_reply refusal{};
      if (!fake::authorised(*listing, headers, g_api_key, refusal)) {
        refuse(refusal);
        return;
      }
      if (auto failure = listing_failure(*listing, headers)) {
        refuse(*failure);
        return;
      }
      reply(200, fake::models_listing(*listing));
      return;
    }
    std::string model_from_path;
    bool stream_from_path = false;
    if (target == "/v1/chat/completions" || target == "/chat/completions") {
      wire_ = vendor::openai;
    } else if (target == "/v1/messages") {
      wire_ = vendor::claude;
    } else if (target == "/api/chat") {
      wire_ = vendor::ollama;
    } else if (target.starts_with("/v1beta/models/")
               && target.find(':') != std::string::npos) {
      wire_ = vendor::gemini;
      auto colon = target.find(':');
      model_from_path = target.substr(15, colon - 15);
      auto method = target.substr(colon + 1);
      if (method == "streamGenerateContent?alt=sse")
        stream_from_path = true;
      else if (method != "generateContent") {
        refuse(fake::error_for(wire_, 404, "unknown method " + method));
        return;
      }
    } else if (target == "/v1/messages/count_tokens") {
      record(target, headers);
      fake::error_reply refusal{};
      if (!fake::authorised(vendor::claude, headers, g_api_key, refusal)) {
        refuse(refusal);
        return;
      }
      count_tokens();
      return;
    } else {
      refuse(fake::error_for(vendor::openai, 404, "no such route"));
      return;
    }
    if (req_.method() != bhttp::verb::post) {
      refuse(fake::error_for(wire_, 405, "method not allowed"));
      return;
    }
    record(target, headers);
    fake::error_reply refusal{};
    if (!fake::authorised(wire_, headers, g_api_key, refusal)) {
      refuse(refusal);
      return;
    }
    oh::json::document body;
    body.Parse(req_.body().c_str());
    if (body.HasParseError() || !body.IsObject()) {
      refuse(fake::error_for(wire_, 400, "invalid JSON body"));
      return;
    }
    if (auto r = fake::check_body(wire_, body)) {
      refuse(*r);
      return;
    }
    generate(headers, model_from_path, stream_from_path);
  }

  /// Scripts, plans and (after delay_ms) answers a generation request that
  /// passed its wire's checks.
  void generate(const std::map<std::string, std::string>& headers,
                const std::string& model_from_path, bool stream_from_path) {
    credentials_seen_ = credentials_in(headers);
    script_ = g_default_script;
    fake::read_directives(req_.body(), script_);
    for (auto& [name, v] : headers)
      if (name.rfind("x-fake-", 0) == 0)
        script_[name.substr(7)] = v;
    plan_ = fake::make_plan(wire_, req_.body(), script_, model_from_path,
                            stream_from_path);
    auto delay = num(script_, "delay_ms", 0);
    timer_.expires_after(std::chrono::milliseconds(delay));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->answer();
    });
  }

  void answer() {
    if (auto failure
        = fake::scripted_failure(wire_, script_, credentials_seen_)) {
      refuse(*failure);
      return;
    }
    auto nested = num(script_, "nested", 0);
    std::string deep = std::string(static_cast<size_t>(nested), '[')
                       + std::string(static_cast<size_t>(nested), ']');
    // The JSON writer would replace a bad byte: put it in afterwards.
    bool bad_utf8 = num(script_, "bad_utf8", 0) == 1;
    if (bad_utf8)
      plan_.text += "BADBYTE";
    auto spoil = [bad_utf8](std::string text) {
      if (auto at = text.find("BADBYTE"); bad_utf8 && at != std::string::npos)
        text.replace(at, 7, "\xff");
      return text;
    };
    if (!plan_.stream) {
      if (nested > 0)
        reply(200, deep);
      else if (auto size = num(script_, "answer_bytes", 0); size > 0)
        reply(200, "{\"pad\":\"" + std::string(static_cast<size_t>(size), 'a')
                     + "\"}");
      else
        reply(200, spoil(fake::whole_answer(plan_)));
      return;
    }
    std::string type;
    events_ = fake::stream_events(plan_, type);
    for (auto& ev : events_)
      ev = spoil(std::move(ev));
    auto at = static_cast<size_t>(std::min<int64_t>(
      num(script_, "nested_at", 0), static_cast<int64_t>(events_.size())));
    bool ndjson = wire_ == vendor::ollama;
    if (nested > 0)
      events_.insert(events_.begin() + static_cast<std::ptrdiff_t>(at),
                     ndjson ? deep + "\n" : "data: " + deep + "\n\n");
    if (auto size = num(script_, "line_bytes", 0); size > 0) {
      // One line that never ends: everything after it extends it.
      events_.resize(at);
      std::string line = ndjson ? "" : "data: ";
      line.append(static_cast<size_t>(size), 'a');
      events_.push_back(std::move(line));
    }
    next_ = 0; // a keep-alive connection carries many streams
    sent_ = 0;
    g_stats.open_streams += 1;
    streaming_ = true;
    ++stream_gen_;
    watch();
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: " + type
                       + "\r\nCache-Control: no-cache\r\nTransfer-Encoding: "
                         "chunked\r\n\r\n";
    write_raw(std::move(head), [](connection& c) {
      c.next_event();
    });
  }

  void next_event() {
    using conn = connection<Stream>;
    if (num(script_, "hang", 0) == 1)
      return; // keep the stream open, silent (the timer owner keeps us)
    auto hang_after = num(script_, "hang_after", -1);
    if (hang_after >= 0 && sent_ >= hang_after)
      return; // silent but connected; the watch notices a close
    auto drop_after = num(script_, "drop_after", -1);
    if (drop_after >= 0 && sent_ > drop_after) {
      end_stream(false);
      return;
    }
    if (next_ >= events_.size()) {
      write_raw("0\r\n\r\n", [](conn& c) {
        c.end_stream(true);
      });
      return;
    }
    // The first `pause_from` events go out back to back (the role chunk and
    // the first content together), the rest `interval_ms` apart.
    auto interval
      = static_cast<int64_t>(next_) + 1 < num(script_, "pause_from", 0)
          ? 0
          : num(script_, "interval_ms", 0);
    auto& ev = events_[next_++];
    ++sent_;
    char size[20];
    std::snprintf(size, sizeof(size), "%zx\r\n", ev.size());
    write_raw(std::string{size} + ev + "\r\n", [interval](conn& c) {
      if (interval <= 0) {
        c.next_event();
        return;
      }
      c.timer_.expires_after(std::chrono::milliseconds(interval));
      c.timer_.async_wait([self = c.shared_from_this()](beast::error_code ec) {
        if (!ec)
          self->next_event();
        else
          self->end_stream(false);
      });
    });
  }

  template<class F>
  void write_raw(std::string bytes, F then) {
    auto buf = std::make_shared<std::string>(std::move(bytes));
    net::async_write(
      stream_, net::buffer(*buf),
      [self = shared_from_this(), buf, then](beast::error_code ec, size_t) {
        if (ec) {
          self->end_stream(false);
          return;
        }
        then(*self);
      });
  }

  void end_stream(bool clean) {
    if (!streaming_)
      return;
    streaming_ = false;
    g_stats.open_streams -= 1;
    if (clean) {
      g_stats.completed_streams += 1;
      read();
      return;
    }
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

public:
  ~connection() {
    if (streaming_)
      g_stats.open_streams -= 1;
  }

  /// During a stream the client sends nothing, so readability means it
  /// closed: count the stream as ended at once.
  /// The generation guards against a watch left over from an earlier
  /// stream on this keep-alive connection firing on the next request.
  void watch() {
    socket().async_wait(
      tcp::socket::wait_read,
      [self = shared_from_this(), gen = stream_gen_](beast::error_code ec) {
        if (!ec && self->streaming_ && gen == self->stream_gen_) {
          self->timer_.cancel();
          self->end_stream(false);
        }
      });
  }

private:
  Stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> req_;
  script script_;
  std::string credentials_seen_;
  vendor wire_ = vendor::openai;
  fake::plan plan_;
  bool streaming_ = false;
  uint64_t stream_gen_ = 0;
  std::vector<std::string> events_;
  size_t next_ = 0;
  int64_t sent_ = 0;
};

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= text.size()) {
    auto end = std::min(text.find(',', at), text.size());
    if (end > at)
      out.emplace_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

void accept(tcp::acceptor& acceptor, net::ssl::context* tls) {
  acceptor.async_accept([&acceptor, tls](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      if (tls != nullptr)
        std::make_shared<connection<tls_stream_t>>(std::move(s), *tls)->start();
      else
        std::make_shared<connection<tcp_stream_t>>(std::move(s))->start();
    }
    if (acceptor.is_open())
      accept(acceptor, tls);
  });
}

} // namespace

int main(int argc, char** argv) {
  uint16_t port = 0;
  std::string port_file;
  std::string flavor = "openai";
  std::string tls_cert;
  std::string tls_key;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--port" && i + 1 < argc)
      port = static_cast<uint16_t>(std::stoi(argv[++i]));
    else if (a == "--port-file" && i + 1 < argc)
      port_file = argv[++i];
    else if (a == "--flavor" && i + 1 < argc)
      flavor = argv[++i];
    else if (a == "--script" && i + 1 < argc)
      fake::parse_pairs(argv[++i], g_default_script);
    else if (a == "--api-key" && i + 1 < argc)
      g_api_key = argv[++i];
    else if (a == "--tls-cert" && i + 1 < argc)
      tls_cert = argv[++i];
    else if (a == "--tls-key" && i + 1 < argc)
      tls_key = argv[++i];
    else if (a == "--token-expiry-s" && i + 1 < argc)
      g_issuer.config.expiry_s = std::stoll(argv[++i]);
    else if (a == "--refresh-delay-ms" && i + 1 < argc)
      g_refresh_delay_ms = std::stoll(argv[++i]);
    else if (a == "--reuse-refresh")
      g_issuer.config.reuse_refresh = true;
    else if (a == "--fail-refresh")
      g_issuer.config.fail_refresh = true;
    else if (a == "--no-project")
      g_code_assist.no_project = true;
    else if (a == "--cf-token" && i + 1 < argc)
      g_cf.config.token = argv[++i];
    else if (a == "--cf-account-id" && i + 1 < argc)
      g_cf.config.account_id = argv[++i];
    else if (a == "--cf-account-name" && i + 1 < argc)
      g_cf.config.account_name = argv[++i];
    else if (a == "--cf-zones" && i + 1 < argc)
      g_cf.config.zones = split_list(argv[++i]);
    else if (a == "--cf-max-per-page" && i + 1 < argc)
      g_cf.config.max_per_page = std::stoll(argv[++i]);
    else {
      std::cerr
        << "usage: fake_upstream [--port N] [--port-file PATH] "
           "[--script \"k=v ...\"] [--api-key K] [--tls-cert F --tls-key F]\n"
           "       [--flavor oauth [--token-expiry-s N] [--reuse-refresh]\n"
           "        [--refresh-delay-ms N] [--fail-refresh] [--no-project]]\n"
           "       [--flavor cloudflare [--cf-token T] [--cf-account-id ID]\n"
           "        [--cf-account-name N] [--cf-zones a.com,b.org:pending]\n"
           "        [--cf-max-per-page N]]\n";
      return 2;
    }
  }
  // Every API wire is served whatever the flavor, chosen by the request
  // path; `oauth` adds the subscription side, `cloudflare` the Cloudflare
  // API.
  g_oauth = flavor == "oauth";
  g_cloudflare = flavor == "cloudflare";
  g_cf.seed();
  g_issuer.config.api_key = g_api_key;
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc, {net::ip::make_address("127.0.0.1"), port}};
  port = acceptor.local_endpoint().port();
  std::cout << port << std::endl;
  if (!port_file.empty()) {
    std::ofstream out{port_file + ".tmp"};
    out << port << "\n";
    out.close();
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  std::unique_ptr<net::ssl::context> tls;
  if (!tls_cert.empty()) {
    tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    tls->use_certificate_chain_file(tls_cert);
    tls->use_private_key_file(tls_key, net::ssl::context::pem);
  }
  accept(acceptor, tls.get());
  net::signal_set signals{ioc, SIGTERM, SIGINT};
  signals.async_wait([&](beast::error_code, int) {
    ioc.stop();
  });
  ioc.run();
  return 0;
}
