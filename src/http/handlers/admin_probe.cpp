#include "http/handlers/admin_probe.hpp"

#include <algorithm>
#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "core/error_render.hpp"
#include "core/json.hpp"
#include "core/redact.hpp"
#include "http/handlers/admin.hpp"
#include "http/handlers/admin_json.hpp"
#include "providers/claude/translate.hpp"
#include "providers/listing_probe.hpp"
#include "providers/provider_types.hpp"

namespace oh::http::handlers {

namespace {

/// An account's probe has 15 s of its own (listing_target); the admin call
/// waits a little longer so a slow account is reported, not lost.
constexpr auto account_answer_limit = std::chrono::seconds(20);

/// What a probe needs from a request body, validated.
struct probe_input {
  std::string type;
  std::string base_url;
  std::string key;
  /// The name of the body field that carried the key (for error messages).
  std::string key_field;
};

expected<probe_input> read_probe_input(const json::value& body,
                                       const char* key_name) {
  admin::fields f{body};
  probe_input in;
  f.require("type");
  auto type = f.string("type", 40);
  if (type && *type) {
    if (!providers::find_type(**type))
      f.reject("type", errc::invalid_value,
               "must be one of " + providers::known_types_text());
    else
      in.type = **type;
  }
  if (auto url = f.string("base_url", 2000); url && *url && !(*url)->empty()) {
    if (!providers::is_valid_base_url(**url))
      f.reject("base_url", errc::invalid_value,
               "must be an http:// or https:// URL");
    in.base_url = **url;
    while (in.base_url.size() > 1 && in.base_url.back() == '/')
      in.base_url.pop_back();
  }
  // The key under the name the caller used: `api_key` (probe), `token`
  // (quick-add) or `credentials.api_key` (a provider body).
  for (const char* name : {key_name, "api_key", "token"}) {
    if (auto key = f.string(name, 10'000); key && *key && !(*key)->empty()) {
      in.key = **key;
      in.key_field = name;
      break;
    }
  }
  if (in.key.empty())
    if (auto* creds = f.raw("credentials"); creds && creds->IsObject())
      if (auto key = json::get_string(*creds, "api_key")) {
        in.key = *key;
        in.key_field = "credentials.api_key";
      }
  if (f.error())
    return *f.error();
  auto* info = providers::find_type(in.type);
  if (in.base_url.empty()) {
    if (info->default_base_url.empty())
      return failure{errc::missing_field,
                     "base_url: is required for " + in.type + " accounts",
                     "base_url"};
    in.base_url = std::string{info->default_base_url};
  }
  if (in.key.empty() && info->key_required)
    return failure{errc::missing_field,
                   std::string{key_name} + ": an API key is required for "
                     + in.type + " accounts",
                   key_name};
  return in;
}

providers::listing_target target_of(const probe_input& in) {
  providers::listing_target t;
  t.type = in.type;
  t.base_url = in.base_url;
  t.api_key = in.key;
  return t;
}

/// healthy / degraded / down from one listing (reference §2.1: a 429 is
/// degraded, "Rate limited").
const char* status_of(const providers::listing_outcome& r) {
  if (r.ok)
    return "healthy";
  return r.status == 429 ? "degraded" : "down";
}

std::string probe_body(const providers::listing_outcome& r,
                       const std::string& key) {
  std::string out = "{\"models\":[";
  for (size_t i = 0; i < r.models.size(); ++i) {
    if (i > 0)
      out += ",";
    json::append_quoted(out, r.models[i]);
  }
  out += "],\"health\":{\"status\":\"";
  out += status_of(r);
  out += "\",\"latency_ms\":" + std::to_string(r.latency_ms);
  if (!r.ok) {
    out += ",\"message\":";
    json::append_quoted(out, r.status == 429 ? std::string{"Rate limited"}
                                             : redact_secrets(r.error, {key}));
  }
  return out + "}}";
}

http_response json_response(unsigned status, std::string body) {
  http_response res;
  res.status = status;
  res.body = std::move(body);
  return res;
}

/// The upstream client, or nullptr after answering that there is none.
providers::upstream_client* upstream_of(const app_context& ctx,
                                        const responder& respond) {
  if (ctx.services && ctx.services->upstream != nullptr)
    return ctx.services->upstream;
  respond(error_response(
    dialect::admin, fail(errc::internal, "no upstream client is running")));
  return nullptr;
}

/// Asks each account for a probe at once and answers when all have
/// answered or their time is up.
void health_call(caf::event_based_actor* self, std::shared_ptr<app_context> ctx,
                 std::string only_id, responder respond) {
  auto snap = ctx->snapshot->load();
  std::vector<std::pair<std::string, actors::provider_account_actor>> targets;
  for (auto& [id, actor] : snap->accounts_by_id)
    if (only_id.empty() || id == only_id)
      targets.emplace_back(id, actor);
  if (targets.empty()) {
    if (only_id.empty())
      respond(json_response(200, "{\"data\":[]}"));
    else
      respond(error_response(
        dialect::admin,
        fail(errc::not_found, "provider " + only_id + " not found")));
    self->quit();
    return;
  }
  struct gathered {
    std::vector<std::pair<std::string, std::string>> rows; // name, JSON
    size_t pending = 0;
  };
  auto all = std::make_shared<gathered>();
  all->pending = targets.size();
  auto finish = [all, only_id, respond, self] {
    if (--all->pending > 0)
      return;
    std::sort(all->rows.begin(), all->rows.end());
    std::string body;
    if (!only_id.empty()) {
      body = "{\"data\":" + all->rows.front().second + "}";
    } else {
      body = "{\"data\":[";
      for (size_t i = 0; i < all->rows.size(); ++i)
        body += (i > 0 ? "," : "") + all->rows[i].second;
      body += "]}";
    }
    respond(json_response(200, std::move(body)));
    self->quit();
  };
  for (auto& [id, actor] : targets) {
    auto name
      = snap->account_names.contains(id) ? snap->account_names.at(id) : id;
    self->request(actor, account_answer_limit, actors::probe_atom::value)
      .then(
        [all, finish, name](std::string& row) {
          all->rows.emplace_back(name, std::move(row));
          finish();
        },
        [all, finish, id = id, name](caf::error&) {
          // No answer in time: the account is reported, not left out.
          std::string row = "{\"id\":";
          json::append_quoted(row, id);
          row += ",\"name\":";
          json::append_quoted(row, name);
          row += ",\"status\":\"unknown\",\"latency_ms\":null,\"message\":"
                 "\"the probe did not finish within 20 s\",\"models\":0}";
          all->rows.emplace_back(name, std::move(row));
          finish();
        });
  }
}

} // namespace

void handle_providers_probe(const std::shared_ptr<app_context>& ctx,
                            const http_request& req, responder respond) {
  auto body = admin::body_object(req.body);
  if (!body) {
    respond(error_response(dialect::admin, body.error()));
    return;
  }
  auto in = read_probe_input(*body, "api_key");
  if (!in) {
    respond(error_response(dialect::admin, in.error()));
    return;
  }
  auto* upstream = upstream_of(*ctx, respond);
  if (upstream == nullptr)
    return;
  providers::run_listing_probe(
    *upstream, target_of(*in),
    [respond, key = in->key](providers::listing_outcome r) {
      respond(json_response(200, probe_body(r, key)));
    });
}

void handle_providers_health(const std::shared_ptr<app_context>& ctx,
                             std::string id, responder respond) {
  ctx->system->spawn(health_call, ctx, std::move(id), std::move(respond));
}

void handle_quick_add(const std::shared_ptr<app_context>& ctx,
                      const route_result& route, http_request req,
                      const admin_principal& who, responder respond) {
  auto body = admin::body_object(req.body);
  if (!body) {
    respond(error_response(dialect::admin, body.error()));
    return;
  }
  admin::fields f{*body};
  f.only({"type", "token", "api_key", "name", "priority", "base_url"});
  auto name = f.string("name", 200);
  auto priority = f.integer("priority", -1'000'000, 1'000'000);
  if (f.error()) {
    respond(error_response(dialect::admin, *f.error()));
    return;
  }
  auto in = read_probe_input(*body, "token");
  if (!in) {
    respond(error_response(dialect::admin, in.error()));
    return;
  }
  auto* upstream = upstream_of(*ctx, respond);
  if (upstream == nullptr)
    return;
  std::string chosen_name = name && *name && !(*name)->empty() ? **name : "";
  int64_t chosen_priority = priority && *priority ? **priority : 50;
  auto input = *in;
  providers::run_listing_probe(
    *upstream, target_of(input),
    [ctx, route, req = std::move(req), who, respond, input, chosen_name,
     chosen_priority](providers::listing_outcome r) mutable {
      if (!r.ok) {
        // Nothing is saved for credentials the upstream refuses.
        std::string field
          = input.key_field.empty() ? "base_url" : input.key_field;
        respond(error_response(
          dialect::admin,
          fail(errc::invalid_value,
               field + ": the account did not answer its model listing ("
                 + redact_secrets(r.error, {input.key}) + ")",
               field)));
        return;
      }
      // The create body the gateway writes; the same checks, store write,
      // audit row and live actor as POST /admin/providers.
      json::document create;
      create.SetObject();
      auto& a = create.GetAllocator();
      auto str = [&](const std::string& s) {
        return json::value{s.c_str(), a};
      };
      std::string display = chosen_name;
      if (display.empty()) {
        display = input.type;
        display[0] = static_cast<char>(std::toupper(display[0]));
      }
      create.AddMember("name", str(display), a);
      create.AddMember("type", str(input.type), a);
      if (auto* info = providers::find_type(input.type);
          info && input.base_url != info->default_base_url)
        create.AddMember("base_url", str(input.base_url), a);
      create.AddMember("priority", json::value{chosen_priority}, a);
      if (!input.key.empty()) {
        bool oauth
          = input.type == "claude"
            && input.key.starts_with(providers::claude::oauth_token_prefix);
        json::value creds{rapidjson::kObjectType};
        creds.AddMember(rapidjson::StringRef(oauth ? "oauth_token" : "api_key"),
                        str(input.key), a);
        create.AddMember("credentials", creds, a);
        if (oauth)
          create.AddMember("auth_mode", "oauth", a);
      }
      std::string model = r.models.empty() ? "" : r.models.front();
      if (!model.empty()) {
        json::value cfg{rapidjson::kObjectType};
        cfg.AddMember("default_model", str(model), a);
        create.AddMember("config", cfg, a);
      }
      req.body = json::to_string(create);
      req.method = "POST";
      auto creation = route;
      creation.id = route_id::admin_providers;
      handle_admin(
        ctx, creation, std::move(req), who,
        [respond, model](http_response res) {
          // The original's answer {id, name, type, model} beside the
          // provider object.
          if (res.status == 201)
            if (auto doc = json::parse(res.body);
                doc && doc->IsObject() && json::find(*doc, "data")) {
              auto& d = (*doc)["data"];
              std::string out = "{\"id\":";
              json::append_quoted(out, json::get_string(d, "id").value_or(""));
              out += ",\"name\":";
              json::append_quoted(out,
                                  json::get_string(d, "name").value_or(""));
              out += ",\"type\":";
              json::append_quoted(out,
                                  json::get_string(d, "type").value_or(""));
              out += ",\"model\":";
              if (model.empty())
                out += "null";
              else
                json::append_quoted(out, model);
              out += ",\"data\":" + json::to_string(d) + "}";
              res.body = std::move(out);
            }
          respond(std::move(res));
        });
    });
}

} // namespace oh::http::handlers
