// The bridge between the HTTP session and the request actor for the public
// API: the one place in src/http that spawns request actors.
#include "http/handlers/chat.hpp"

#include <atomic>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/request.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/original_secrets.hpp"
#include "core/error_render.hpp"
#include "core/logging.hpp"

namespace oh::http::handlers {

namespace {

constexpr size_t api_key_length = 47; // "ohk_" + 43 base64url

bool valid_client_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64)
    return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_'
          || c == '-'))
      return false;
  return true;
}

std::string_view presented_key(const http_request& req) {
  if (auto auth = req.header("authorization");
      auth && auth->size() > 7
      && (auth->substr(0, 7) == "Bearer " || auth->substr(0, 7) == "bearer "))
    return auth->substr(7);
  if (auto k = req.header("x-api-key"))
    return *k;
  if (auto k = req.header("api-key"))
    return *k;
  return {};
}

http_response auth_error(dialect d, const std::string& request_id,
                         std::string message) {
  auto res = error_response(d, fail(errc::auth_invalid, std::move(message)),
                            request_id);
  add_v1_headers(res, request_id);
  return res;
}

} // namespace

namespace {

/// Answers a model listing once the key actor reported its limits (a dry
/// run: nothing is taken); without an answer in time, without them.
void models_reply(caf::event_based_actor* self, actors::api_key_actor key,
                  http_response res, sink_ptr sink) {
  auto shared = std::make_shared<http_response>(std::move(res));
  self
    ->request(key, std::chrono::seconds(2), actors::admit_atom::value,
              actors::admit_request{.reserve_tokens = 0, .dry_run = true})
    .then(
      [self, shared, sink](actors::admit_result& r) {
        actors::append_rate_limit_lines(shared->head_lines, r.rate,
                                        clock::now_ms());
        sink->respond(std::move(*shared));
        self->quit();
      },
      [self, shared, sink](caf::error&) {
        sink->respond(std::move(*shared));
        self->quit();
      });
}

} // namespace

key_lookup look_up_key(const actors::lookup_snapshot& snap,
                       std::string_view key) {
  key_lookup out;
  out.refused = "unknown";
  if (key.size() != api_key_length || !key.starts_with("ohk_"))
    return out;
  auto hash = crypto::sha256_hex(key);
  auto it = snap.keys_by_hash.find(hash);
  if (it == snap.keys_by_hash.end()
      || !crypto::constant_time_equal(it->second.key_hash, hash))
    return out;
  out.entry = &it->second;
  if (!it->second.enabled)
    out.refused = "revoked";
  else if (it->second.expires_at_ms
           && *it->second.expires_at_ms <= clock::now_ms())
    out.refused = "expired";
  else
    out.refused = nullptr;
  return out;
}

void add_v1_headers(http_response& res, const std::string& request_id) {
  res.headers.emplace_back("x-request-id", request_id);
  res.headers.emplace_back("x-openhinge-version", OH_VERSION);
  res.headers.emplace_back("access-control-allow-origin", "*");
  res.headers.emplace_back("access-control-expose-headers", "x-request-id");
}

void handle_chat_checked(const std::shared_ptr<app_context>& ctx,
                         const route_result& route, http_request req,
                         sink_ptr sink, bool legacy_checked);

/// Keys imported from the original keep their scrypt hash until first used
/// (SPEC §5.1): verified here, off the I/O threads (scrypt costs tens of
/// milliseconds), then re-stored as SHA-256; the request goes on either way
/// (found, or refused as unknown). At most a few checks run at once, so a
/// flood of made-up keys with a known prefix cannot buy scrypt time.
std::atomic<int> legacy_checks_running{0};
constexpr int max_legacy_checks = 4;

void check_legacy_key(
  const std::shared_ptr<app_context>& ctx, const route_result& route,
  http_request req, sink_ptr sink,
  std::vector<std::pair<std::string, std::string>> candidates) {
  auto done = [ctx, route, sink](http_request r) mutable {
    handle_chat_checked(ctx, route, std::move(r), std::move(sink), true);
  };
  if (legacy_checks_running.fetch_add(1) >= max_legacy_checks) {
    legacy_checks_running.fetch_sub(1);
    done(std::move(req));
    return;
  }
  ctx->system->spawn<caf::detached>(
    [ctx, req = std::move(req), candidates = std::move(candidates),
     done](caf::event_based_actor* self, int) mutable -> caf::behavior {
      auto key = std::string{presented_key(req)};
      std::string matched;
      for (auto& [id, hash] : candidates)
        if (original::verify_key_hash(key, hash)) {
          matched = id;
          break;
        }
      legacy_checks_running.fetch_sub(1);
      if (matched.empty()) {
        done(std::move(req));
        self->quit();
        return {};
      }
      self
        ->request(ctx->registry, std::chrono::seconds(10),
                  actors::rehash_atom::value, matched, crypto::sha256_hex(key))
        .then(
          [self, req, done](bool) mutable {
            done(std::move(req));
            self->quit();
          },
          [self, req, done](caf::error&) mutable {
            done(std::move(req));
            self->quit();
          });
      return {};
    },
    0);
}

void handle_chat(const std::shared_ptr<app_context>& ctx,
                 const route_result& route, http_request req, sink_ptr sink) {
  handle_chat_checked(ctx, route, std::move(req), std::move(sink), false);
}

void handle_chat_checked(const std::shared_ptr<app_context>& ctx,
                         const route_result& route, http_request req,
                         sink_ptr sink, bool legacy_checked) {
  auto request_id = crypto::new_id();
  auto d = dialect_for_path(req.path);
  if (ctx->draining.load()) {
    auto res = error_response(
      d, fail(errc::shutting_down, "the gateway is shutting down"), request_id);
    res.headers.emplace_back("Retry-After", "1");
    res.close = true;
    add_v1_headers(res, request_id);
    sink->respond(std::move(res));
    return;
  }
  auto key = presented_key(req);
  auto count_failure = [&] {
    ctx->services->metrics->auth_failures.add({});
  };
  if (key.empty()) {
    count_failure();
    sink->respond(auth_error(d, request_id,
                             "missing API key: send Authorization: Bearer "
                             "<ohk_ key> or x-api-key"));
    return;
  }
  if (key.size() != api_key_length || !key.starts_with("ohk_")) {
    count_failure();
    sink->respond(auth_error(d, request_id,
                             "invalid API key format: keys look like ohk_…"));
    return;
  }
  auto snap = ctx->snapshot->load();
  auto found = look_up_key(*snap, key);
  const char* refused = found.refused;
  if (found.entry == nullptr && !legacy_checked
      && !snap->legacy_by_prefix.empty()) {
    auto [first, last]
      = snap->legacy_by_prefix.equal_range(std::string{key.substr(0, 12)});
    if (first != last) {
      std::vector<std::pair<std::string, std::string>> candidates;
      for (auto it = first; it != last; ++it)
        candidates.emplace_back(it->second.id, it->second.key_hash);
      check_legacy_key(ctx, route, std::move(req), std::move(sink),
                       std::move(candidates));
      return;
    }
  }
  if (refused != nullptr) {
    count_failure();
    OH_DEBUG("request {}: key {} refused ({})", request_id, redacted{key},
             refused);
    // Unknown, revoked, disabled and expired keys get one identical answer;
    // the reason goes only to the log row of known keys.
    if (std::string_view{refused} != "unknown") {
      store::usage_row row;
      row.request_id = request_id;
      row.created_at = clock::now_iso();
      row.api_key_id = found.entry->id;
      row.key_name = found.entry->name;
      row.endpoint = d == dialect::anthropic ? "messages" : "chat";
      row.status = "denied";
      row.http_status = 401;
      row.error_code = "auth_invalid";
      row.error_message = std::string{"key "} + refused;
      row.client_ip = req.peer_ip;
      ctx->services->log->push(std::move(row));
    }
    sink->respond(auth_error(d, request_id, "invalid API key"));
    return;
  }
  actors::request_input in;
  in.request_id = std::move(request_id); // not used below
  if (auto cid = req.header("x-request-id");
      cid && valid_client_request_id(*cid))
    in.client_request_id = std::string{*cid};
  in.key = *found.entry;
  if (route.id == route_id::v1_soul_chat
      || route.id == route_id::v1_soul_messages)
    in.path_slug = route.param;
  in.client_dialect = d;
  in.endpoint = route.id == route_id::v1_count_tokens ? "count_tokens"
                : d == dialect::anthropic             ? "messages"
                                                      : "chat";
  in.received_ms = clock::now_ms();
  in.http = std::move(req);
  ctx->system->spawn(actors::request, ctx->services, std::move(in),
                     std::move(sink));
}

void handle_models(const std::shared_ptr<app_context>& ctx, http_request req,
                   sink_ptr sink) {
  auto request_id = crypto::new_id();
  auto key = presented_key(req);
  auto snap = ctx->snapshot->load();
  auto found = look_up_key(*snap, key);
  const char* refused = found.refused;
  bool known = found.entry != nullptr;
  // Every /v1/models request is a row of the usage log (SPEC §8), as a
  // chat request is; unknown keys are counted in metrics only.
  auto log_models_row = [&](const char* status, int http_status,
                            const char* error_code, std::string message) {
    store::usage_row row;
    row.request_id = request_id;
    row.created_at = clock::now_iso();
    row.api_key_id = found.entry->id;
    row.key_name = found.entry->name;
    row.endpoint = "models";
    row.status = status;
    row.http_status = http_status;
    if (error_code != nullptr) {
      row.error_code = error_code;
      row.error_message = std::move(message);
    }
    row.client_ip = req.peer_ip;
    if (auto ua = req.header("user-agent"))
      row.user_agent = std::string{*ua};
    row.admitted = false; // models do not take a window slot (SPEC §5.2)
    ctx->services->log->push(std::move(row));
  };
  if (refused != nullptr) {
    ctx->services->metrics->auth_failures.add({});
    if (known)
      log_models_row("denied", 401, "auth_invalid",
                     std::string{"key "} + refused);
    sink->respond(
      auth_error(dialect::openai, request_id,
                 key.empty() ? "missing API key" : "invalid API key"));
    return;
  }
  log_models_row("success", 200, nullptr, {});
  bool anthropic = req.header("anthropic-version").has_value();
  std::string body;
  if (anthropic) {
    body = "{\"data\":[";
    bool first = true;
    for (auto& m : snap->models) {
      if (!first)
        body += ",";
      first = false;
      body += "{\"type\":\"model\",\"id\":";
      json::append_quoted(body, m.id);
      body += ",\"display_name\":";
      json::append_quoted(body, m.id);
      body += ",\"created_at\":";
      json::append_quoted(body, clock::format_iso(m.created * 1000));
      body += "}";
    }
    body += "],\"has_more\":false}";
  } else {
    body = "{\"object\":\"list\",\"data\":[";
    bool first = true;
    for (auto& m : snap->models) {
      if (!first)
        body += ",";
      first = false;
      body += "{\"id\":";
      json::append_quoted(body, m.id);
      body += ",\"object\":\"model\",\"created\":" + std::to_string(m.created)
              + ",\"owned_by\":";
      json::append_quoted(body, m.owned_by);
      body += ",\"_openhinge\":{\"providers\":[";
      for (size_t i = 0; i < m.accounts.size(); ++i) {
        if (i > 0)
          body += ",";
        body += "{\"id\":";
        json::append_quoted(body, m.accounts[i].first);
        body += ",\"name\":";
        json::append_quoted(body, m.accounts[i].second);
        body += "}";
      }
      body += "]}}";
    }
    for (auto& slug : snap->soul_slugs) {
      if (!first)
        body += ",";
      first = false;
      body += "{\"id\":";
      json::append_quoted(body, "soul/" + slug);
      body += ",\"object\":\"model\",\"created\":0,\"owned_by\":\"openhinge\"}";
    }
    body += "]}";
  }
  http_response res;
  res.body = std::move(body);
  add_v1_headers(res, request_id);
  // The key's limits, as on every /v1 answer after authentication (SPEC
  // §5.2); listing models takes no window slot.
  ctx->system->spawn(models_reply, found.entry->actor, std::move(res),
                     std::move(sink));
}

} // namespace oh::http::handlers
