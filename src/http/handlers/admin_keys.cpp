#include <algorithm>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/defaults.hpp"
#include "http/handlers/admin_json.hpp"
#include "http/handlers/admin_resources.hpp"
#include "store/api_keys_repo.hpp"
#include "store/audit_repo.hpp"
#include "store/souls_repo.hpp"

namespace oh::http::admin {

namespace {

using actors::admin_reply;
using actors::store_context;

constexpr int64_t max_limit = 1'000'000'000;

/// Sets a fresh secret on `r` and returns it (the only time it exists).
std::string issue_secret(store::api_key_record& r) {
  auto secret = crypto::new_api_key();
  r.key_hash = crypto::sha256_hex(secret);
  r.hash_algo = "sha256";
  r.key_prefix = secret.substr(0, defaults::key_prefix_length);
  r.last4 = secret.substr(secret.size() - 4);
  return secret;
}

store::key_spend spend_of(store_context& ctx, const std::string& id) {
  auto today = clock::now_iso().substr(0, 10);
  auto month_start = today.substr(0, 8) + "01";
  return store::api_keys_repo{ctx.db}.spend(id, today, month_start);
}

std::optional<failure> apply_body(store_context& ctx, const json::value& body,
                                  store::api_key_record& r, bool creating) {
  fields f{body};
  f.only({"name", "api_format", "soul_ids", "soul_id", "rate_limit_rpm",
          "rate_limit_tpm", "max_concurrency", "daily_budget_cents",
          "monthly_budget_cents", "expires_at", "is_enabled"});
  if (creating)
    f.require("name");
  if (auto v = f.string("name", 200)) {
    if (!*v || (*v)->empty())
      f.reject("name", errc::invalid_value, "must be a non-empty string");
    else
      r.name = **v;
  }
  if (auto v = f.string("api_format", 20)) {
    if (!*v || (**v != "openai" && **v != "anthropic" && **v != "openclaw"))
      f.reject("api_format", errc::invalid_value,
               "must be openai, anthropic or openclaw");
    else
      r.api_format = **v;
  }
  if (auto v = f.integer("rate_limit_rpm", 0, max_limit))
    r.rate_limit_rpm = v->value_or(0);
  if (auto v = f.integer("rate_limit_tpm", 0, max_limit))
    r.rate_limit_tpm = (*v && **v == 0) ? std::nullopt : *v;
  if (auto v = f.integer("max_concurrency", 0, 1'000'000))
    r.max_concurrency = (*v && **v == 0) ? std::nullopt : *v;
  if (auto v = f.integer("daily_budget_cents", 0, max_limit))
    r.daily_budget_cents = (*v && **v == 0) ? std::nullopt : *v;
  if (auto v = f.integer("monthly_budget_cents", 0, max_limit))
    r.monthly_budget_cents = (*v && **v == 0) ? std::nullopt : *v;
  if (auto v = f.boolean("is_enabled"))
    r.is_enabled = v->value_or(true);
  if (auto v = f.string("expires_at", 64)) {
    if (!*v || (*v)->empty()) {
      r.expires_at.reset();
    } else if (auto ms = clock::parse_timestamp(**v)) {
      r.expires_at = clock::format_iso(*ms);
    } else {
      f.reject("expires_at", errc::invalid_value,
               "must be an ISO-8601 timestamp such as 2027-01-31T00:00:00Z");
    }
  }
  auto ids = f.strings("soul_ids");
  auto legacy = f.string("soul_id", 64);
  if (f.error())
    return f.error();
  std::optional<std::vector<std::string>> souls;
  if (ids)
    souls = ids->value_or(std::vector<std::string>{});
  if (legacy && *legacy && !(*legacy)->empty()) {
    if (!souls)
      souls.emplace();
    souls->push_back(**legacy);
  }
  if (souls) {
    store::souls_repo repo{ctx.db};
    for (auto& id : *souls)
      if (!repo.get(id))
        return failure{errc::invalid_value,
                       "soul_ids: no soul " + clip_echo(id), "soul_ids"};
    std::sort(souls->begin(), souls->end());
    souls->erase(std::unique(souls->begin(), souls->end()), souls->end());
    r.soul_ids = std::move(*souls);
  }
  return std::nullopt;
}

admin_reply create(store_context& ctx, const admin_call& call) {
  store::api_key_record r;
  r.id = crypto::new_id();
  r.created_at = r.updated_at = clock::now_iso();
  if (auto err = apply_body(ctx, *call.body, r, true))
    return reply_error(*err);
  auto secret = issue_secret(r);
  // The key and its soul bindings land in one transaction (SPEC §9.2).
  store::transaction tx{ctx.db};
  store::api_keys_repo{ctx.db}.insert(r);
  store::audit_repo{ctx.db}.record(call.actor, "create", "api_key", r.id);
  tx.commit();
  auto reply = reply_json(201, wrap_data(key_json(r, {}, &secret)));
  reply.changes.emplace_back(std::move(r));
  return reply;
}

enum class answer { ok, key, key_with_secret };

/// Loads, changes, stores and reports one key. `change` may set `secret`.
template<class Change>
admin_reply modify(store_context& ctx, const admin_call& call,
                   const char* action, answer kind, Change change) {
  store::api_keys_repo repo{ctx.db};
  auto r = repo.get(call.id);
  if (!r)
    return reply_error(fail(errc::not_found, "key " + call.id + " not found"));
  std::string secret;
  if (auto err = change(*r, secret))
    return reply_error(*err);
  r->updated_at = clock::now_iso();
  store::transaction tx{ctx.db};
  repo.update(*r);
  store::audit_repo{ctx.db}.record(call.actor, action, "api_key", r->id);
  tx.commit();
  admin_reply reply
    = kind == answer::ok
        ? reply_ok()
        : reply_json(200,
                     wrap_data(key_json(
                       *r, spend_of(ctx, r->id),
                       kind == answer::key_with_secret ? &secret : nullptr)));
  reply.changes.emplace_back(std::move(*r));
  return reply;
}

} // namespace

admin_reply keys_call(store_context& ctx, const admin_call& call) {
  store::api_keys_repo repo{ctx.db};
  switch (call.route) {
    case route_id::admin_keys: {
      if (call.method == "POST")
        return create(ctx, call);
      std::vector<std::string> items;
      for (auto& r : repo.list())
        items.push_back(key_json(r, spend_of(ctx, r.id)));
      return reply_json(200, wrap_list(items));
    }
    case route_id::admin_key_revoke:
    case route_id::admin_key_reactivate: {
      bool enable = call.route == route_id::admin_key_reactivate;
      return modify(
        ctx, call, enable ? "reactivate" : "revoke", answer::ok,
        [&](store::api_key_record& r, std::string&) -> std::optional<failure> {
          r.is_enabled = enable;
          return std::nullopt;
        });
    }
    case route_id::admin_key_rotate:
      return modify(ctx, call, "rotate", answer::key_with_secret,
                    [&](store::api_key_record& r,
                        std::string& secret) -> std::optional<failure> {
                      secret = issue_secret(r);
                      return std::nullopt;
                    });
    default:
      break;
  }
  if (call.method == "GET") {
    auto r = repo.get(call.id);
    if (!r)
      return reply_error(
        fail(errc::not_found, "key " + call.id + " not found"));
    return reply_json(200, wrap_data(key_json(*r, spend_of(ctx, r->id))));
  }
  if (call.method == "DELETE") {
    store::transaction tx{ctx.db};
    if (!repo.remove(call.id))
      return reply_error(
        fail(errc::not_found, "key " + call.id + " not found"));
    store::audit_repo{ctx.db}.record(call.actor, "delete", "api_key", call.id);
    tx.commit();
    auto reply = reply_ok();
    reply.changes.emplace_back(
      actors::removed_entity{actors::removed_entity::kind::api_key, call.id});
    return reply;
  }
  if (call.body->IsObject() && call.body->MemberCount() == 0)
    return reply_error(fail(errc::invalid_value, "nothing to update"));
  return modify(
    ctx, call, "update", answer::key,
    [&](store::api_key_record& r, std::string&) -> std::optional<failure> {
      return apply_body(ctx, *call.body, r, false);
    });
}

admin_reply run_admin_call(store_context& ctx, const admin_call& call) {
  switch (call.route) {
    case route_id::admin_providers:
    case route_id::admin_provider:
    case route_id::admin_providers_bulk:
      return providers_call(ctx, call);
    case route_id::admin_souls:
    case route_id::admin_soul:
      return souls_call(ctx, call);
    case route_id::admin_keys:
    case route_id::admin_key:
    case route_id::admin_key_revoke:
    case route_id::admin_key_reactivate:
    case route_id::admin_key_rotate:
      return keys_call(ctx, call);
    default:
      return reply_error(fail(errc::not_found, "no such admin resource"));
  }
}

admin_reply reply_error(failure f) {
  admin_reply reply;
  reply.error = std::move(f);
  return reply;
}

admin_reply reply_json(uint16_t status, std::string body) {
  admin_reply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

admin_reply reply_ok() {
  return reply_json(200, "{\"ok\":true}");
}

} // namespace oh::http::admin
