// The bridge between the HTTP session and the actors for the admin API: the
// one place in src/http that spawns actors for admin work.
#include "http/handlers/admin.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/live_requests.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/defaults.hpp"
#include "core/logging.hpp"
#include "core/error_render.hpp"
#include "http/handlers/admin_cloudflare.hpp"
#include "http/handlers/admin_connect.hpp"
#include "http/handlers/admin_detect.hpp"
#include "http/handlers/admin_oauth.hpp"
#include "http/handlers/admin_json.hpp"
#include "http/handlers/admin_logs.hpp"
#include "http/handlers/admin_overview.hpp"
#include "http/handlers/admin_probe.hpp"
#include "http/handlers/admin_resources.hpp"
#include "http/handlers/admin_settings.hpp"
#include "store/backup.hpp"
#include "store/statement.hpp"
#include "store/audit_repo.hpp"
#include "store/providers_repo.hpp"

namespace oh::http::handlers {

namespace {

constexpr auto call_timeout
  = std::chrono::milliseconds(defaults::admin_call_timeout_ms);

http_response to_http(const actors::admin_reply& reply) {
  return admin_reply_to_http(reply);
}

http_response unavailable(const caf::error& err, caf::actor_system& sys) {
  OH_ERROR("admin call failed in the actor system: {}", sys.render(err));
  return error_response(
    dialect::admin, fail(errc::internal, "the admin call did not complete"));
}

// The short-lived actors below take their inputs as spawn arguments, not
// lambda captures: CAF 0.17 dereferences a null argument tuple when a
// function actor is spawned without arguments (UBSan flags it).

/// Resident memory of this process in bytes (0 when /proc is unreadable).
uint64_t resident_bytes() {
  uint64_t pages = 0;
  uint64_t resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%lu %lu", &pages, &resident) != 2)
      resident = 0;
    std::fclose(f);
  }
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

/// GET /admin/system/status: the original's fields (version, uptime,
/// counts, requests, memory) plus open streams and the actor counts.
void status_call(caf::event_based_actor* self, std::shared_ptr<app_context> ctx,
                 responder respond) {
  struct parts {
    std::string actors = "null";
    std::string requests = "\"total_requests\":null,\"today_requests\":null";
    int pending = 2;
  };
  auto p = std::make_shared<parts>();
  auto done = [ctx, p, respond] {
    if (--p->pending > 0)
      return;
    auto snap = ctx->snapshot->load();
    auto uptime_s = (clock::now_ms() - ctx->started_ms) / 1000.0;
    auto rss = resident_bytes();
    char rss_mb[32];
    std::snprintf(rss_mb, sizeof rss_mb, "%.1f",
                  static_cast<double>(rss) / (1024.0 * 1024.0));
    http_response res;
    res.body
      = "{\"status\":\"running\",\"version\":\"" OH_VERSION "\",\"uptime\":"
        + std::to_string(uptime_s)
        + ",\"providers\":" + std::to_string(snap->accounts_by_id.size())
        + ",\"souls\":" + std::to_string(snap->souls_by_slug.size())
        + ",\"api_keys\":" + std::to_string(snap->keys_by_hash.size()) + ","
        + p->requests + ",\"memory\":{\"rss\":" + rss_mb
        + ",\"rss_bytes\":" + std::to_string(rss) + "},\"open_streams\":"
        + std::to_string(
          static_cast<int64_t>(ctx->services->metrics->open_streams.sum()))
        + ",\"in_flight\":" + std::to_string(ctx->services->live->all().size())
        + ",\"actors\":" + p->actors + "}";
    respond(std::move(res));
  };
  self->request(ctx->registry, call_timeout, actors::status_atom::value)
    .then(
      [p, done](std::string& counts) {
        p->actors = std::move(counts);
        done();
      },
      [ctx, respond](caf::error& err) {
        respond(unavailable(err, *ctx->system));
      });
  // Requests: every key's count, and today's from the daily rollup (cheap
  // at any log size, unlike counting the log).
  actors::store_job counts = [](actors::store_context& sc) {
    store::statement total{sc.db, "SELECT COALESCE(SUM(total_requests), 0)"
                                  " FROM api_keys"};
    total.step();
    store::statement today{sc.db, "SELECT COALESCE(SUM(total_requests), 0)"
                                  " FROM cost_daily WHERE date = ?1"};
    today.bind(1, clock::now_iso().substr(0, 10));
    today.step();
    actors::admin_reply r;
    r.body = "\"total_requests\":" + std::to_string(total.int64(0))
             + ",\"today_requests\":" + std::to_string(today.int64(0));
    return r;
  };
  self->request(ctx->store, call_timeout, actors::run_atom::value, counts)
    .then(
      [p, done](actors::admin_reply& r) {
        if (!r.error)
          p->requests = std::move(r.body);
        done();
      },
      [p, done](caf::error&) {
        done(); // the counts stay null; the rest is still worth showing
      });
}

/// One /admin/actors entry from an actor's status JSON: mailbox and handled
/// move up, the rest is the state (SPEC §9.3).
std::string actor_entry(const actors::actor_ref& ref,
                        const std::string* status) {
  std::string id = ref.id;
  std::string out = "{\"kind\":";
  json::append_quoted(out, ref.kind);
  if (status == nullptr) {
    out += ",\"id\":";
    json::append_quoted(out, id);
    out += ",\"name\":";
    json::append_quoted(out, ref.name);
    return out
           + ",\"mailbox\":null,\"handled\":null,\"state\":\"unresponsive\"}";
  }
  auto doc = json::parse(*status);
  int64_t mailbox = 0;
  int64_t handled = 0;
  if (doc && doc->IsObject()) {
    if (auto* m = json::find(*doc, "mailbox"); m && m->IsInt64())
      mailbox = m->GetInt64();
    if (auto* h = json::find(*doc, "handled"); h && h->IsInt64())
      handled = h->GetInt64();
    doc->RemoveMember("mailbox");
    doc->RemoveMember("handled");
    if (id.empty())
      id = json::get_string(*doc, "request_id").value_or("");
  }
  out += ",\"id\":";
  json::append_quoted(out, id);
  out += ",\"name\":";
  json::append_quoted(out, ref.name);
  out += ",\"mailbox\":" + std::to_string(mailbox)
         + ",\"handled\":" + std::to_string(handled) + ",\"state\":";
  out += doc ? json::to_string(*doc) : std::string{"null"};
  return out + "}";
}

/// Collects every live actor's status, each with a 200 ms deadline.
void actors_call(caf::event_based_actor* self, std::shared_ptr<app_context> ctx,
                 std::string kind, std::string id, responder respond) {
  self->request(ctx->registry, call_timeout, actors::actors_atom::value)
    .then(
      [self, ctx, kind, id, respond](std::vector<actors::actor_ref>& refs) {
        refs.push_back({"registry", "registry", "registry",
                        caf::actor_cast<caf::actor>(ctx->registry)});
        if (ctx->usage_logger)
          refs.push_back({"usage_logger", "usage_logger", "usage_logger",
                          ctx->usage_logger});
        if (ctx->health_monitor)
          refs.push_back({"health_monitor", "health_monitor", "health_monitor",
                          ctx->health_monitor});
        if (ctx->acceptor)
          refs.push_back({"acceptor", "acceptor", "acceptor", ctx->acceptor});
        if (ctx->tunnel_supervisor)
          refs.push_back({"tunnel_supervisor", "tunnel_supervisor",
                          "tunnel_supervisor", ctx->tunnel_supervisor});
        for (auto& r : ctx->services->live->all())
          refs.push_back({"request", "", "", caf::actor_cast<caf::actor>(r)});
        std::vector<actors::actor_ref> chosen;
        for (auto& r : refs)
          if (kind.empty() || r.kind == kind)
            chosen.push_back(std::move(r));
        auto total = refs.size();
        auto shared
          = std::make_shared<std::vector<actors::actor_ref>>(std::move(chosen));
        auto entries
          = std::make_shared<std::vector<std::string>>(shared->size());
        auto pending = std::make_shared<size_t>(shared->size());
        auto done = [ctx, id, respond, entries, shared, total] {
          std::string body;
          if (!id.empty()) {
            for (size_t i = 0; i < shared->size(); ++i)
              if (entries->at(i).find("\"id\":\"" + id + "\"")
                  != std::string::npos) {
                http_response res;
                res.body = "{\"data\":" + entries->at(i) + "}";
                respond(std::move(res));
                return;
              }
            respond(error_response(
              dialect::admin,
              fail(errc::not_found, "no live actor with id " + clip_echo(id))));
            return;
          }
          body = "{\"data\":[";
          for (size_t i = 0; i < entries->size(); ++i) {
            if (i > 0)
              body += ",";
            body += entries->at(i);
          }
          body += "],\"system\":{\"scheduler_threads\":"
                  + std::to_string(ctx->scheduler_threads)
                  + ",\"io_threads\":" + std::to_string(ctx->io_threads)
                  + ",\"actors_total\":" + std::to_string(total) + "}}";
          http_response res;
          res.body = std::move(body);
          respond(std::move(res));
        };
        if (shared->empty()) {
          done();
          return;
        }
        for (size_t i = 0; i < shared->size(); ++i) {
          auto ref = shared->at(i);
          self
            ->request(ref.handle, std::chrono::milliseconds(200),
                      actors::status_atom::value)
            .then(
              [=](std::string& status) {
                (*entries)[i] = actor_entry(ref, &status);
                if (--*pending == 0)
                  done();
              },
              [=](caf::error&) {
                (*entries)[i] = actor_entry(ref, nullptr);
                if (--*pending == 0)
                  done();
              });
        }
      },
      [ctx, respond](caf::error& err) {
        respond(unavailable(err, *ctx->system));
      });
}

/// Runs the job on the store, applies its changes in the registry, answers.
void admin_call(caf::event_based_actor* self, std::shared_ptr<app_context> ctx,
                actors::store_job job, responder respond) {
  self->request(ctx->store, call_timeout, actors::run_atom::value, job)
    .then(
      [self, ctx, respond](actors::admin_reply& reply) {
        if (reply.changes.empty()) {
          respond(to_http(reply));
          return;
        }
        // Answer only after the running actors have the change, so the
        // next request already sees it.
        auto changes = std::move(reply.changes);
        reply.changes.clear();
        self
          ->request(ctx->registry, call_timeout, actors::apply_atom::value,
                    std::move(changes))
          .then(
            [respond, reply](bool) {
              respond(to_http(reply));
            },
            [ctx, respond](caf::error& err) {
              respond(unavailable(err, *ctx->system));
            });
      },
      [ctx, respond](caf::error& err) {
        respond(unavailable(err, *ctx->system));
      });
}

} // namespace

http_response admin_reply_to_http(const actors::admin_reply& reply) {
  http_response res;
  if (reply.error) {
    res = error_response(dialect::admin, *reply.error);
  } else {
    res.status = reply.status;
    res.body = reply.body;
  }
  for (auto& h : reply.headers)
    res.headers.push_back(h);
  return res;
}

void run_store_job(const std::shared_ptr<app_context>& ctx,
                   actors::store_job job, responder respond) {
  ctx->system->spawn(admin_call, ctx, std::move(job), std::move(respond));
}

namespace {

/// GET /admin/audit?limit=&before=: newest first, keyset paged; `next` is
/// the `before` of the next page.
void audit_list(const std::shared_ptr<app_context>& ctx,
                const http_request& req, responder respond) {
  auto number = [&](const char* name, int64_t fallback, int64_t lo,
                    int64_t hi) -> std::optional<int64_t> {
    auto text = query_param(req.query, name);
    if (!text)
      return fallback;
    int64_t v = 0;
    auto [end, ec]
      = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc{} || end != text->data() + text->size() || v < lo
        || v > hi)
      return std::nullopt;
    return v;
  };
  auto limit = number("limit", 50, 1, 200);
  auto before = number("before", 0, 0, INT64_MAX);
  if (!limit || !before) {
    respond(error_response(
      dialect::admin,
      fail(errc::invalid_value,
           !limit ? "limit must be a whole number from 1 to 200"
                  : "before must be an audit id (a whole number)",
           !limit ? "limit" : "before")));
    return;
  }
  actors::store_job job
    = [limit = *limit, before = *before](actors::store_context& sc) {
        auto rows = store::audit_repo{sc.db}.page(before, limit + 1);
        bool more = static_cast<int64_t>(rows.size()) > limit;
        if (more)
          rows.pop_back();
        std::string body = "{\"data\":[";
        for (size_t i = 0; i < rows.size(); ++i) {
          auto& r = rows[i];
          if (i > 0)
            body += ",";
          body += "{\"id\":" + std::to_string(r.id) + ",\"created_at\":";
          json::append_quoted(body, r.created_at);
          body += ",\"actor\":";
          json::append_quoted(body, r.actor);
          body += ",\"action\":";
          json::append_quoted(body, r.action);
          body += ",\"target_type\":";
          json::append_quoted(body, r.target_type);
          body += ",\"target_id\":";
          json::append_quoted(body, r.target_id);
          body += ",\"detail\":";
          auto detail = json::parse(r.detail);
          body += detail ? json::to_string(*detail) : std::string{"{}"};
          body += "}";
        }
        body += "],\"next\":";
        body += more && !rows.empty() ? std::to_string(rows.back().id) : "null";
        body += "}";
        actors::admin_reply reply;
        reply.body = std::move(body);
        return reply;
      };
  run_store_job(ctx, std::move(job), std::move(respond));
}

/// GET /health?deep=1: the store answers a query and the registry answers
/// a status request, each within a second (SPEC §3).
void deep_health_call(caf::event_based_actor* self,
                      std::shared_ptr<app_context> ctx, responder respond) {
  auto checks = std::make_shared<std::pair<std::string, std::string>>(
    "timeout", "timeout");
  auto pending = std::make_shared<int>(2);
  auto done = [ctx, checks, pending, respond] {
    if (--*pending > 0)
      return;
    bool ok = checks->first == "ok" && checks->second == "ok"
              && !ctx->draining.load();
    http_response res;
    res.status = ok ? 200 : 503;
    res.body = std::string{"{\"status\":\""}
               + (ctx->draining.load() ? "draining"
                  : ok                 ? "ok"
                                       : "degraded")
               + "\",\"timestamp\":\"" + clock::now_iso()
               + "\",\"checks\":{\"store\":\"" + checks->first
               + "\",\"actors\":\"" + checks->second + "\"}}";
    res.headers.emplace_back("Cache-Control", "no-store");
    respond(std::move(res));
  };
  actors::store_job probe = [](actors::store_context& sc) {
    store::statement st{sc.db, "SELECT 1"};
    st.step();
    return actors::admin_reply{};
  };
  self
    ->request(ctx->store, std::chrono::seconds(1), actors::run_atom::value,
              probe)
    .then(
      [checks, done](actors::admin_reply& r) {
        checks->first = r.error ? "failing" : "ok";
        done();
      },
      [checks, done](caf::error&) {
        checks->first = "not answering";
        done();
      });
  self
    ->request(ctx->registry, std::chrono::seconds(1),
              actors::status_atom::value)
    .then(
      [checks, done](std::string&) {
        checks->second = "ok";
        done();
      },
      [checks, done](caf::error&) {
        checks->second = "not answering";
        done();
      });
}

/// POST /admin/system/reload: the registry re-reads providers, souls and
/// keys from the store (live actors are updated, vanished rows stop), then
/// the stored routing and health settings reach the running actors again.
/// For changes made to the database by another process (a CLI, a restore).
void reload_call(caf::event_based_actor* self, std::shared_ptr<app_context> ctx,
                 std::string actor, responder respond) {
  self->request(ctx->registry, call_timeout, actors::load_atom::value)
    .then(
      [self, ctx, actor, respond](size_t live) {
        auto stored = std::make_shared<std::vector<
          std::pair<std::string, std::shared_ptr<json::document>>>>();
        actors::store_job job
          = [stored, actor, live](actors::store_context& sc) {
              for (auto* group : {"routing", "health"})
                stored->emplace_back(group, std::make_shared<json::document>(
                                              stored_settings(sc.db, group)));
              store::audit_repo{sc.db}.record(actor, "reload", "system", "");
              actors::admin_reply r;
              r.body = "{\"ok\":true,\"actors\":" + std::to_string(live) + "}";
              return r;
            };
        self
          ->request(ctx->store, call_timeout, actors::run_atom::value,
                    std::move(job))
          .then(
            [ctx, stored, respond](actors::admin_reply& r) {
              if (!r.error)
                for (auto& [group, doc] : *stored)
                  apply_settings_live(ctx, group, *doc);
              respond(to_http(r));
            },
            [self, respond](caf::error& err) {
              respond(unavailable(err, self->system()));
            });
      },
      [self, respond](caf::error& err) {
        respond(unavailable(err, self->system()));
      });
}

/// POST /admin/system/backup {"name"?}: an online copy of the database in
/// <data dir>/backups, on a thread of its own (a large database takes a
/// while; nothing else waits for it), then an audit row.
void backup_call(caf::event_based_actor* self, std::shared_ptr<app_context> ctx,
                 std::string name, std::string actor, responder respond) {
  namespace fs = std::filesystem;
  auto& cfg = *ctx->started_config;
  std::string dir = cfg.data_dir + "/backups";
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::permissions(dir, fs::perms::owner_all, ec);
  if (name.empty()) {
    auto stamp = clock::now_iso();
    std::erase(stamp, ':');
    std::erase(stamp, '-');
    name = "openhinge-" + stamp + ".db";
  }
  auto done = store::backup_database(cfg.db_path, dir + "/" + name);
  if (!done) {
    respond(error_response(dialect::admin, done.error()));
    self->quit();
    return;
  }
  auto result = *done;
  actors::store_job job = [result, actor](actors::store_context& sc) {
    store::audit_repo{sc.db}.record(actor, "backup", "system", "");
    actors::admin_reply r;
    r.body = "{\"ok\":true,\"path\":";
    json::append_quoted(r.body, result.path);
    r.body += ",\"bytes\":" + std::to_string(result.bytes)
              + ",\"pages\":" + std::to_string(result.pages) + ",\"ms\":"
              + std::to_string(result.millis) + ",\"integrity\":\"ok\"}";
    return r;
  };
  run_store_job(ctx, std::move(job), std::move(respond));
  self->quit();
}

/// A backup's file name: letters, digits, dot, dash and underscore, ending
/// in .db (never a path).
bool valid_backup_name(std::string_view name) {
  if (name.size() < 4 || name.size() > 100 || !name.ends_with(".db")
      || name.front() == '.')
    return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-'
        && c != '_')
      return false;
  return true;
}

} // namespace

void handle_deep_health(const std::shared_ptr<app_context>& ctx,
                        responder respond) {
  ctx->system->spawn(deep_health_call, ctx, std::move(respond));
}

void handle_admin(const std::shared_ptr<app_context>& ctx,
                  const route_result& route, http_request req,
                  const admin_principal& who, responder respond) {
  if (route.id == route_id::admin_audit) {
    audit_list(ctx, req, std::move(respond));
    return;
  }
  if (route.id == route_id::admin_provider_models) {
    // The account's model list as its last probe found it (no upstream
    // call here; POST …/health refreshes it).
    actors::store_job job = [id = route.param](actors::store_context& sc) {
      auto rec = store::providers_repo{sc.db, sc.vault}.get(id);
      actors::admin_reply r;
      if (!rec) {
        r.error = fail(errc::not_found, "no provider with id " + clip_echo(id));
        return r;
      }
      std::string body = "{\"data\":[";
      if (auto models = json::parse(rec->models_json);
          models && models->IsArray()) {
        bool first = true;
        for (auto& m : models->GetArray()) {
          if (!m.IsString())
            continue;
          if (!first)
            body += ",";
          first = false;
          body += "{\"id\":";
          json::append_quoted(body, m.GetString());
          body += "}";
        }
      }
      r.body = body + "]}";
      return r;
    };
    run_store_job(ctx, std::move(job), std::move(respond));
    return;
  }
  if (route.id == route_id::admin_overview) {
    handle_overview(ctx, req, std::move(respond));
    return;
  }
  if (route.id == route_id::admin_system_status) {
    ctx->system->spawn(status_call, ctx, std::move(respond));
    return;
  }
  if (route.id == route_id::admin_actors || route.id == route_id::admin_actor) {
    auto kind = query_param(req.query, "kind").value_or("");
    auto id = route.id == route_id::admin_actor ? route.param : std::string{};
    ctx->system->spawn(actors_call, ctx, std::move(kind), std::move(id),
                       std::move(respond));
    return;
  }
  if (route.id == route_id::admin_providers_bulk) {
    // `health`: each named account runs its no-quota probe now; the store
    // job below counts the known ids.
    if (auto body = json::parse(req.body);
        body && body->IsObject()
        && json::get_string(*body, "action").value_or("") == "health")
      if (auto* ids = json::find(*body, "ids"); ids && ids->IsArray()) {
        auto snap = ctx->snapshot->load();
        for (auto& id : ids->GetArray())
          if (id.IsString())
            if (auto it = snap->accounts_by_id.find(id.GetString());
                it != snap->accounts_by_id.end())
              caf::anon_send(it->second, actors::check_atom::value);
      }
  }
  switch (route.id) {
    case route_id::admin_logs_query:
    case route_id::admin_logs_newest:
    case route_id::admin_log_detail:
    case route_id::admin_cost_report:
    case route_id::admin_cost_by_soul:
    case route_id::admin_cost_by_key:
    case route_id::admin_cost_by_provider:
    case route_id::admin_cost_by_model:
      handle_logs(ctx, route, req, std::move(respond));
      return;
    default:
      break;
  }
  if (route.id == route_id::admin_providers_probe) {
    handle_providers_probe(ctx, req, std::move(respond));
    return;
  }
  if (route.id == route_id::admin_providers_health
      || route.id == route_id::admin_provider_health) {
    handle_providers_health(ctx, route.param, std::move(respond));
    return;
  }
  if (is_oauth_route(route.id)) {
    handle_oauth(ctx, route, std::move(req), who, std::move(respond));
    return;
  }
  if (is_cloudflare_route(route.id)) {
    handle_cloudflare(ctx, route, std::move(req), who, std::move(respond));
    return;
  }
  if (route.id == route_id::admin_providers_quick_add) {
    handle_quick_add(ctx, route, std::move(req), who, std::move(respond));
    return;
  }
  if (route.id == route_id::admin_system_backup) {
    auto body = admin::body_object(req.body);
    if (!body) {
      respond(error_response(dialect::admin, body.error()));
      return;
    }
    auto name = json::get_string(*body, "name").value_or("");
    if (!name.empty() && !valid_backup_name(name)) {
      respond(error_response(
        dialect::admin,
        fail(errc::invalid_value,
             "name: a file name of letters, digits, '.', '-' and '_' "
             "ending in .db",
             "name")));
      return;
    }
    ctx->system->spawn<caf::detached>(backup_call, ctx, std::move(name),
                                      who.actor, std::move(respond));
    return;
  }
  if (route.id == route_id::admin_system_reload) {
    ctx->system->spawn(reload_call, ctx, who.actor, std::move(respond));
    return;
  }
  if (route.id == route_id::admin_connect_detect
      || route.id == route_id::admin_connect
      || route.id == route_id::admin_connect_disconnect) {
    handle_connect(ctx, route, std::move(req), who, std::move(respond));
    return;
  }
  if (route.id == route_id::admin_providers_detect) {
    handle_detect(ctx, std::move(respond));
    return;
  }
  if (route.id == route_id::admin_providers_import) {
    // An import is a create whose body the gateway writes from what it
    // found; the secret never crosses the admin API.
    auto request = admin::body_object(req.body);
    if (!request) {
      respond(error_response(dialect::admin, request.error()));
      return;
    }
    auto body = import_body(*request);
    if (!body) {
      respond(error_response(dialect::admin, body.error()));
      return;
    }
    auto create = route;
    create.id = route_id::admin_providers;
    req.method = "POST";
    add_code_assist_project(
      ctx, std::move(*body),
      [ctx, create, req = std::move(req), who,
       respond = std::move(respond)](expected<std::string> ready) mutable {
        if (!ready) {
          respond(error_response(dialect::admin, ready.error()));
          return;
        }
        req.body = std::move(*ready);
        handle_admin(ctx, create, std::move(req), who, std::move(respond));
      });
    return;
  }
  admin::admin_call call;
  call.route = route.id;
  call.method = req.method;
  call.id = route.param;
  call.actor = who.actor;
  call.health = ctx->services ? ctx->services->health : nullptr;
  bool has_body
    = req.method == "POST" || req.method == "PATCH" || req.method == "PUT";
  auto parsed = admin::body_object(has_body ? std::string_view{req.body}
                                            : std::string_view{});
  if (!parsed) {
    respond(error_response(dialect::admin, parsed.error()));
    return;
  }
  auto body = std::make_shared<json::document>(std::move(*parsed));
  call.body = std::move(body);
  actors::store_job job = [call](actors::store_context& sc) {
    return admin::run_admin_call(sc, call);
  };
  ctx->system->spawn(admin_call, ctx, std::move(job), std::move(respond));
}

} // namespace oh::http::handlers
