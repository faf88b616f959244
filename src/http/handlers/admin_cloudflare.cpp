#include "http/handlers/admin_cloudflare.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/actors.hpp"
#include "core/error_render.hpp"
#include "core/json.hpp"
#include "core/logging.hpp"
#include "core/subprocess.hpp"
#include "http/handlers/admin.hpp"
#include "http/handlers/admin_json.hpp"
#include "http/handlers/cloudflare_settings.hpp"
#include "providers/cloudflare/api.hpp"
#include "providers/cloudflare/setup.hpp"
#include "store/audit_repo.hpp"

namespace oh::http::handlers {

namespace {

namespace cf = providers::cloudflare;

constexpr auto supervisor_timeout = std::chrono::seconds(10);

http_response json_answer(unsigned status, std::string body) {
  http_response res;
  res.status = status;
  res.body = std::move(body);
  return res;
}

http_response admin_error(const failure& f) {
  return error_response(dialect::admin, f);
}

/// A Cloudflare failure as the admin API's error: 502, with Cloudflare's
/// own message (and code) so the person can act on it.
http_response cloudflare_error(const std::string& what,
                               const cf::api_result& r) {
  std::string message = what + ": " + r.error;
  if (r.code != 0)
    message += " (Cloudflare code " + std::to_string(r.code) + ")";
  std::string body = R"({"error":{"code":"CLOUDFLARE","message":)";
  json::append_quoted(body, message);
  body += ",\"status\":" + std::to_string(r.status) + "}}";
  return json_answer(r.status == 401 || r.status == 403 ? 400 : 502,
                     std::move(body));
}

/// cloudflared cannot run here (not installed, not executable): 503,
/// since nothing failed at Cloudflare and nothing is wrong with the request.
http_response tunnel_unavailable(const std::string& why) {
  std::string body = R"({"error":{"code":"TUNNEL_UNAVAILABLE","message":)";
  json::append_quoted(body, why);
  return json_answer(503, body + "}}");
}

actors::tunnel_supervisor_actor supervisor_of(const app_context& ctx) {
  return caf::actor_cast<actors::tunnel_supervisor_actor>(
    ctx.tunnel_supervisor);
}

/// The stored settings, read on the store actor (the vault lives there),
/// then `next` on an I/O or actor thread.
void with_settings(const std::shared_ptr<app_context>& ctx,
                   std::function<void(cloudflare_settings)> next,
                   responder respond) {
  auto read = std::make_shared<cloudflare_settings>();
  actors::store_job job = [read](actors::store_context& sc) {
    *read = read_cloudflare_settings(sc.db, sc.vault);
    return actors::admin_reply{};
  };
  run_store_job(ctx, std::move(job),
                [read, next = std::move(next),
                 respond = std::move(respond)](http_response res) {
                  if (res.status >= 400) {
                    respond(std::move(res));
                    return;
                  }
                  next(std::move(*read));
                });
}

/// Writes the settings; `respond` gets `answer` once they are stored.
void store_settings(const std::shared_ptr<app_context>& ctx,
                    cloudflare_settings s, std::string actor,
                    std::string action, http_response answer,
                    responder respond) {
  actors::store_job job = [s = std::move(s), actor = std::move(actor),
                           action](actors::store_context& sc) {
    store::transaction tx{sc.db};
    write_cloudflare_settings(sc.db, sc.vault, s);
    store::audit_repo{sc.db}.record(actor, action, "settings", "cloudflare");
    tx.commit();
    return actors::admin_reply{};
  };
  run_store_job(ctx, std::move(job),
                [answer = std::move(answer),
                 respond = std::move(respond)](http_response res) mutable {
                  respond(res.status >= 400 ? std::move(res)
                                            : std::move(answer));
                });
}

/// Asks the supervisor; `done` gets its state JSON or an error text.
void ask_supervisor(const std::shared_ptr<app_context>& ctx,
                    std::function<void(caf::event_based_actor*,
                                       const actors::tunnel_supervisor_actor&)>
                      ask) {
  ctx->system->spawn(
    [](caf::event_based_actor* self, actors::tunnel_supervisor_actor sup,
       std::function<void(caf::event_based_actor*,
                          const actors::tunnel_supervisor_actor&)>
         ask) {
      ask(self, sup);
    },
    supervisor_of(*ctx), std::move(ask));
}

void supervisor_call(const std::shared_ptr<app_context>& ctx,
                     std::optional<actors::tunnel_launch> launch,
                     std::function<void(expected<std::string>)> done) {
  if (!ctx->tunnel_supervisor) {
    done(fail(errc::internal, "the tunnel supervisor is not running"));
    return;
  }
  ask_supervisor(ctx, [launch = std::move(launch), done = std::move(done)](
                        caf::event_based_actor* self,
                        const actors::tunnel_supervisor_actor& sup) {
    auto on_error = [done](caf::error& err) {
      done(fail(errc::internal,
                "the tunnel supervisor did not answer: " + to_string(err)));
    };
    auto on_state = [done](std::string& state) {
      done(std::move(state));
    };
    if (launch)
      self->request(sup, supervisor_timeout, actors::start_atom::value, *launch)
        .then(on_state, on_error);
    else
      self->request(sup, supervisor_timeout, actors::stop_atom::value)
        .then(on_state, on_error);
  });
}

/// The original's local-status shape plus the supervisor's state, the
/// configured cloudflared and whether it is there (before any launch too).
std::string local_status_json(const app_context& ctx,
                              const std::string& state) {
  auto doc = json::parse(state);
  if (!doc || !doc->IsObject())
    return "{\"data\":{\"running\":false,\"pid\":null}}";
  auto& a = doc->GetAllocator();
  for (auto* name : {"mailbox", "handled"}) // the actor's, not the tunnel's
    doc->RemoveMember(name);
  const auto& configured = ctx.started_config->cloudflared_path;
  if (json::get_string(*doc, "cloudflared_path").value_or("").empty()) {
    doc->RemoveMember("cloudflared_path");
    doc->AddMember("cloudflared_path", json::value{configured.c_str(), a}, a);
  }
  doc->AddMember("cloudflared_installed",
                 json::value{!find_executable(configured).empty()}, a);
  // The original answered the pid as a string.
  if (auto it = doc->FindMember("pid");
      it != doc->MemberEnd() && it->value.IsInt64()) {
    auto text = std::to_string(it->value.GetInt64());
    it->value.SetString(text.c_str(),
                        static_cast<rapidjson::SizeType>(text.size()), a);
  }
  return "{\"data\":" + json::to_string(*doc) + "}";
}

bool valid_hostname(const std::string& h) {
  if (h.empty() || h.size() > 253 || h.find('.') == std::string::npos
      || h.front() == '.' || h.back() == '.')
    return false;
  for (char c : h)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'))
      return false;
  return h.find("..") == std::string::npos;
}

std::shared_ptr<const cf::api> client_for(const app_context& ctx,
                                          const std::string& token) {
  return std::make_shared<const cf::api>(
    *ctx.services->upstream, ctx.started_config->cloudflare_api_base, token);
}

/// The token a read route uses: the body's, else the stored one.
void with_token(const std::shared_ptr<app_context>& ctx,
                const json::document& body,
                std::function<void(std::string, cloudflare_settings)> next,
                responder respond) {
  auto given = json::get_string(body, "api_token").value_or("");
  with_settings(
    ctx,
    [given, next = std::move(next), respond](cloudflare_settings s) {
      auto token = given.empty() ? s.api_token : given;
      if (token.empty()) {
        respond(admin_error(
          fail(errc::missing_field,
               "api_token: no Cloudflare API token: send one, or store it "
               "with PUT /admin/settings/cloudflare {\"api_token\":…}",
               "api_token")));
        return;
      }
      next(std::move(token), std::move(s));
    },
    respond);
}

std::string field_or(const json::document& body, const char* name,
                     const std::string& fallback) {
  auto v = json::get_string(body, name).value_or("");
  return v.empty() ? fallback : v;
}

void read_route(const std::shared_ptr<app_context>& ctx, route_id id,
                json::document body, responder respond) {
  auto shared = std::make_shared<json::document>(std::move(body));
  with_token(
    ctx, *shared,
    [ctx, id, shared, respond](std::string token, cloudflare_settings s) {
      auto client = client_for(*ctx, token);
      auto& b = *shared;
      auto account = field_or(b, "account_id", s.account_id);
      auto zone = field_or(b, "zone_id", s.zone_id);
      auto tunnel = field_or(b, "tunnel_id", s.tunnel_id);
      auto need = [&](const std::string& v, const char* name) {
        if (!v.empty())
          return true;
        respond(admin_error(fail(errc::missing_field,
                                 std::string{name} + ": is required", name)));
        return false;
      };
      auto q = [](const std::string& v) {
        return cf::query_value(v);
      };
      switch (id) {
        case route_id::admin_cloudflare_zones:
          client->list(
            "/zones", "status=active", [client, respond](cf::api_result r) {
              if (!r.ok) {
                respond(cloudflare_error("listing the zones", r));
                return;
              }
              std::string out = "{\"data\":[";
              bool first = true;
              for (auto& z : r.result->GetArray()) {
                out += first ? "{" : ",{";
                first = false;
                out += "\"id\":" + json::to_string(z["id"]);
                out += ",\"name\":" + json::to_string(z["name"]);
                auto* acc = json::find(z, "account");
                out += ",\"account_id\":";
                out += acc ? json::to_string((*acc)["id"]) : "null";
                out += ",\"account_name\":";
                out += acc && json::find(*acc, "name")
                         ? json::to_string((*acc)["name"])
                         : "null";
                out += ",\"status\":";
                out += json::find(z, "status") ? json::to_string(z["status"])
                                               : "null";
                out += "}";
              }
              respond(json_answer(200, out + "]}"));
            });
          return;
        case route_id::admin_cloudflare_tunnels:
          if (!need(account, "account_id"))
            return;
          client->list(
            "/accounts/" + q(account) + "/cfd_tunnel", "is_deleted=false",
            [client, respond](cf::api_result r) {
              if (!r.ok) {
                respond(cloudflare_error("listing the tunnels", r));
                return;
              }
              std::string out = "{\"data\":[";
              bool first = true;
              for (auto& t : r.result->GetArray()) {
                out += first ? "{" : ",{";
                first = false;
                auto* conns = json::find(t, "connections");
                out += "\"id\":" + json::to_string(t["id"]) + ",\"name\":"
                       + json::to_string(t["name"]) + ",\"status\":"
                       + (json::find(t, "status") ? json::to_string(t["status"])
                                                  : std::string{"null"})
                       + ",\"connections\":"
                       + std::to_string(
                         conns && conns->IsArray() ? conns->Size() : 0)
                       + "}";
              }
              respond(json_answer(200, out + "]}"));
            });
          return;
        case route_id::admin_cloudflare_dns:
          if (!need(zone, "zone_id"))
            return;
          client->list(
            "/zones/" + q(zone) + "/dns_records", "type=CNAME",
            [client, respond](cf::api_result r) {
              if (!r.ok) {
                respond(cloudflare_error("listing the DNS records", r));
                return;
              }
              std::string out = "{\"data\":[";
              bool first = true;
              for (auto& d : r.result->GetArray()) {
                out += first ? "{" : ",{";
                first = false;
                out
                  += "\"id\":" + json::to_string(d["id"])
                     + ",\"name\":" + json::to_string(d["name"])
                     + ",\"content\":" + json::to_string(d["content"])
                     + ",\"type\":" + json::to_string(d["type"])
                     + ",\"proxied\":"
                     + (json::find(d, "proxied") ? json::to_string(d["proxied"])
                                                 : std::string{"false"})
                     + "}";
              }
              respond(json_answer(200, out + "]}"));
            },
            100);
          return;
        case route_id::admin_cloudflare_tunnel_status:
          if (!need(account, "account_id") || !need(tunnel, "tunnel_id"))
            return;
          client->call(
            "GET", "/accounts/" + q(account) + "/cfd_tunnel/" + q(tunnel), {},
            [client, respond](cf::api_result r) {
              if (!r.ok || !r.result->IsObject()) {
                respond(cloudflare_error("reading the tunnel", r));
                return;
              }
              auto& t = *r.result;
              auto* conns = json::find(t, "connections");
              std::string list = "[";
              size_t n = 0;
              if (conns && conns->IsArray())
                for (auto& c : conns->GetArray()) {
                  list += n++ ? ",{" : "{";
                  list += "\"id\":"
                          + (json::find(c, "id") ? json::to_string(c["id"])
                                                 : std::string{"null"})
                          + ",\"origin_ip\":"
                          + (json::find(c, "origin_ip")
                               ? json::to_string(c["origin_ip"])
                               : std::string{"null"})
                          + ",\"opened_at\":"
                          + (json::find(c, "opened_at")
                               ? json::to_string(c["opened_at"])
                               : std::string{"null"})
                          + "}";
                }
              list += "]";
              respond(json_answer(
                200, "{\"data\":{\"id\":" + json::to_string(t["id"])
                       + ",\"name\":" + json::to_string(t["name"])
                       + ",\"status\":"
                       + (json::find(t, "status") ? json::to_string(t["status"])
                                                  : std::string{"null"})
                       + ",\"is_connected\":" + (n > 0 ? "true" : "false")
                       + ",\"connections\":" + list + "}}"));
            });
          return;
        case route_id::admin_cloudflare_dns_create: {
          auto name = json::get_string(b, "name").value_or("");
          if (!need(zone, "zone_id") || !need(tunnel, "tunnel_id")
              || !need(name, "name"))
            return;
          std::string body = R"({"type":"CNAME","name":)";
          json::append_quoted(body, name);
          body += ",\"content\":";
          json::append_quoted(body, tunnel + ".cfargotunnel.com");
          body += R"(,"proxied":true,"ttl":1})";
          client->call(
            "POST", "/zones/" + q(zone) + "/dns_records", body,
            [client, respond](cf::api_result r) {
              if (!r.ok || !r.result->IsObject()) {
                respond(cloudflare_error("creating the DNS record", r));
                return;
              }
              auto& d = *r.result;
              respond(
                json_answer(201, "{\"data\":{\"id\":" + json::to_string(d["id"])
                                   + ",\"name\":" + json::to_string(d["name"])
                                   + ",\"content\":"
                                   + json::to_string(d["content"]) + "}}"));
            });
          return;
        }
        default:
          respond(admin_error(fail(errc::not_found, "no such route")));
      }
    },
    respond);
}

/// The public listener on the stored (or configured) port, started now
/// when it is not running yet.
expected<uint16_t> public_port_for(const app_context& ctx,
                                   const cloudflare_settings& s) {
  if (!ctx.ensure_public_listener)
    return fail(errc::internal, "the public listener cannot be started here");
  auto configured = ctx.started_config->public_port;
  return ctx.ensure_public_listener(
    static_cast<uint16_t>(configured != 0 ? configured : s.public_port));
}

void start_tunnel(const std::shared_ptr<app_context>& ctx,
                  const cloudflare_settings& s,
                  std::function<void(expected<std::string>)> done) {
  actors::tunnel_launch launch;
  launch.cloudflared_path = ctx->started_config->cloudflared_path;
  launch.token = s.tunnel_token;
  ctx->tunnel_hostname.store(std::make_shared<const std::string>(s.hostname));
  supervisor_call(ctx, std::move(launch), std::move(done));
}

bool supervisor_failed(const std::string& state, std::string& why) {
  auto doc = json::parse(state);
  if (!doc || !doc->IsObject())
    return false;
  if (json::get_string(*doc, "state").value_or("") != "failed")
    return false;
  why = json::get_string(*doc, "last_error").value_or("cloudflared failed");
  return true;
}

void setup(const std::shared_ptr<app_context>& ctx, json::document body,
           const admin_principal& who, responder respond) {
  auto hostname = json::get_string(body, "hostname").value_or("");
  for (auto& c : hostname)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!valid_hostname(hostname)) {
    respond(admin_error(fail(errc::invalid_value,
                             "hostname: must be a DNS name such as "
                             "api.example.com",
                             "hostname")));
    return;
  }
  if (ctx->tunnel_setup_busy.exchange(true)) {
    respond(admin_error(fail(errc::conflict,
                             "a tunnel setup is running already; try again "
                             "when it has answered")));
    return;
  }
  // Released when the last step's callback lets go of it, whatever path
  // the setup took.
  struct busy_release {
    std::shared_ptr<app_context> ctx;
    ~busy_release() {
      ctx->tunnel_setup_busy = false;
    }
  };
  // Made in place: a temporary's destructor would release it at once.
  std::shared_ptr<busy_release> busy{new busy_release{ctx}};
  respond = [busy, inner = std::move(respond)](http_response res) {
    inner(std::move(res));
  };
  auto shared = std::make_shared<json::document>(std::move(body));
  auto actor = who.actor;
  with_token(
    ctx, *shared,
    [ctx, shared, hostname, actor, respond](std::string token,
                                            cloudflare_settings s) {
      auto port = public_port_for(*ctx, s);
      if (!port) {
        respond(admin_error(fail(errc::bad_config, "the public listener: "
                                                     + port.error().message)));
        return;
      }
      cf::setup_request req;
      req.hostname = hostname;
      req.tunnel_name
        = field_or(*shared, "tunnel_name",
                   s.tunnel_name.empty() ? "openhinge" : s.tunnel_name);
      req.public_port = *port;
      req.tunnel_id = s.tunnel_id;
      auto given_token = json::get_string(*shared, "api_token").value_or("");
      cf::run_setup(
        client_for(*ctx, token), req,
        [ctx, s, token, given_token, hostname, actor, respond,
         bound = *port](cf::setup_outcome out) mutable {
          // What was found or made is kept, success or not: a second run
          // continues from it instead of making another.
          if (!given_token.empty())
            s.api_token = given_token;
          if (!out.account_id.empty())
            s.account_id = out.account_id;
          if (!out.zone_id.empty()) {
            s.zone_id = out.zone_id;
            s.domain = out.zone_name;
          }
          if (!out.tunnel_id.empty()) {
            s.tunnel_id = out.tunnel_id;
            s.tunnel_name = out.tunnel_name;
          }
          s.public_port = bound;
          if (out.ok) {
            // The route the tunnel now serves; a failed run for another
            // name leaves the working one in place.
            s.hostname = hostname;
            s.tunnel_token = out.tunnel_token;
            s.enabled = true;
          }
          auto finish = [ctx, s, actor, respond](cf::setup_outcome out, bool ok,
                                                 std::string message) {
            auto data = cf::outcome_json(out);
            std::string body;
            unsigned status = 200;
            if (ok) {
              body = "{\"data\":" + data + "}";
            } else {
              // Cloudflare refused (502), or cloudflared cannot run here
              // (503: nothing went wrong at Cloudflare).
              bool local = !out.steps.empty()
                           && out.steps.back().name == "start"
                           && out.steps.back().status == "failed";
              status = local ? 503 : 502;
              body = std::string{R"({"error":{"code":")"}
                     + (local ? "TUNNEL_UNAVAILABLE" : "CLOUDFLARE")
                     + R"(","message":)";
              json::append_quoted(body, message);
              body += "},\"data\":" + data + "}";
            }
            store_settings(ctx, s, actor, "tunnel_setup",
                           json_answer(status, std::move(body)), respond);
          };
          if (!out.ok) {
            out.steps.push_back({"start", "skipped", ""});
            std::string message;
            for (auto& step : out.steps)
              if (step.status == "failed")
                message = "the " + step.name + " step failed: " + step.detail;
            if (!out.created.empty()) {
              message += " (created before it, kept for the next run: ";
              for (size_t i = 0; i < out.created.size(); ++i)
                message += (i ? ", " : "") + out.created[i];
              message += ")";
            }
            OH_WARN("tunnel setup for {}: {}", hostname, message);
            finish(std::move(out), false, message);
            return;
          }
          s.tunnel_token = out.tunnel_token;
          s.enabled = true;
          start_tunnel(
            ctx, s,
            [out = std::move(out), finish,
             hostname](expected<std::string> state) mutable {
              std::string why;
              if (!state) {
                why = state.error().message;
              } else if (supervisor_failed(*state, why)) {
              }
              if (!why.empty()) {
                out.steps.push_back({"start", "failed", why});
                out.ok = false;
                finish(std::move(out), false, "the start step failed: " + why);
                return;
              }
              out.steps.push_back({"start", "done",
                                   "cloudflared runs; " + hostname
                                     + " reaches /v1 once it has connected"});
              OH_INFO("tunnel setup for {} done", hostname);
              finish(std::move(out), true, {});
            });
        });
    },
    respond);
}

void start_or_stop(const std::shared_ptr<app_context>& ctx, bool start,
                   const admin_principal& who, responder respond) {
  auto actor = who.actor;
  with_settings(
    ctx,
    [ctx, start, actor, respond](cloudflare_settings s) {
      if (!start) {
        supervisor_call(
          ctx, std::nullopt,
          [ctx, s, actor, respond](expected<std::string> st) mutable {
            if (!st) {
              respond(admin_error(st.error()));
              return;
            }
            s.enabled = false;
            store_settings(ctx, s, actor, "tunnel_stop",
                           json_answer(200, local_status_json(*ctx, *st)),
                           respond);
          });
        return;
      }
      if (s.tunnel_token.empty()) {
        respond(admin_error(fail(errc::invalid_value,
                                 "no tunnel is set up yet: run the setup "
                                 "first (openhinge tunnel setup --hostname "
                                 "H, or POST /admin/cloudflare/setup)")));
        return;
      }
      auto port = public_port_for(*ctx, s);
      if (!port) {
        respond(admin_error(fail(errc::bad_config, "the public listener: "
                                                     + port.error().message)));
        return;
      }
      s.public_port = *port;
      start_tunnel(
        ctx, s, [ctx, s, actor, respond](expected<std::string> st) mutable {
          if (!st) {
            respond(admin_error(st.error()));
            return;
          }
          std::string why;
          if (supervisor_failed(*st, why)) {
            respond(tunnel_unavailable(why));
            return;
          }
          s.enabled = true;
          store_settings(ctx, s, actor, "tunnel_start",
                         json_answer(200, local_status_json(*ctx, *st)),
                         respond);
        });
    },
    respond);
}

void local_status(const std::shared_ptr<app_context>& ctx, responder respond) {
  if (!ctx->tunnel_supervisor) {
    respond(json_answer(200, "{\"data\":{\"running\":false,\"pid\":null}}"));
    return;
  }
  ask_supervisor(
    ctx, [ctx, respond](caf::event_based_actor* self,
                        const actors::tunnel_supervisor_actor& sup) {
      self->request(sup, supervisor_timeout, actors::status_atom::value)
        .then(
          [ctx, respond](std::string& state) {
            respond(json_answer(200, local_status_json(*ctx, state)));
          },
          [respond](caf::error& err) {
            respond(admin_error(
              fail(errc::internal,
                   "the tunnel supervisor did not answer: " + to_string(err))));
          });
    });
}

} // namespace

bool is_cloudflare_route(route_id id) {
  switch (id) {
    case route_id::admin_cloudflare_zones:
    case route_id::admin_cloudflare_tunnels:
    case route_id::admin_cloudflare_dns:
    case route_id::admin_cloudflare_dns_create:
    case route_id::admin_cloudflare_tunnel_status:
    case route_id::admin_cloudflare_local_status:
    case route_id::admin_cloudflare_setup:
    case route_id::admin_cloudflare_start:
    case route_id::admin_cloudflare_stop:
      return true;
    default:
      return false;
  }
}

void handle_cloudflare(const std::shared_ptr<app_context>& ctx,
                       const route_result& route, http_request req,
                       const admin_principal& who, responder respond) {
  if (route.id == route_id::admin_cloudflare_local_status) {
    local_status(ctx, std::move(respond));
    return;
  }
  if (route.id == route_id::admin_cloudflare_start
      || route.id == route_id::admin_cloudflare_stop) {
    start_or_stop(ctx, route.id == route_id::admin_cloudflare_start, who,
                  std::move(respond));
    return;
  }
  auto body = admin::body_object(req.body.empty() ? "{}" : req.body);
  if (!body) {
    respond(admin_error(body.error()));
    return;
  }
  if (route.id == route_id::admin_cloudflare_setup) {
    admin::fields f{*body};
    f.only({"hostname", "api_token", "tunnel_name"});
    f.require("hostname");
    (void)f.string("hostname", 253);
    (void)f.string("api_token", 400);
    (void)f.string("tunnel_name", 100);
    if (f.error()) {
      respond(admin_error(*f.error()));
      return;
    }
    setup(ctx, std::move(*body), who, std::move(respond));
    return;
  }
  read_route(ctx, route.id, std::move(*body), std::move(respond));
}

void resume_tunnel(const std::shared_ptr<app_context>& ctx, store::database& db,
                   const store::credential_vault& vault) {
  auto s = read_cloudflare_settings(db, vault);
  ctx->tunnel_hostname.store(std::make_shared<const std::string>(s.hostname));
  if (!s.enabled || s.tunnel_token.empty())
    return;
  auto port = public_port_for(*ctx, s);
  if (!port) {
    OH_ERROR("tunnel: the public listener on port {} cannot start: {}",
             s.public_port, port.error().message);
    return;
  }
  OH_INFO("tunnel: resuming the tunnel for {}", s.hostname);
  actors::tunnel_launch launch;
  launch.cloudflared_path = ctx->started_config->cloudflared_path;
  launch.token = s.tunnel_token;
  caf::anon_send(supervisor_of(*ctx), actors::start_atom::value,
                 std::move(launch));
}

} // namespace oh::http::handlers
