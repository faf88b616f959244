#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "http/handlers/admin_json.hpp"
#include "http/handlers/admin_resources.hpp"
#include "store/api_keys_repo.hpp"
#include "store/audit_repo.hpp"
#include "store/providers_repo.hpp"
#include "store/souls_repo.hpp"

namespace oh::http::admin {

namespace {

using actors::admin_reply;
using actors::store_context;

std::optional<failure> apply_body(store_context& ctx, const json::value& body,
                                  store::soul_record& r, bool creating) {
  fields f{body};
  f.only({"name", "slug", "description", "system_prompt", "provider_id",
          "fallback_chain", "model", "temperature", "max_tokens",
          "response_schema", "strict_chain", "is_enabled"});
  if (creating) {
    f.require("name");
    f.require("system_prompt");
  }
  if (auto v = f.string("name", 200)) {
    if (!*v || (*v)->empty())
      f.reject("name", errc::invalid_value, "must be a non-empty string");
    else
      r.name = **v;
  }
  if (auto v = f.string("slug", 64)) {
    if (*v && !is_valid_slug(**v))
      f.reject("slug", errc::invalid_value,
               "must be 1-64 characters of a-z, 0-9 and '-', not starting "
               "or ending with '-'");
    else if (*v)
      r.slug = **v;
  }
  if (auto v = f.string("description", 2000))
    r.description = *v;
  if (auto v = f.string("system_prompt", 1'000'000))
    r.system_prompt = v->value_or("");
  if (auto v = f.string("model", 200))
    r.model = (*v && (*v)->empty()) ? std::nullopt : *v;
  if (auto v = f.number("temperature", 0.0, 2.0))
    r.temperature = *v;
  if (auto v = f.integer("max_tokens", 1, 10'000'000))
    r.max_tokens = *v;
  if (auto v = f.boolean("strict_chain"))
    r.strict_chain = v->value_or(false);
  if (auto v = f.boolean("is_enabled"))
    r.is_enabled = v->value_or(true);
  if (auto v = f.string("provider_id", 64))
    r.provider_id = (*v && (*v)->empty()) ? std::nullopt : *v;
  if (auto v = f.strings("fallback_chain"))
    r.fallback_chain = v->value_or(std::vector<std::string>{});
  if (auto* schema = f.raw("response_schema")) {
    // Accepted as a JSON object or as JSON text (the original stored text).
    if (schema->IsObject()) {
      r.response_schema = json::to_string(*schema);
    } else if (schema->IsString()) {
      auto parsed = json::parse(schema->GetString());
      if (!parsed || !parsed->IsObject())
        f.reject("response_schema", errc::invalid_value,
                 "must be a JSON Schema object (or its JSON text)");
      else
        r.response_schema = json::to_string(*parsed);
    } else {
      f.reject("response_schema", errc::invalid_value,
               "must be a JSON Schema object");
    }
  } else if (f.present("response_schema")) {
    r.response_schema.reset();
  }
  if (f.error())
    return f.error();
  if (creating && r.slug.empty()) {
    r.slug = slug_from_name(r.name);
    if (r.slug.empty())
      return failure{errc::missing_field,
                     "slug: cannot be derived from the name; give one", "slug"};
    if (r.slug.size() > 64)
      r.slug.resize(64);
  }
  store::providers_repo providers{ctx.db, ctx.vault};
  if (r.provider_id && !providers.exists(*r.provider_id))
    return failure{errc::invalid_value,
                   "provider_id: no provider " + *r.provider_id, "provider_id"};
  for (auto& id : r.fallback_chain)
    if (!providers.exists(id))
      return failure{errc::invalid_value,
                     "fallback_chain: no provider " + clip_echo(id),
                     "fallback_chain"};
  return std::nullopt;
}

std::optional<failure> slug_taken(store_context& ctx,
                                  const store::soul_record& r) {
  auto other = store::souls_repo{ctx.db}.get_by_slug(r.slug);
  if (other && other->id != r.id)
    return failure{errc::conflict, "slug: \"" + r.slug + "\" is already used",
                   "slug"};
  return std::nullopt;
}

admin_reply create(store_context& ctx, const admin_call& call) {
  store::soul_record r;
  r.id = crypto::new_id();
  r.created_at = r.updated_at = clock::now_iso();
  if (auto err = apply_body(ctx, *call.body, r, true))
    return reply_error(*err);
  if (auto err = slug_taken(ctx, r))
    return reply_error(*err);
  store::transaction tx{ctx.db};
  store::souls_repo{ctx.db}.insert(r);
  store::audit_repo{ctx.db}.record(call.actor, "create", "soul", r.id);
  tx.commit();
  auto reply = reply_json(201, wrap_data(soul_json(r)));
  reply.changes.emplace_back(std::move(r));
  return reply;
}

admin_reply update(store_context& ctx, const admin_call& call) {
  store::souls_repo repo{ctx.db};
  auto r = repo.get(call.id);
  if (!r)
    return reply_error(fail(errc::not_found, "soul " + call.id + " not found"));
  if (call.body->IsObject() && call.body->MemberCount() == 0)
    return reply_error(fail(errc::invalid_value, "nothing to update"));
  if (auto err = apply_body(ctx, *call.body, *r, false))
    return reply_error(*err);
  if (auto err = slug_taken(ctx, *r))
    return reply_error(*err);
  r->version += 1;
  r->updated_at = clock::now_iso();
  store::transaction tx{ctx.db};
  repo.update(*r);
  store::audit_repo{ctx.db}.record(call.actor, "update", "soul", r->id);
  tx.commit();
  auto reply = reply_json(200, wrap_data(soul_json(*r)));
  reply.changes.emplace_back(std::move(*r));
  return reply;
}

admin_reply remove(store_context& ctx, const admin_call& call) {
  store::souls_repo souls{ctx.db};
  store::api_keys_repo keys{ctx.db};
  store::transaction tx{ctx.db};
  auto bound_keys = keys.bound_to_soul(call.id);
  if (!souls.remove(call.id))
    return reply_error(fail(errc::not_found, "soul " + call.id + " not found"));
  store::audit_repo{ctx.db}.record(call.actor, "delete", "soul", call.id);
  tx.commit();
  admin_reply reply = reply_ok();
  reply.changes.emplace_back(
    actors::removed_entity{actors::removed_entity::kind::soul, call.id});
  // Keys bound to the soul lost that binding with it (ON DELETE CASCADE).
  for (auto& key_id : bound_keys)
    if (auto k = keys.get(key_id))
      reply.changes.emplace_back(std::move(*k));
  return reply;
}

} // namespace

admin_reply souls_call(store_context& ctx, const admin_call& call) {
  store::souls_repo repo{ctx.db};
  if (call.route == route_id::admin_souls) {
    if (call.method == "POST")
      return create(ctx, call);
    std::vector<std::string> items;
    for (auto& r : repo.list())
      items.push_back(soul_json(r));
    return reply_json(200, wrap_list(items));
  }
  if (call.method == "GET") {
    auto r = repo.get(call.id);
    if (!r)
      return reply_error(
        fail(errc::not_found, "soul " + call.id + " not found"));
    return reply_json(200, wrap_data(soul_json(*r)));
  }
  if (call.method == "DELETE")
    return remove(ctx, call);
  return update(ctx, call);
}

} // namespace oh::http::admin
