#include "http/handlers/admin_settings.hpp"

#include <algorithm>
#include <array>

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include "actors/actors.hpp"
#include "core/config.hpp"
#include "core/error_render.hpp"
#include "core/json.hpp"
#include "http/handlers/admin.hpp"
#include "http/handlers/admin_json.hpp"
#include "store/audit_repo.hpp"
#include "store/credential_vault.hpp"
#include "store/settings_repo.hpp"

namespace oh::http::handlers {

namespace {

enum class field_type { text, number, flag };

struct setting_field {
  const char* name;
  field_type type;
  /// The configuration key behind it (SPEC §2 precedence), or nullptr for
  /// a value only the dashboard keeps.
  const char* config_key = nullptr;
  const char* fallback = ""; // JSON text, for fields without a config key
  size_t max_length = 255;
  bool secret = false;
};

struct setting_group {
  const char* name;
  std::vector<setting_field> fields;
};

const std::vector<setting_group>& groups() {
  static const std::vector<setting_group> all{
    {"general",
     {{"name", field_type::text, nullptr, "\"OpenHinge\"", 100},
      {"timezone", field_type::text, nullptr, "\"UTC\"", 64}}},
    {"routing", {{"max_attempts", field_type::number, "routing.max_attempts"}}},
    {"health",
     {{"interval_s", field_type::number, "health.interval_s"},
      {"breaker_failures", field_type::number, "breaker.failures"},
      {"breaker_cooldown_s", field_type::number, "breaker.cooldown_s"}}},
    {"cloudflare",
     {{"enabled", field_type::flag, nullptr, "false"},
      {"api_token", field_type::text, nullptr, "\"\"", 400, true},
      {"account_id", field_type::text, nullptr, "\"\""},
      {"zone_id", field_type::text, nullptr, "\"\""},
      {"tunnel_id", field_type::text, nullptr, "\"\""},
      {"tunnel_name", field_type::text, nullptr, "\"\""},
      {"domain", field_type::text, nullptr, "\"\""},
      {"hostname", field_type::text, nullptr, "\"\""},
      // Set by the tunnel setup (SPEC §12): cloudflared's run token
      // (write-only like the API token) and the public listener's port.
      {"tunnel_token", field_type::text, nullptr, "\"\"", 4000, true},
      {"public_port", field_type::number, nullptr, "0"}}},
  };
  return all;
}

const setting_group* find_group(std::string_view name) {
  for (auto& g : groups())
    if (name == g.name)
      return &g;
  return nullptr;
}

const setting_field* find_field(const setting_group& g, std::string_view name) {
  for (auto& f : g.fields)
    if (name == f.name)
      return &f;
  return nullptr;
}

bool fixed_source(const std::string& source) {
  return source == "flag" || source == "env" || source == "file";
}

std::string source_of(const config& cfg, const char* key) {
  auto it = cfg.sources.find(key);
  return it == cfg.sources.end() ? "default" : it->second;
}

/// The stored object of a group (an empty object when none).
json::document stored_group(store::database& db, const char* name) {
  json::document doc;
  if (auto raw = store::settings_repo{db}.get_raw(name))
    if (auto parsed = json::parse(*raw); parsed && parsed->IsObject())
      return std::move(*parsed);
  doc.SetObject();
  return doc;
}

/// Checks one field's new value; the failure names `group.field`.
std::optional<failure> check_field(const setting_group& g,
                                   const setting_field& f,
                                   const json::value& v) {
  std::string where = std::string{g.name} + "." + f.name;
  if (f.config_key != nullptr) {
    if (auto st = check_value(f.config_key, v); !st)
      return fail(errc::invalid_value, where + ": " + st.error().message,
                  where);
    return std::nullopt;
  }
  switch (f.type) {
    case field_type::flag:
      if (!v.IsBool())
        return fail(errc::invalid_value, where + ": must be true or false",
                    where);
      break;
    case field_type::number:
      if (!v.IsInt64())
        return fail(errc::invalid_value, where + ": must be a whole number",
                    where);
      break;
    case field_type::text:
      if (!v.IsString())
        return fail(errc::invalid_value,
                    where + ": must be a string, got " + json::type_name(v),
                    where);
      if (v.GetStringLength() > f.max_length)
        return fail(errc::invalid_value,
                    where + ": at most " + std::to_string(f.max_length)
                      + " characters",
                    where);
      break;
  }
  return std::nullopt;
}

/// A group's effective values, where each comes from, and which are fixed.
struct group_view {
  std::string data = "{";
  std::string sources = "{";
  std::string read_only = "[";
};

group_view view_of(const setting_group& g, const json::document& stored,
                   const config& started) {
  static const config defaults = default_config();
  group_view v;
  bool first = true;
  bool first_fixed = true;
  for (auto& f : g.fields) {
    std::string value;
    std::string source;
    if (f.config_key != nullptr
        && fixed_source(source_of(started, f.config_key))) {
      value = value_json(started, f.config_key);
      source = source_of(started, f.config_key);
      if (!first_fixed)
        v.read_only += ",";
      first_fixed = false;
      json::append_quoted(v.read_only, f.name);
    } else if (auto* s = json::find(stored, f.name)) {
      value = json::to_string(*s);
      source = "database";
    } else {
      value = f.config_key != nullptr ? value_json(defaults, f.config_key)
                                      : std::string{f.fallback};
      source = "default";
    }
    if (!first) {
      v.data += ",";
      v.sources += ",";
    }
    first = false;
    if (f.secret) {
      // Write-only: only whether it is set.
      bool set = source == "database" && value != "\"\"";
      v.data
        += "\"" + std::string{f.name} + "_set\":" + (set ? "true" : "false");
    } else {
      v.data += "\"" + std::string{f.name} + "\":" + value;
    }
    v.sources += "\"" + std::string{f.name} + "\":\"" + source + "\"";
  }
  v.data += "}";
  v.sources += "}";
  v.read_only += "]";
  return v;
}

/// The effective health limits after a change, for the running actors.
actors::health_limits health_of(const json::document& stored,
                                const config& started) {
  config effective = started;
  for (auto& f : find_group("health")->fields)
    if (auto* v = json::find(stored, f.name))
      (void)apply_database_value(effective, f.config_key, *v);
  actors::health_limits limits;
  limits.breaker_failures = static_cast<int>(effective.breaker_failures);
  limits.breaker_cooldown_ms = int64_t{effective.breaker_cooldown_s} * 1000;
  limits.probe_interval_ms = int64_t{effective.health_interval_s} * 1000;
  return limits;
}

uint32_t max_attempts_of(const json::document& stored, const config& started) {
  config effective = started;
  if (auto* v = json::find(stored, "max_attempts"))
    (void)apply_database_value(effective, "routing.max_attempts", *v);
  return effective.max_attempts;
}

} // namespace

json::document stored_settings(store::database& db, const char* group) {
  return stored_group(db, group);
}

void apply_settings_live(const std::shared_ptr<app_context>& ctx,
                         const std::string& group,
                         const json::document& stored) {
  auto& started = *ctx->started_config;
  if (group == "routing")
    ctx->services_mut->max_attempts = max_attempts_of(stored, started);
  if (group == "health") {
    auto limits = health_of(stored, started);
    caf::anon_send(ctx->registry, actors::update_atom::value, limits);
    if (ctx->health_monitor)
      caf::anon_send(
        caf::actor_cast<actors::health_monitor_actor>(ctx->health_monitor),
        actors::update_atom::value, limits);
  }
}

status apply_stored_settings(config& cfg, store::database& db) {
  for (auto* name : {"routing", "health"}) {
    auto* g = find_group(name);
    auto stored = stored_group(db, name);
    for (auto& f : g->fields)
      if (auto* v = json::find(stored, f.name))
        if (auto st = apply_database_value(cfg, f.config_key, *v); !st)
          return fail(errc::bad_config, std::string{"settings "} + name + "."
                                          + f.name + ": " + st.error().message);
  }
  return ok();
}

void handle_settings(const std::shared_ptr<app_context>& ctx,
                     const route_result& route, http_request req,
                     const admin_principal& who, responder respond) {
  auto started = ctx->started_config;
  if (route.id == route_id::admin_settings) {
    actors::store_job job = [started](actors::store_context& sc) {
      std::string body = "{\"data\":{";
      bool first = true;
      for (auto& g : groups()) {
        if (!first)
          body += ",";
        first = false;
        auto stored = stored_group(sc.db, g.name);
        body += "\"" + std::string{g.name}
                + "\":" + view_of(g, stored, *started).data;
      }
      actors::admin_reply r;
      r.body = body + "}}";
      return r;
    };
    run_store_job(ctx, std::move(job), std::move(respond));
    return;
  }
  auto* group = find_group(route.param);
  if (group == nullptr) {
    respond(error_response(
      dialect::admin,
      fail(errc::not_found, "no settings named \"" + clip_echo(route.param)
                              + "\" (general, routing, health, cloudflare)")));
    return;
  }
  if (req.method == "GET") {
    actors::store_job job = [group, started](actors::store_context& sc) {
      auto stored = stored_group(sc.db, group->name);
      auto v = view_of(*group, stored, *started);
      actors::admin_reply r;
      r.body = "{\"data\":" + v.data + ",\"sources\":" + v.sources
               + ",\"read_only\":" + v.read_only + "}";
      return r;
    };
    run_store_job(ctx, std::move(job), std::move(respond));
    return;
  }
  // PUT: the given fields replace theirs; the others stay.
  auto parsed = admin::body_object(req.body);
  if (!parsed) {
    respond(error_response(dialect::admin, parsed.error()));
    return;
  }
  for (auto& m : parsed->GetObject()) {
    std::string name{m.name.GetString(), m.name.GetStringLength()};
    auto* f = find_field(*group, name);
    std::string where = std::string{group->name} + "." + name;
    if (f == nullptr) {
      respond(error_response(
        dialect::admin,
        fail(errc::invalid_value, where + ": unknown setting", where)));
      return;
    }
    if (f->config_key != nullptr
        && fixed_source(source_of(*started, f->config_key))) {
      respond(error_response(dialect::admin,
                             fail(errc::conflict,
                                  where + " is set by the "
                                    + source_of(*started, f->config_key) + " ("
                                    + f->config_key + "); change it there",
                                  where)));
      return;
    }
    if (auto bad = check_field(*group, *f, m.value)) {
      respond(error_response(dialect::admin, *bad));
      return;
    }
  }
  auto body = std::make_shared<json::document>(std::move(*parsed));
  auto actor = who.actor;
  auto after = std::make_shared<json::document>();
  actors::store_job job = [group, body, actor, started,
                           after](actors::store_context& sc) {
    auto stored = stored_group(sc.db, group->name);
    auto& a = stored.GetAllocator();
    std::string changed = "[";
    for (auto& m : body->GetObject()) {
      auto* f = find_field(*group, m.name.GetString());
      json::value value;
      if (f->secret && m.value.IsString() && m.value.GetStringLength() > 0)
        value.SetString(sc.vault.seal(m.value.GetString()).c_str(), a);
      else
        value.CopyFrom(m.value, a);
      stored.RemoveMember(f->name);
      stored.AddMember(rapidjson::StringRef(f->name), value, a);
      if (changed.size() > 1)
        changed += ",";
      json::append_quoted(changed, f->name);
    }
    changed += "]";
    store::settings_repo{sc.db}.put_raw(group->name, json::to_string(stored));
    store::audit_repo{sc.db}.record(actor, "update", "settings", group->name,
                                    "{\"fields\":" + changed + "}");
    after->CopyFrom(stored, after->GetAllocator());
    auto v = view_of(*group, stored, *started);
    actors::admin_reply r;
    r.body = "{\"ok\":true,\"data\":" + v.data + ",\"sources\":" + v.sources
             + ",\"read_only\":" + v.read_only + "}";
    return r;
  };
  // Routing and health reach the running actors once stored.
  std::string name = group->name;
  responder apply
    = [ctx, name, after, respond = std::move(respond)](http_response res) {
        if (res.status == 200 && after->IsObject())
          apply_settings_live(ctx, name, *after);
        respond(std::move(res));
      };
  run_store_job(ctx, std::move(job), std::move(apply));
}

} // namespace oh::http::handlers
