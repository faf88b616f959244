#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "http/handlers/admin_json.hpp"
#include "http/handlers/admin_resources.hpp"
#include "providers/provider_types.hpp"
#include "store/audit_repo.hpp"
#include "store/database.hpp"
#include "store/providers_repo.hpp"
#include "store/souls_repo.hpp"

namespace oh::http::admin {

namespace {

using actors::admin_reply;

std::shared_ptr<const actors::account_health_cell>
cell_of(const admin_call& call, const std::string& id) {
  return call.health ? call.health->find(id) : nullptr;
}
using actors::store_context;

/// Validates a `config` object and merges it into `current` (null removes a
/// key), as the original merged provider_config.
std::optional<failure> merge_config(const json::value& patch_obj,
                                    std::string& current_json) {
  if (!patch_obj.IsObject())
    return failure{errc::invalid_value, "config: must be an object", "config"};
  json::document merged;
  if (auto cur = json::parse(current_json); cur && cur->IsObject())
    merged.CopyFrom(*cur, merged.GetAllocator());
  else
    merged.SetObject();
  fields f{patch_obj, "config."};
  for (auto& m : patch_obj.GetObject()) {
    std::string_view key{m.name.GetString(), m.name.GetStringLength()};
    if (!providers::is_known_config_field(key)) {
      std::string name{key};
      f.reject(name.c_str(), errc::invalid_value, "unknown config field");
    }
  }
  f.string("default_model", 200);
  for (auto* ms : {"timeout_ms", "stream_timeout_ms", "connect_timeout_ms",
                   "idle_timeout_ms", "max_stream_ms"})
    f.integer(ms, 1, 86'400'000);
  f.integer("max_concurrency", 0, 1'000'000);
  if (auto billing = f.string("billing"); billing && *billing
                                          && **billing != "metered"
                                          && **billing != "subscription")
    f.reject("billing", errc::invalid_value,
             "must be \"metered\" or \"subscription\"");
  if (auto mode = f.string("system_mode");
      mode && *mode && **mode != "blocks" && **mode != "user_merge")
    f.reject("system_mode", errc::invalid_value,
             "must be \"blocks\" or \"user_merge\"");
  if (f.error())
    return f.error();
  for (auto& m : patch_obj.GetObject()) {
    merged.RemoveMember(m.name.GetString());
    if (!m.value.IsNull())
      merged.AddMember(json::value{m.name, merged.GetAllocator()},
                       json::value{m.value, merged.GetAllocator()},
                       merged.GetAllocator());
  }
  current_json = json::to_string(merged);
  return std::nullopt;
}

/// Validates a credentials object; returns its compact JSON.
expected<std::string> read_credentials(const json::value& v) {
  if (!v.IsObject())
    return failure{errc::invalid_value, "credentials: must be an object",
                   "credentials"};
  for (auto& m : v.GetObject()) {
    std::string name
      = clip_echo({m.name.GetString(), m.name.GetStringLength()});
    if (!providers::is_known_credential_field(name))
      return failure{errc::invalid_value,
                     "credentials." + name + ": unknown credential field",
                     "credentials." + name};
    if (!m.value.IsString() && !m.value.IsNull() && !m.value.IsNumber()
        && !m.value.IsArray())
      return failure{errc::invalid_value,
                     "credentials." + name + ": must be a string",
                     "credentials." + name};
  }
  return json::to_string(v);
}

bool has_credential(const std::string& creds_json, const char* name) {
  auto doc = json::parse(creds_json);
  if (!doc || !doc->IsObject())
    return false;
  auto v = json::get_string(*doc, name);
  return v && !v->empty();
}

/// `credentials.expires_at` as milliseconds since the epoch (the original's
/// form; an ISO-8601 time is converted), mirrored in `token_expires_at`.
std::optional<failure> normalise_expiry(store::provider_record& r) {
  auto doc = json::parse(r.credentials_json);
  if (!doc || !doc->IsObject())
    return std::nullopt;
  auto it = doc->FindMember("expires_at");
  if (it == doc->MemberEnd() || it->value.IsNull()) {
    if (r.auth_mode != "borrowed")
      r.token_expires_at.reset();
    return std::nullopt;
  }
  std::optional<int64_t> ms;
  if (it->value.IsInt64()) {
    ms = it->value.GetInt64();
  } else if (it->value.IsString()) {
    std::string_view text{it->value.GetString(), it->value.GetStringLength()};
    bool digits = !text.empty()
                  && text.find_first_not_of("0123456789") == std::string::npos;
    if (digits)
      ms = std::stoll(std::string{text});
    else
      ms = clock::parse_timestamp(text);
  }
  if (!ms || *ms <= 0)
    return failure{errc::invalid_value,
                   "credentials.expires_at: must be milliseconds since the "
                   "epoch or an ISO-8601 time such as 2027-01-31T00:00:00Z",
                   "credentials.expires_at"};
  auto& a = doc->GetAllocator();
  auto text = std::to_string(*ms);
  it->value.SetString(text.c_str(),
                      static_cast<rapidjson::SizeType>(text.size()), a);
  r.credentials_json = json::to_string(*doc);
  if (r.auth_mode != "api_key")
    r.token_expires_at = clock::format_iso(*ms);
  return std::nullopt;
}

/// Checks the record as a whole after create or patch.
std::optional<failure> check_account(const store::provider_record& r) {
  auto* info = providers::find_type(r.type);
  if (info == nullptr)
    return failure{errc::invalid_value,
                   "type: must be one of " + providers::known_types_text(),
                   "type"};
  bool mode_ok = false;
  for (auto m : info->auth_modes)
    mode_ok = mode_ok || m == r.auth_mode;
  if (!mode_ok)
    return failure{errc::invalid_value,
                   "auth_mode: " + r.auth_mode + " is not supported for "
                     + r.type + " accounts",
                   "auth_mode"};
  if (info->default_base_url.empty() && !r.base_url)
    return failure{errc::missing_field,
                   "base_url: is required for " + r.type + " accounts",
                   "base_url"};
  if (r.auth_mode == "api_key" && info->key_required
      && !has_credential(r.credentials_json, "api_key"))
    return failure{errc::missing_field,
                   "credentials.api_key: is required for a " + r.type
                     + " account in api_key mode",
                   "credentials.api_key"};
  if (r.auth_mode == "oauth"
      && !has_credential(r.credentials_json, "oauth_token")
      && !has_credential(r.credentials_json, "access_token")
      && !has_credential(r.credentials_json, "refresh_token"))
    return failure{errc::missing_field,
                   "credentials.oauth_token: an oauth account needs an "
                   "access or refresh token",
                   "credentials.oauth_token"};
  if (r.auth_mode == "borrowed"
      && !has_credential(r.credentials_json, "source_path"))
    return failure{errc::missing_field,
                   "credentials.source_path: a borrowed account names the "
                   "CLI credential file it reads",
                   "credentials.source_path"};
  return std::nullopt;
}

/// Applies the body's fields to `r`; shared by create and patch.
std::optional<failure> apply_body(const json::value& body,
                                  store::provider_record& r, bool creating) {
  fields f{body};
  f.only({"name", "type", "base_url", "auth_mode", "priority", "is_enabled",
          "config", "provider_config", "credentials"});
  if (creating) {
    f.require("name");
    f.require("type");
  }
  if (auto v = f.string("name", 200)) {
    if (!*v || (*v)->empty())
      f.reject("name", errc::invalid_value, "must be a non-empty string");
    else
      r.name = **v;
  }
  if (auto v = f.string("type", 40)) {
    if (!*v || !providers::find_type(**v))
      f.reject("type", errc::invalid_value,
               "must be one of " + providers::known_types_text());
    else
      r.type = **v;
  }
  if (auto v = f.string("base_url", 2000)) {
    if (*v && !(*v)->empty() && !providers::is_valid_base_url(**v))
      f.reject("base_url", errc::invalid_value,
               "must be an http:// or https:// URL");
    else if (*v && !(*v)->empty()) {
      std::string url = **v;
      while (url.size() > 1 && url.back() == '/')
        url.pop_back();
      r.base_url = url;
    } else
      r.base_url.reset();
  }
  if (auto v = f.string("auth_mode", 20)) {
    if (!*v || (**v != "api_key" && **v != "oauth" && **v != "borrowed"))
      f.reject("auth_mode", errc::invalid_value,
               "must be api_key, oauth or borrowed");
    else
      r.auth_mode = **v;
  }
  if (auto v = f.integer("priority", -1'000'000, 1'000'000))
    r.priority = v->value_or(0);
  if (auto v = f.boolean("is_enabled"))
    r.is_enabled = v->value_or(true);
  if (f.error())
    return f.error();
  for (auto* name : {"config", "provider_config"})
    if (auto* cfg = f.raw(name))
      if (auto err = merge_config(*cfg, r.config_json))
        return err;
  if (auto* creds = f.raw("credentials")) {
    auto text = read_credentials(*creds);
    if (!text)
      return text.error();
    r.credentials_json = *text;
  }
  if (auto err = normalise_expiry(r))
    return err;
  return check_account(r);
}

admin_reply create(store_context& ctx, const admin_call& call) {
  store::provider_record r;
  r.id = crypto::new_id();
  r.created_at = r.updated_at = clock::now_iso();
  if (auto err = apply_body(*call.body, r, true))
    return reply_error(*err);
  store::transaction tx{ctx.db};
  store::providers_repo{ctx.db, ctx.vault}.insert(r);
  store::audit_repo{ctx.db}.record(call.actor, "create", "provider", r.id);
  tx.commit();
  auto reply
    = reply_json(201, wrap_data(provider_json(r, cell_of(call, r.id).get())));
  reply.changes.emplace_back(std::move(r));
  return reply;
}

admin_reply update(store_context& ctx, const admin_call& call) {
  store::providers_repo repo{ctx.db, ctx.vault};
  auto r = repo.get(call.id);
  if (!r)
    return reply_error(
      fail(errc::not_found, "provider " + call.id + " not found"));
  if (call.body->IsObject() && call.body->MemberCount() == 0)
    return reply_error(fail(errc::invalid_value, "nothing to update"));
  if (auto err = apply_body(*call.body, *r, false))
    return reply_error(*err);
  r->updated_at = clock::now_iso();
  store::transaction tx{ctx.db};
  repo.update(*r);
  store::audit_repo{ctx.db}.record(call.actor, "update", "provider", r->id);
  tx.commit();
  auto reply
    = reply_json(200, wrap_data(provider_json(*r, cell_of(call, r->id).get())));
  reply.changes.emplace_back(std::move(*r));
  return reply;
}

admin_reply remove(store_context& ctx, const admin_call& call) {
  store::providers_repo repo{ctx.db, ctx.vault};
  store::souls_repo souls{ctx.db};
  store::transaction tx{ctx.db};
  auto affected = souls.bound_to_provider(call.id);
  if (!repo.remove(call.id))
    return reply_error(
      fail(errc::not_found, "provider " + call.id + " not found"));
  admin_reply reply = reply_ok();
  // Souls that named the account lose it (provider_id by the foreign key,
  // fallback_chain here) and get a new version.
  for (auto& soul_id : affected) {
    auto s = souls.get(soul_id);
    if (!s)
      continue;
    std::erase(s->fallback_chain, call.id);
    if (s->provider_id == call.id)
      s->provider_id.reset();
    s->version += 1;
    s->updated_at = clock::now_iso();
    souls.update(*s);
    reply.changes.emplace_back(std::move(*s));
  }
  store::audit_repo{ctx.db}.record(call.actor, "delete", "provider", call.id);
  tx.commit();
  reply.changes.emplace_back(
    actors::removed_entity{actors::removed_entity::kind::provider, call.id});
  return reply;
}

/// POST /admin/providers/bulk {action, ids}: enable, disable or delete
/// each named account (one transaction each, so the answer's `affected`
/// counts what was done); `health` is started by the HTTP handler, which
/// asks the accounts to probe, and only counts the known ids here.
admin_reply bulk(store_context& ctx, const admin_call& call) {
  auto* action_v = json::find(*call.body, "action");
  auto* ids_v = json::find(*call.body, "ids");
  if (action_v == nullptr || !action_v->IsString())
    return reply_error(fail(errc::invalid_value,
                            "action must be enable, disable, delete or health",
                            "action"));
  std::string action = action_v->GetString();
  if (action != "enable" && action != "disable" && action != "delete"
      && action != "health")
    return reply_error(fail(errc::invalid_value,
                            "unknown action \"" + action
                              + "\": enable, disable, delete or health",
                            "action"));
  if (ids_v == nullptr || !ids_v->IsArray() || ids_v->Empty())
    return reply_error(
      fail(errc::invalid_value, "ids must be a non-empty array of ids", "ids"));
  std::vector<std::string> ids;
  for (auto& v : ids_v->GetArray()) {
    if (!v.IsString())
      return reply_error(
        fail(errc::invalid_value, "ids must be strings", "ids"));
    ids.emplace_back(v.GetString(), v.GetStringLength());
  }
  store::providers_repo repo{ctx.db, ctx.vault};
  admin_reply out;
  int64_t affected = 0;
  for (auto& id : ids) {
    if (action == "health") {
      affected += repo.exists(id) ? 1 : 0;
      continue;
    }
    admin_call one = call;
    one.id = id;
    admin_reply r;
    if (action == "delete") {
      r = remove(ctx, one);
    } else {
      auto rec = repo.get(id);
      if (!rec)
        continue;
      bool enable = action == "enable";
      if (rec->is_enabled == enable)
        continue;
      rec->is_enabled = enable;
      rec->updated_at = clock::now_iso();
      store::transaction tx{ctx.db};
      repo.update(*rec);
      store::audit_repo{ctx.db}.record(call.actor, action, "provider", id,
                                       R"({"fields":["is_enabled"]})");
      tx.commit();
      r.changes.emplace_back(std::move(*rec));
    }
    if (r.error)
      continue; // unknown id: not affected
    affected += 1;
    for (auto& c : r.changes)
      out.changes.push_back(std::move(c));
  }
  out.body = "{\"ok\":true,\"affected\":" + std::to_string(affected) + "}";
  return out;
}

} // namespace

admin_reply providers_call(store_context& ctx, const admin_call& call) {
  store::providers_repo repo{ctx.db, ctx.vault};
  if (call.route == route_id::admin_providers_bulk)
    return bulk(ctx, call);
  if (call.route == route_id::admin_providers) {
    if (call.method == "POST")
      return create(ctx, call);
    std::vector<std::string> items;
    for (auto& r : repo.list())
      items.push_back(provider_json(r, cell_of(call, r.id).get()));
    return reply_json(200, wrap_list(items));
  }
  if (call.method == "GET" || call.method == "HEAD") {
    auto r = repo.get(call.id);
    if (!r)
      return reply_error(
        fail(errc::not_found, "provider " + call.id + " not found"));
    return reply_json(200,
                      wrap_data(provider_json(*r, cell_of(call, r->id).get())));
  }
  if (call.method == "DELETE")
    return remove(ctx, call);
  return update(ctx, call);
}

} // namespace oh::http::admin
