// The bridge between the HTTP session and the actors for the admin API: the
// one place in src/http that spawns actors for admin work.
#include "http/handlers/admin.hpp"

#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "core/clock.hpp"
#include "core/defaults.hpp"
#include "core/logging.hpp"
#include "core/error_render.hpp"
#include "http/handlers/admin_resources.hpp"

namespace oh::http::handlers {

namespace {

constexpr auto call_timeout
  = std::chrono::milliseconds(defaults::admin_call_timeout_ms);

http_response to_http(const actors::admin_reply& reply) {
  if (reply.error)
    return error_response(dialect::admin, *reply.error);
  http_response res;
  res.status = reply.status;
  res.body = reply.body;
  return res;
}

http_response unavailable(const caf::error& err, caf::actor_system& sys) {
  OH_ERROR("admin call failed in the actor system: {}", sys.render(err));
  return error_response(
    dialect::admin, fail(errc::internal, "the admin call did not complete"));
}

// The short-lived actors below take their inputs as spawn arguments, not
// lambda captures: CAF 0.17 dereferences a null argument tuple when a
// function actor is spawned without arguments (UBSan flags it).

void status_call(caf::event_based_actor* self, std::shared_ptr<app_context> ctx,
                 responder respond) {
  self->request(ctx->registry, call_timeout, actors::status_atom::value)
    .then(
      [ctx, respond](std::string& counts) {
        auto uptime_s = (clock::now_ms() - ctx->started_ms) / 1000.0;
        http_response res;
        res.body = "{\"status\":\"running\",\"version\":\"" OH_VERSION
                   "\",\"uptime\":"
                   + std::to_string(uptime_s) + ",\"actors\":" + counts + "}";
        respond(std::move(res));
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

void handle_admin(const std::shared_ptr<app_context>& ctx,
                  const route_result& route, http_request req,
                  responder respond) {
  if (route.id == route_id::admin_system_status) {
    ctx->system->spawn(status_call, ctx, std::move(respond));
    return;
  }
  admin::admin_call call;
  call.route = route.id;
  call.method = req.method;
  call.id = route.param;
  call.actor = "token";
  auto body = std::make_shared<json::document>();
  bool has_body
    = req.method == "POST" || req.method == "PATCH" || req.method == "PUT";
  bool blank = req.body.find_first_not_of(" \t\r\n") == std::string::npos;
  if (has_body && !blank) {
    auto parsed = json::parse(req.body);
    if (!parsed) {
      respond(error_response(dialect::admin, parsed.error()));
      return;
    }
    if (!parsed->IsObject()) {
      respond(error_response(
        dialect::admin,
        fail(errc::invalid_value, "the request body must be a JSON object")));
      return;
    }
    *body = std::move(*parsed);
  } else {
    body->SetObject();
  }
  call.body = std::move(body);
  actors::store_job job = [call](actors::store_context& sc) {
    return admin::run_admin_call(sc, call);
  };
  ctx->system->spawn(admin_call, ctx, std::move(job), std::move(respond));
}

} // namespace oh::http::handlers
