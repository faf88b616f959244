#include "http/handlers/admin_oauth.hpp"

#include <chrono>
#include <cstdlib>

#include <boost/asio/steady_timer.hpp>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/data_dir.hpp"
#include "core/error_render.hpp"
#include "core/logging.hpp"
#include "http/handlers/admin.hpp"
#include "http/handlers/admin_json.hpp"
#include "http/server.hpp"
#include "providers/collect_call.hpp"
#include "providers/gemini/translate.hpp"
#include "providers/io_runtime.hpp"
#include "providers/model_listing.hpp"
#include "providers/oauth/credentials.hpp"
#include "providers/oauth/oauth_client.hpp"
#include "providers/oauth/token_endpoint.hpp"
#include "providers/provider_types.hpp"
#include "providers/upstream_client.hpp"

namespace oh::http::handlers {

namespace {

namespace oauth = providers::oauth;

using done_fn = std::function<void(http_response)>;

http_response json_answer(unsigned status, std::string body) {
  http_response res;
  res.status = status;
  res.body = std::move(body);
  return res;
}

http_response admin_error(const failure& f) {
  return error_response(dialect::admin, f);
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// The page the browser lands on after the login: everything escaped, no
/// script, nothing loaded.
http_response callback_page(unsigned status, std::string_view title,
                            std::string_view message) {
  http_response res;
  res.status = status;
  res.content_type = "text/html; charset=utf-8";
  res.headers.emplace_back("content-security-policy",
                           "default-src 'none'; style-src 'unsafe-inline'");
  res.headers.emplace_back("cache-control", "no-store");
  res.headers.emplace_back("referrer-policy", "no-referrer");
  res.body = "<!doctype html><html><head><meta charset=\"utf-8\"><title>"
             + html_escape(title)
             + " — OpenHinge</title><style>body{font:16px system-ui,sans-serif;"
               "max-width:36em;margin:4em auto;padding:0 1em;color:#1d2733}"
               "h1{font-size:1.4em}</style></head><body><h1>"
             + html_escape(title) + "</h1><p>" + html_escape(message)
             + "</p></body></html>";
  return res;
}

oauth_runtime& runtime(const app_context& ctx) {
  return *ctx.oauth;
}

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0')
    return std::nullopt;
  return std::string{v};
}

/// The client and redirect a flow of `facts` uses on this gateway.
oauth::client_secrets secrets_for(const oauth_runtime& rt,
                                  const oauth::client_facts& f) {
  oauth::client_secrets s;
  if (f.type == "gemini") {
    s.client_id = env("GEMINI_OAUTH_CLIENT_ID").value_or("");
    s.client_secret = env("GEMINI_OAUTH_CLIENT_SECRET").value_or("");
  }
  if (rt.callback_port != 0)
    s.redirect_uri = "http://localhost:" + std::to_string(rt.callback_port)
                     + std::string{f.callback_path};
  return s;
}

uint16_t port_for(const oauth_runtime& rt, const oauth::client_facts& f) {
  return rt.callback_port != 0 ? rt.callback_port : f.redirect_port;
}

// -- completion ---------------------------------------------------------------

/// Tokens a login obtained, ready to be stored.
struct obtained {
  oauth::token_answer answer;
  std::string client_id;
  std::string client_secret;
  std::string account_id;
  std::string project_id;
};

using created_fn = std::function<void(expected<oauth_flow>)>;

/// Creates the account through the admin API's own create (validation,
/// audit, the registry's update), as the flow's starter.
void create_account(const std::shared_ptr<app_context>& ctx, oauth_flow flow,
                    obtained got, created_fn done) {
  auto& rt = runtime(*ctx);
  const auto* facts = oauth::facts_for(flow.type);
  json::document body;
  body.SetObject();
  auto& a = body.GetAllocator();
  auto str = [&](const std::string& v) {
    return json::value{v.c_str(), a};
  };
  std::string name
    = flow.name.empty() ? std::string{facts->provider_name} : flow.name;
  body.AddMember("name", str(name), a);
  body.AddMember("type", str(flow.type), a);
  body.AddMember("auth_mode", "oauth", a);
  body.AddMember("priority", json::value{flow.priority}, a);
  if (!rt.endpoint_base.empty())
    body.AddMember("base_url", str(rt.endpoint_base), a);
  json::value creds{rapidjson::kObjectType};
  auto add = [&](const char* field, const std::string& v) {
    if (!v.empty())
      creds.AddMember(rapidjson::StringRef(field), str(v), a);
  };
  add("oauth_token", got.answer.access_token);
  add("refresh_token", got.answer.refresh_token);
  add("id_token", got.answer.id_token);
  add("account_id", got.account_id);
  add("project_id", got.project_id);
  add("client_id", got.client_id);
  add("client_secret", got.client_secret);
  if (got.answer.expires_in_s > 0)
    add("expires_at",
        std::to_string(clock::now_ms() + got.answer.expires_in_s * 1000));
  body.AddMember("credentials", creds, a);
  auto models = providers::subscription_models(flow.type);
  if (!models.empty()) {
    json::value cfg{rapidjson::kObjectType};
    cfg.AddMember("default_model", str(models.front()), a);
    body.AddMember("config", cfg, a);
  }
  http_request req;
  req.method = "POST";
  req.path = req.target = "/admin/providers";
  req.body = json::to_string(body);
  route_result create;
  create.kind = route_result::outcome::found;
  create.id = route_id::admin_providers;
  admin_principal who;
  who.actor = flow.actor;
  handle_admin(
    ctx, create, std::move(req), who,
    [flow, done = std::move(done)](http_response res) mutable {
      auto doc = json::parse(res.body);
      const json::value* data
        = doc && doc->IsObject() ? json::find(*doc, "data") : nullptr;
      if (res.status != 201 || data == nullptr) {
        std::string why = "the account could not be created";
        if (doc && doc->IsObject())
          if (auto* e = json::find(*doc, "error"); e && e->IsObject())
            why += ": " + json::get_string(*e, "message").value_or("");
        done(fail(errc::internal, why));
        return;
      }
      flow.provider_id = json::get_string(*data, "id").value_or("");
      flow.provider_name = json::get_string(*data, "name").value_or("");
      done(std::move(flow));
    });
}

/// Code Assist's project for a Google login (reference §3.2):
/// loadCodeAssist, else onboardUser polled until done.
class project_discovery
  : public std::enable_shared_from_this<project_discovery> {
public:
  project_discovery(std::shared_ptr<app_context> ctx, std::string token,
                    std::function<void(expected<std::string>)> done)
    : ctx_(std::move(ctx)), token_(std::move(token)), done_(std::move(done)),
      timer_(runtime(*ctx_).io->context()) {
    base_ = oauth::rebased(providers::subscription_base_url("gemini"),
                           runtime(*ctx_).endpoint_base);
  }

  void start() {
    post("/v1internal:loadCodeAssist",
         providers::gemini::code_assist_metadata_body,
         [self = shared_from_this()](providers::collected_answer a) {
           self->on_load(std::move(a));
         });
  }

private:
  using answer_fn = std::function<void(providers::collected_answer)>;

  void call(std::string method, const std::string& path, std::string body,
            answer_fn then) {
    auto url = providers::parse_url(base_ + path);
    if (!url) {
      finish(fail(errc::upstream_failed, "bad Code Assist URL"));
      return;
    }
    providers::upstream_request req;
    req.url = std::move(*url);
    req.method = std::move(method);
    req.headers.emplace_back("authorization", "Bearer " + token_);
    req.headers.emplace_back("content-type", "application/json");
    req.headers.emplace_back("user-agent",
                             providers::gemini::code_assist_user_agent);
    req.headers.emplace_back("x-goog-api-client",
                             providers::gemini::code_assist_api_client);
    req.body = std::move(body);
    providers::collect_call(*ctx_->services->upstream, std::move(req),
                            std::move(then));
  }
  void post(const std::string& path, std::string body, answer_fn then) {
    call("POST", path, std::move(body), std::move(then));
  }

  static std::string project_of(const json::value& v) {
    if (auto* p = json::find(v, "cloudaicompanionProject")) {
      if (p->IsString())
        return p->GetString();
      if (p->IsObject())
        return json::get_string(*p, "id").value_or("");
    }
    return {};
  }

  /// True for a 2xx answer; otherwise ends the discovery naming `call`.
  bool answered(const providers::collected_answer& a, const char* call) {
    if (a.status >= 200 && a.status < 300)
      return true;
    finish(fail(errc::upstream_failed,
                std::string{call} + " answered "
                  + (a.status ? "HTTP " + std::to_string(a.status) : a.error)));
    return false;
  }

  void on_load(providers::collected_answer a) {
    if (!answered(a, "loadCodeAssist"))
      return;
    auto doc = json::parse(a.body);
    if (doc && doc->IsObject())
      if (auto p = project_of(*doc); !p.empty()) {
        finish(p);
        return;
      }
    std::string body = R"({"tierId":"free-tier",)";
    // The metadata object of loadCodeAssist's body, after its `{`.
    body
      += std::string_view{providers::gemini::code_assist_metadata_body}.substr(
        1);
    post("/v1internal:onboardUser", std::move(body),
         [self = shared_from_this()](providers::collected_answer a) {
           self->on_operation(std::move(a));
         });
  }

  void on_operation(providers::collected_answer a) {
    if (!answered(a, "onboardUser"))
      return;
    auto doc = json::parse(a.body);
    if (!doc || !doc->IsObject()) {
      finish(fail(errc::upstream_failed, "onboardUser answered no JSON"));
      return;
    }
    auto* done = json::find(*doc, "done");
    if (done != nullptr && done->IsBool() && done->GetBool()) {
      auto* response = json::find(*doc, "response");
      auto p = response != nullptr ? project_of(*response) : std::string{};
      if (p.empty())
        finish(fail(errc::upstream_failed,
                    "Could not discover Gemini project ID — try again or use "
                    "an API key instead"));
      else
        finish(p);
      return;
    }
    auto name = json::get_string(*doc, "name").value_or("");
    if (name.empty() || ++polls_ > 10) {
      finish(fail(errc::upstream_failed,
                  "Code Assist onboarding did not finish; try again later"));
      return;
    }
    timer_.expires_after(std::chrono::seconds(polls_ == 1 ? 0 : 5));
    timer_.async_wait(
      [self = shared_from_this(), name](boost::system::error_code ec) {
        if (ec)
          return;
        self->call("GET", "/v1internal/" + name, {},
                   [self](providers::collected_answer a) {
                     self->on_operation(std::move(a));
                   });
      });
  }

  void finish(expected<std::string> r) {
    if (!done_)
      return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(r));
  }

  std::shared_ptr<app_context> ctx_;
  std::string token_;
  std::function<void(expected<std::string>)> done_;
  boost::asio::steady_timer timer_;
  std::string base_;
  int polls_ = 0;
};

/// Exchanges a flow's code and creates its account; ends the flow either
/// way. `done` gets the finished flow.
void complete_flow(const std::shared_ptr<app_context>& ctx, oauth_flow flow,
                   std::string code, std::function<void(oauth_flow)> done) {
  auto& rt = runtime(*ctx);
  const auto* facts = oauth::facts_for(flow.type);
  auto secrets = secrets_for(rt, *facts);
  auto call = oauth::exchange_call(*facts, code, flow.verifier, flow.state,
                                   secrets, rt.endpoint_base);
  auto fail_flow = [ctx, done](oauth_flow f, std::string why) {
    OH_WARN("browser login for a {} account failed: {}", f.type, why);
    runtime(*ctx).flows.finish(f.id, "error", why);
    f.status = "error";
    f.error = std::move(why);
    done(std::move(f));
  };
  oauth::call_token_endpoint(
    *ctx->services->upstream, call,
    [ctx, flow, secrets, facts, done,
     fail_flow](expected<oauth::token_answer> answer) mutable {
      if (!answer) {
        // A refused code (a mistyped paste, a stale redirect) spends
        // nothing of ours: the login waits for another paste.
        OH_WARN("browser login for a {} account: the code was refused: {}",
                flow.type, answer.error().message);
        runtime(*ctx).flows.finish(flow.id, "pending", answer.error().message);
        flow.status = "pending";
        flow.error = answer.error().message;
        done(std::move(flow));
        return;
      }
      obtained got;
      got.answer = std::move(*answer);
      got.client_id = secrets.client_id.empty() ? std::string{facts->client_id}
                                                : secrets.client_id;
      got.client_secret = secrets.client_secret;
      if (flow.type == "openai" && !got.answer.id_token.empty()) {
        // The ChatGPT account the token belongs to (SPEC §7).
        if (auto id = oauth::chatgpt_account_id(got.answer.id_token))
          got.account_id = *id;
      }
      auto create = [ctx, done, fail_flow](oauth_flow f, obtained g) {
        create_account(ctx, f, std::move(g),
                       [ctx, done, fail_flow, f](expected<oauth_flow> made) {
                         if (!made) {
                           fail_flow(f, made.error().message);
                           return;
                         }
                         runtime(*ctx).flows.finish(made->id, "complete", "",
                                                    made->provider_id,
                                                    made->provider_name);
                         made->status = "complete";
                         done(std::move(*made));
                       });
      };
      if (flow.type != "gemini") {
        create(std::move(flow), std::move(got));
        return;
      }
      auto token = got.answer.access_token;
      std::make_shared<project_discovery>(
        ctx, token,
        [flow, got, create, fail_flow](expected<std::string> project) mutable {
          if (!project) {
            fail_flow(std::move(flow), project.error().message);
            return;
          }
          got.project_id = std::move(*project);
          create(std::move(flow), std::move(got));
        })
        ->start();
    });
}

// -- the callback listener ----------------------------------------------------

/// Stops listeners no pending flow waits on (and releases those stopped at
/// the previous sweep: never inside their own handler).
void sweep_listeners(oauth_runtime& rt) {
  std::vector<std::shared_ptr<http_server>> release;
  std::lock_guard guard{rt.mutex};
  release.swap(rt.retired);
  auto now = clock::now_ms();
  for (auto it = rt.listeners.begin(); it != rt.listeners.end();) {
    if (rt.flows.pending_on_port(it->first, now) == 0) {
      it->second->stop_accepting();
      rt.retired.push_back(std::move(it->second));
      it = rt.listeners.erase(it);
    } else {
      ++it;
    }
  }
}

class callback_handler final : public request_handler {
public:
  explicit callback_handler(std::weak_ptr<app_context> ctx)
    : ctx_(std::move(ctx)) {}

  void handle(http_request req, sink_ptr sink) override {
    auto respond = respond_via(sink);
    auto ctx = ctx_.lock();
    if (!ctx || req.method != "GET") {
      respond(callback_page(404, "Not found", "Nothing is served here."));
      return;
    }
    if (req.path == "/ping") {
      http_response res;
      res.content_type = "text/plain";
      res.body = "ok";
      respond(std::move(res));
      return;
    }
    auto parts = oauth::read_redirect("?" + req.query);
    auto state = query_param(req.query, "state").value_or("");
    auto& rt = runtime(*ctx);
    auto flow = rt.flows.by_state(state, clock::now_ms());
    if (!flow || state.empty()) {
      respond(callback_page(400, "Login not recognised",
                            "This login is unknown or expired. Start it "
                            "again from the dashboard or the CLI."));
      return;
    }
    const auto* facts = oauth::facts_for(flow->type);
    if (facts == nullptr || req.path != facts->callback_path) {
      respond(callback_page(404, "Not found", "Nothing is served here."));
      return;
    }
    if (parts && !parts->error.empty()) {
      rt.flows.finish(flow->id, "error", "the provider said: " + parts->error);
      respond(callback_page(400, "Login failed",
                            "The provider said: " + parts->error));
      sweep_listeners(rt);
      return;
    }
    if (!parts) {
      respond(callback_page(400, "Login failed", parts.error().message));
      return;
    }
    std::string why;
    if (!rt.flows.claim(flow->id, clock::now_ms(), why)) {
      respond(callback_page(409, "Login already handled", why));
      return;
    }
    complete_flow(ctx, *flow, parts->code, [ctx, respond](oauth_flow f) {
      if (f.status == "complete")
        respond(callback_page(200, "Connected",
                              "The account " + f.provider_name
                                + " was added to OpenHinge. You can close "
                                  "this window."));
      else if (f.status == "pending")
        respond(callback_page(400, "Login failed",
                              "The provider refused the code (" + f.error
                                + "). Start the login again."));
      else
        respond(callback_page(500, "Login failed", f.error));
      sweep_listeners(runtime(*ctx));
    });
  }

private:
  std::weak_ptr<app_context> ctx_;
};

/// Starts (or reuses) the listener on `port`; false when it cannot bind
/// (the paste path still works).
bool ensure_listener(const std::shared_ptr<app_context>& ctx, uint16_t port) {
  auto& rt = runtime(*ctx);
  std::lock_guard guard{rt.mutex};
  if (rt.listeners.contains(port))
    return true;
  if (rt.io == nullptr)
    return false;
  server_options options;
  options.host = "127.0.0.1";
  options.port = port;
  options.max_body_bytes = 4096;
  options.max_connections = 64;
  auto server = http_server::start(*rt.io, options,
                                   std::make_shared<callback_handler>(ctx));
  if (!server) {
    OH_WARN("the login callback listener cannot listen on 127.0.0.1:{}: {}",
            port, server.error().message);
    return false;
  }
  rt.listeners.emplace(port, std::move(*server));
  // The listener's life ends with its logins' (5 minutes) even when no one
  // asks about them again.
  auto timer = std::make_shared<boost::asio::steady_timer>(rt.io->context());
  timer->expires_after(std::chrono::milliseconds(oauth_flow_book::lifetime_ms)
                       + std::chrono::seconds(1));
  std::weak_ptr<app_context> weak = ctx;
  timer->async_wait([timer, weak](boost::system::error_code ec) {
    if (ec)
      return;
    if (auto alive = weak.lock(); alive && alive->oauth)
      sweep_listeners(*alive->oauth);
  });
  return true;
}

// -- the admin routes ---------------------------------------------------------

std::string flow_answer(const oauth_flow& f, std::string_view auth_url) {
  auto json = oauth_flow_book::to_json(f);
  json.pop_back();
  json += ",\"auth_url\":";
  json::append_quoted(json, auth_url);
  json += ",\"message\":";
  json::append_quoted(
    json,
    "Open the URL in a browser and log in. "
      + std::string{f.listening ? "If that browser runs on another machine, "
                                  "paste the address it ends on into "
                                  "POST /admin/providers/auth/complete."
                                : "Then paste the address the browser ends on "
                                  "into POST /admin/providers/auth/complete."});
  return json + "}";
}

void start(const std::shared_ptr<app_context>& ctx, const http_request& req,
           const admin_principal& who, const done_fn& respond) {
  auto body = admin::body_object(req.body);
  if (!body) {
    respond(admin_error(body.error()));
    return;
  }
  admin::fields f{*body};
  f.only({"type", "provider_type", "name", "priority", "method"});
  auto type
    = json::get_string(*body, "type")
        .value_or(json::get_string(*body, "provider_type").value_or(""));
  const auto* facts = oauth::facts_for(type);
  if (facts == nullptr) {
    respond(admin_error(
      fail(errc::invalid_value,
           "type: browser login exists for claude, openai and gemini accounts",
           "type")));
    return;
  }
  if (type == "gemini" && !env("GEMINI_OAUTH_CLIENT_ID")) {
    respond(admin_error(
      fail(errc::invalid_value,
           "type: a Google login needs GEMINI_OAUTH_CLIENT_ID (and "
           "GEMINI_OAUTH_CLIENT_SECRET) in the gateway's environment: the "
           "Gemini CLI's installed-app client; or import gcloud's login",
           "type")));
    return;
  }
  (void)f.string("name", 200); // checked: a string of at most 200 bytes
  auto priority = f.integer("priority", -1'000'000, 1'000'000);
  if (f.error()) {
    respond(admin_error(*f.error()));
    return;
  }
  auto& rt = runtime(*ctx);
  auto now = clock::now_ms();
  auto pkce = oauth::make_pkce();
  oauth_flow flow;
  flow.id = crypto::new_id();
  flow.type = type;
  flow.name = json::get_string(*body, "name").value_or("");
  flow.priority = priority && *priority ? **priority : 50;
  flow.state = oauth::new_state();
  flow.verifier = pkce.verifier;
  auto secrets = secrets_for(rt, *facts);
  flow.redirect_uri = secrets.redirect_uri.empty()
                        ? std::string{facts->redirect_uri}
                        : secrets.redirect_uri;
  flow.callback_port = port_for(rt, *facts);
  flow.actor = who.actor;
  flow.created_ms = now;
  flow.expires_ms = now + oauth_flow_book::lifetime_ms;
  auto url = oauth::authorize_url(*facts, flow.state, pkce.challenge, secrets,
                                  rt.endpoint_base);
  rt.flows.add(flow);
  flow.listening = ensure_listener(ctx, flow.callback_port);
  rt.flows.set_listening(flow.id, flow.listening);
  respond(json_answer(200, flow_answer(flow, url)));
}

void complete(const std::shared_ptr<app_context>& ctx, const http_request& req,
              const done_fn& respond) {
  auto body = admin::body_object(req.body);
  if (!body) {
    respond(admin_error(body.error()));
    return;
  }
  admin::fields f{*body};
  f.only({"flow_id", "redirect_url", "code"});
  f.require("flow_id");
  if (f.error()) {
    respond(admin_error(*f.error()));
    return;
  }
  auto id = json::get_string(*body, "flow_id").value_or("");
  auto pasted = json::get_string(*body, "redirect_url")
                  .value_or(json::get_string(*body, "code").value_or(""));
  if (pasted.empty()) {
    respond(admin_error(fail(errc::missing_field,
                             "redirect_url: paste the address the browser "
                             "ended on (or the code it shows)",
                             "redirect_url")));
    return;
  }
  auto& rt = runtime(*ctx);
  auto now = clock::now_ms();
  auto flow = rt.flows.get(id, now);
  if (!flow) {
    respond(
      admin_error(fail(errc::not_found, "flow_id: no login " + clip_echo(id))));
    return;
  }
  auto parts = oauth::read_redirect(pasted);
  if (!parts) {
    respond(admin_error(fail(errc::invalid_value,
                             "redirect_url: " + parts.error().message,
                             "redirect_url")));
    return;
  }
  if (!parts->error.empty()) {
    rt.flows.finish(flow->id, "error", "the provider said: " + parts->error);
    respond(admin_error(
      fail(errc::invalid_value,
           "redirect_url: the provider said: " + clip_echo(parts->error),
           "redirect_url")));
    return;
  }
  if (!parts->state.empty()
      && !crypto::constant_time_equal(parts->state, flow->state)) {
    respond(admin_error(fail(errc::invalid_value,
                             "redirect_url: its state belongs to another "
                             "login; paste the address of this one",
                             "redirect_url")));
    return;
  }
  std::string why;
  if (!rt.flows.claim(flow->id, now, why)) {
    auto f2 = fail(errc::invalid_value, "flow_id: " + why, "flow_id");
    respond(admin_error(f2));
    return;
  }
  complete_flow(ctx, *flow, parts->code, [ctx, respond](oauth_flow done) {
    sweep_listeners(runtime(*ctx));
    if (done.status == "pending") {
      respond(admin_error(
        fail(errc::invalid_value,
             "redirect_url: the provider refused the code (" + done.error
               + "); paste the address again, or start the login again",
             "redirect_url")));
      return;
    }
    if (done.status != "complete") {
      respond(
        admin_error(fail(errc::upstream_failed,
                         "the login could not be completed: " + done.error)));
      return;
    }
    respond(json_answer(201, oauth_flow_book::to_json(done)));
  });
}

void cancel(const std::shared_ptr<app_context>& ctx, const http_request& req,
            const done_fn& respond) {
  auto body = admin::body_object(req.body);
  if (!body) {
    respond(admin_error(body.error()));
    return;
  }
  auto id = json::get_string(*body, "flow_id").value_or("");
  if (id.empty()) {
    respond(admin_error(
      fail(errc::missing_field, "flow_id: is required", "flow_id")));
    return;
  }
  auto& rt = runtime(*ctx);
  auto now = clock::now_ms();
  if (!rt.flows.get(id, now)) {
    respond(
      admin_error(fail(errc::not_found, "flow_id: no login " + clip_echo(id))));
    return;
  }
  if (!rt.flows.cancel(id, now)) {
    respond(admin_error(fail(errc::invalid_value,
                             "flow_id: the login is not waiting any more",
                             "flow_id")));
    return;
  }
  sweep_listeners(rt);
  respond(json_answer(200, oauth_flow_book::to_json(*rt.flows.get(id, now))));
}

void status(const std::shared_ptr<app_context>& ctx, const http_request& req,
            const done_fn& respond) {
  auto& rt = runtime(*ctx);
  auto now = clock::now_ms();
  sweep_listeners(rt);
  auto id = query_param(req.query, "flow_id");
  auto flow = id ? rt.flows.get(*id, now) : rt.flows.latest(now);
  if (!flow) {
    respond(admin_error(
      fail(errc::not_found, id ? "flow_id: no login " + clip_echo(*id)
                               : std::string{"no login was started"})));
    return;
  }
  respond(json_answer(200, oauth_flow_book::to_json(*flow)));
}

/// POST /admin/providers/claude-oauth: a pasted Claude subscription token
/// (e.g. from `claude setup-token`); without a refresh token it is a static
/// bearer that turns degraded at its expiry (SPEC §7).
void claude_oauth(const std::shared_ptr<app_context>& ctx, http_request req,
                  const admin_principal& who, const done_fn& respond) {
  auto body = admin::body_object(req.body);
  if (!body) {
    respond(admin_error(body.error()));
    return;
  }
  admin::fields f{*body};
  f.only({"access_token", "oauth_token", "token", "refresh_token", "expires_at",
          "name", "priority", "base_url"});
  if (f.error()) {
    respond(admin_error(*f.error()));
    return;
  }
  std::string token;
  for (auto* name : {"access_token", "oauth_token", "token"})
    if (token.empty())
      token = json::get_string(*body, name).value_or("");
  if (token.empty()) {
    respond(admin_error(fail(errc::missing_field,
                             "access_token: the subscription token is "
                             "required",
                             "access_token")));
    return;
  }
  json::document create;
  create.SetObject();
  auto& a = create.GetAllocator();
  auto str = [&](const std::string& v) {
    return json::value{v.c_str(), a};
  };
  create.AddMember(
    "name",
    str(json::get_string(*body, "name").value_or("Claude (Subscription)")), a);
  create.AddMember("type", "claude", a);
  create.AddMember("auth_mode", "oauth", a);
  if (auto* p = json::find(*body, "priority"); p && p->IsInt64())
    create.AddMember("priority", json::value{p->GetInt64()}, a);
  if (auto base = json::get_string(*body, "base_url"))
    create.AddMember("base_url", str(*base), a);
  json::value creds{rapidjson::kObjectType};
  creds.AddMember("oauth_token", str(token), a);
  if (auto r = json::get_string(*body, "refresh_token"); r && !r->empty()) {
    creds.AddMember("refresh_token", str(*r), a);
    creds.AddMember("client_id",
                    str(std::string{oauth::facts_for("claude")->client_id}), a);
  }
  if (auto* e = json::find(*body, "expires_at"); e && !e->IsNull())
    creds.AddMember("expires_at", json::value{*e, a}, a);
  create.AddMember("credentials", creds, a);
  req.body = json::to_string(create);
  req.method = "POST";
  route_result route;
  route.kind = route_result::outcome::found;
  route.id = route_id::admin_providers;
  handle_admin(ctx, route, std::move(req), who, respond);
}

} // namespace

void add_code_assist_project(const std::shared_ptr<app_context>& ctx,
                             std::string create_body,
                             std::function<void(expected<std::string>)> done) {
  auto body = json::parse(create_body);
  if (!body || !body->IsObject()
      || json::get_string(*body, "type").value_or("") != "gemini"
      || json::get_string(*body, "auth_mode").value_or("api_key")
           == "api_key") {
    done(std::move(create_body));
    return;
  }
  auto* creds = json::find(*body, "credentials");
  if (creds == nullptr || !creds->IsObject()
      || json::get_string(*creds, "project_id")) {
    done(std::move(create_body));
    return;
  }
  if (!ctx->oauth || !ctx->services || !ctx->services->upstream) {
    done(fail(errc::internal, "logins are not available in this process"));
    return;
  }
  // The tokens: in the body (copy) or in the file it names (borrowed).
  auto refresh = json::get_string(*creds, "refresh_token").value_or("");
  auto client_id = json::get_string(*creds, "client_id").value_or("");
  auto client_secret = json::get_string(*creds, "client_secret").value_or("");
  if (refresh.empty()) {
    auto path = json::get_string(*creds, "source_path").value_or("");
    auto text = data_dir::read_small_file(path);
    auto parsed
      = text ? oauth::parse_cli_file(oauth::cli_source::gcloud_adc, *text)
             : expected<oauth::token_set>{text.error()};
    if (!parsed) {
      done(fail(errc::invalid_value,
                "source: the gcloud login cannot be read: "
                  + parsed.error().message,
                "source"));
      return;
    }
    refresh = parsed->refresh_token;
    client_id = parsed->client_id;
    client_secret = parsed->client_secret;
  }
  auto call = oauth::refresh_call("gemini", refresh, client_id, client_secret,
                                  runtime(*ctx).endpoint_base);
  auto shared = std::make_shared<json::document>(std::move(*body));
  oauth::call_token_endpoint(
    *ctx->services->upstream, call,
    [ctx, shared, done](expected<oauth::token_answer> answer) {
      if (!answer) {
        done(fail(errc::invalid_value,
                  "source: the gcloud login could not be refreshed: "
                    + answer.error().message,
                  "source"));
        return;
      }
      std::make_shared<project_discovery>(
        ctx, answer->access_token,
        [shared, done](expected<std::string> project) {
          if (!project) {
            done(fail(errc::invalid_value,
                      "project_id: " + project.error().message
                        + " (or give project_id)",
                      "project_id"));
            return;
          }
          auto& doc = *shared;
          auto& a = doc.GetAllocator();
          doc["credentials"].AddMember("project_id",
                                       json::value{project->c_str(), a}, a);
          done(json::to_string(doc));
        })
        ->start();
    });
}

bool is_oauth_route(route_id id) {
  return id == route_id::admin_providers_auth_start
         || id == route_id::admin_providers_auth_complete
         || id == route_id::admin_providers_auth_cancel
         || id == route_id::admin_providers_auth_status
         || id == route_id::admin_providers_claude_oauth;
}

void handle_oauth(const std::shared_ptr<app_context>& ctx,
                  const route_result& route, http_request req,
                  const admin_principal& who, responder respond) {
  if (!ctx->oauth || !ctx->services || !ctx->services->upstream) {
    respond(admin_error(
      fail(errc::internal, "logins are not available in this process")));
    return;
  }
  switch (route.id) {
    case route_id::admin_providers_auth_start:
      start(ctx, req, who, respond);
      return;
    case route_id::admin_providers_auth_complete:
      complete(ctx, req, respond);
      return;
    case route_id::admin_providers_auth_cancel:
      cancel(ctx, req, respond);
      return;
    case route_id::admin_providers_auth_status:
      status(ctx, req, respond);
      return;
    default:
      claude_oauth(ctx, std::move(req), who, respond);
      return;
  }
}

} // namespace oh::http::handlers
