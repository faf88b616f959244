#include "actors/provider_account.hpp"

#include <chrono>

#include <caf/send.hpp>

#include "actors/account_tokens.hpp"
#include "actors/introspection.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/logging.hpp"
#include "providers/listing_probe.hpp"
#include "providers/provider_types.hpp"
#include "providers/upstream_client.hpp"
#include "store/providers_repo.hpp"

namespace oh::actors {

namespace {

using self_ptr
  = provider_account_actor::stateful_pointer<provider_account_state>;

/// Default time an account stays limited after a 429 without a reset hint.
constexpr int64_t default_limited_ms = 30'000;

uint32_t config_ms(const json::value& cfg, const char* name,
                   uint32_t fallback) {
  auto* v = json::find(cfg, name);
  if (v != nullptr && v->IsUint() && v->GetUint() > 0)
    return v->GetUint();
  return fallback;
}

int64_t now_ms(self_ptr self) {
  // The actor clock, so deterministic tests can move time: a steady clock
  // (its epoch is the boot), never shown as a date without conversion.
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           self->clock().now().time_since_epoch())
    .count();
}

/// Writes the account's health where the selector, admin API and /metrics
/// read it, and persists a changed status for display.
void publish(self_ptr self) {
  auto& st = self->state;
  auto now = now_ms(self);
  account_tokens::assess(st, account_tokens::wall_now(st));
  auto status = health_status(st, now);
  if (auto& cell = st.env.cell) {
    cell->in_flight = st.in_flight;
    cell->circuit = static_cast<uint8_t>(st.breaker.state(now));
    cell->open_until_ms = st.breaker.open_until();
    cell->limited_until_ms
      = st.limited_until_ms > now ? st.limited_until_ms : 0;
    // The text part changes with probes and failures, not with every lease:
    // written (and copied) only when it differs from what readers have.
    auto& t = st.published;
    // A credential that cannot serve says why where people look.
    std::optional<std::string> error = st.last_error;
    if (!st.token_problem.empty())
      error = st.token_problem;
    if (!st.published_once || t.status != status
        || t.last_check != st.last_check || t.last_error != error
        || t.latency_ms != st.latency_ms
        || t.failures != st.breaker.consecutive_failures()) {
      t.status = status;
      t.last_check = st.last_check;
      t.last_error = error;
      t.latency_ms = st.latency_ms;
      t.failures = st.breaker.consecutive_failures();
      st.published_once = true;
      cell->write(t);
    }
  }
  if (status != st.persisted_status && st.env.store) {
    st.persisted_status = status;
    auto id = st.record.id;
    auto when = st.last_check;
    store_job job = [id, status, when](store_context& ctx) {
      store::providers_repo{ctx.db, ctx.vault}.set_health(id, status, when);
      return admin_reply{};
    };
    // Fire and forget: the reply is of no use here.
    caf::anon_send(st.env.store, run_atom::value, std::move(job));
  }
}

/// Keeps the model list a probe found, persists it and tells the registry
/// when it changed (SPEC §5.7: the listing is cached in the account).
void note_models(self_ptr self, const std::vector<std::string>& models) {
  auto& st = self->state;
  std::string list = "[";
  for (auto& m : models) {
    if (list.size() > 1)
      list += ",";
    json::append_quoted(list, m);
  }
  list += "]";
  if (list == st.record.models_json)
    return;
  st.record.models_json = list;
  if (st.env.store) {
    store_job job = [id = st.record.id, list](store_context& ctx) {
      store::providers_repo{ctx.db, ctx.vault}.set_models(id, list);
      return admin_reply{};
    };
    caf::anon_send(st.env.store, run_atom::value, std::move(job));
  }
  if (st.env.on_models)
    st.env.on_models(st.record.id, list);
}

void probe(self_ptr self) {
  auto& st = self->state;
  if (st.env.upstream == nullptr || st.probing)
    return;
  auto* info = providers::find_type(st.record.type);
  providers::listing_target target;
  target.type = st.record.type;
  target.base_url = st.record.base_url
                      ? *st.record.base_url
                      : std::string{info ? info->default_base_url : ""};
  if (st.subscription) {
    std::string reason;
    switch (account_tokens::check(self, account_tokens::wall_now(st), reason)) {
      case account_tokens::gate::wait:
        // Probe with the refreshed token (resume_waiting runs it).
        st.probe_after_refresh = true;
        account_tokens::start_refresh(self);
        return;
      case account_tokens::gate::refuse: {
        // Nothing to probe with: the credential's own problem is the verdict.
        providers::listing_outcome r;
        r.error = reason;
        st.probing = true;
        caf::anon_send(provider_account_actor{self}, probed_atom::value,
                       std::move(r));
        return;
      }
      case account_tokens::gate::serve:
        break;
    }
    target.base_url = st.base_route.base_url;
    target.subscription = true;
    target.access_token = st.credential.tokens.access_token;
  } else if (auto creds = json::parse(st.record.credentials_json);
             creds && creds->IsObject()) {
    target.api_key = json::get_string(*creds, "api_key").value_or("");
  }
  target.connect_timeout_ms = st.env.defaults.connect_timeout_ms;
  st.probing = true;
  provider_account_actor me = self;
  providers::run_listing_probe(
    *st.env.upstream, target, [me](providers::listing_outcome r) {
      caf::anon_send(me, probed_atom::value, std::move(r));
    });
}

/// A probe's result as the admin API answers it.
std::string probe_answer(self_ptr self, const probe_report* r) {
  auto& st = self->state;
  std::string out = "{\"id\":";
  json::append_quoted(out, st.record.id);
  out += ",\"name\":";
  json::append_quoted(out, st.record.name);
  out += ",\"status\":";
  json::append_quoted(out, health_status(st, now_ms(self)));
  out += ",\"latency_ms\":";
  out += r ? std::to_string(r->latency_ms) : "null";
  if (r == nullptr) {
    out += ",\"message\":\"health probes are off for this gateway\"";
  } else if (!r->ok) {
    out += ",\"message\":";
    json::append_quoted(out, r->error);
  }
  out += ",\"models\":";
  out += r ? std::to_string(r->models.size()) : "0";
  return out + "}";
}

/// The lease checks (enabled, limited, circuit, credential); true with the
/// route in `out` (a refusal or a lease), false when it must wait for the
/// token refresh.
bool lease_into(self_ptr self, const plan_request& req, soul_plan& soul,
                route& out) {
  auto& st = self->state;
  auto now = now_ms(self);
  route refused;
  refused.soul = std::move(soul);
  refused.account_id = st.record.id;
  refused.account_name = st.record.name;
  auto refuse = [&](failure f, int64_t retry_after_ms) {
    refused.skip = true;
    refused.retry_after_ms = retry_after_ms;
    refused.error = std::move(f);
    out = std::move(refused);
    return true;
  };
  if (!st.record.is_enabled)
    return refuse(
      failure{errc::no_providers, st.record.name + " is disabled", ""}, 0);
  if (st.limited_until_ms > now)
    return refuse(failure{errc::no_providers,
                          st.record.name + " is rate-limited upstream", ""},
                  st.limited_until_ms - now);
  if (!st.breaker.allow(now))
    return refuse(
      failure{errc::no_providers, st.record.name + ": circuit open", ""},
      std::max<int64_t>(0, st.breaker.open_until() - now));
  if (st.subscription) {
    std::string reason;
    switch (account_tokens::check(self, account_tokens::wall_now(st), reason)) {
      case account_tokens::gate::serve:
        break;
      case account_tokens::gate::wait:
        soul = std::move(refused.soul);
        return false;
      case account_tokens::gate::refuse:
        // Never an empty or dead credential upstream (SPEC §7).
        publish(self);
        return refuse(
          failure{errc::no_providers, st.record.name + ": " + reason, ""}, 0);
    }
  }
  st.in_flight += 1;
  publish(self);
  out = complete_route(st.base_route, req, std::move(refused.soul));
  return true;
}

/// Parks a lease until the refresh ends (starting it if none runs).
caf::typed_response_promise<route>
wait_for_refresh(self_ptr self, const plan_request& req, soul_plan soul,
                 uint64_t min_generation = 0) {
  auto rp = self->make_response_promise<route>();
  self->state.waiting.push_back(
    waiting_lease{rp, req, std::move(soul), min_generation});
  account_tokens::start_refresh(self);
  return rp;
}

} // namespace

void resume_waiting(account_tokens::self_ptr self) {
  auto waiting = std::move(self->state.waiting);
  self->state.waiting.clear();
  auto& st = self->state;
  for (auto& w : waiting) {
    if (!st.refreshing && st.token_generation < w.min_generation) {
      // The refresh after a 401 failed: the refused token is not handed out
      // again. The old lease stays counted; the request's outcome ends it.
      st.in_flight += 1;
      route refused;
      refused.soul = std::move(w.soul);
      refused.account_id = st.record.id;
      refused.account_name = st.record.name;
      refused.error = failure{errc::upstream_failed,
                              st.record.name
                                + ": the provider refused the token and its "
                                  "refresh failed: "
                                + st.refresh_error,
                              ""};
      w.rp.deliver(std::move(refused));
      publish(self); // the selector reads in_flight from the cell
      continue;
    }
    route out;
    if (lease_into(self, w.req, w.soul, out))
      w.rp.deliver(std::move(out));
    else
      self->state.waiting.push_back(std::move(w));
  }
  if (!self->state.waiting.empty())
    account_tokens::start_refresh(self);
  if (self->state.probe_after_refresh && !self->state.refreshing) {
    self->state.probe_after_refresh = false;
    probe(self);
  }
}

void publish_account(account_tokens::self_ptr self) {
  publish(self);
}

account_info make_account_info(const store::provider_record& r) {
  account_info a;
  a.id = r.id;
  a.name = r.name;
  a.type = r.type;
  a.enabled = r.is_enabled;
  a.priority = r.priority;
  if (auto models = json::parse(r.models_json); models && models->IsArray())
    for (auto& m : models->GetArray())
      if (m.IsString())
        a.models.emplace_back(m.GetString());
  if (auto cfg = json::parse(r.config_json); cfg && cfg->IsObject())
    a.default_model = json::get_string(*cfg, "default_model");
  return a;
}

route route_template(const store::provider_record& r,
                     const upstream_defaults& d,
                     const providers::oauth::account_credential* cred) {
  route out;
  out.ok = true;
  out.account_id = r.id;
  out.account_name = r.name;
  out.account_type = r.type;
  out.subscription = r.auth_mode != "api_key";
  auto* info = providers::find_type(r.type);
  std::string default_base{info ? info->default_base_url : ""};
  if (out.subscription)
    default_base = std::string{providers::subscription_base_url(r.type)};
  out.base_url = r.base_url ? *r.base_url : default_base;
  auto secrets = std::make_shared<std::vector<std::string>>();
  if (auto creds = json::parse(r.credentials_json);
      creds && creds->IsObject()) {
    if (!out.subscription)
      out.api_key = json::get_string(*creds, "api_key").value_or("");
    for (auto& m : creds->GetObject())
      if (m.value.IsString() && m.value.GetStringLength() > 0)
        secrets->emplace_back(m.value.GetString(), m.value.GetStringLength());
  }
  if (out.subscription) {
    providers::oauth::account_credential own;
    if (cred == nullptr) {
      own = providers::oauth::read_account_credential(r.type, r.auth_mode,
                                                      r.credentials_json);
      cred = &own;
    }
    auto& t = cred->tokens;
    out.access_token = t.access_token;
    out.chatgpt_account_id = t.account_id;
    out.project_id = t.project_id;
    // A borrowed file's tokens are secrets the record does not hold.
    for (auto* v :
         {&t.access_token, &t.refresh_token, &t.id_token, &t.client_secret})
      if (!v->empty())
        secrets->push_back(*v);
  }
  out.secrets = std::move(secrets);
  json::document cfg;
  if (auto parsed = json::parse(r.config_json); parsed && parsed->IsObject())
    cfg = std::move(*parsed);
  else
    cfg.SetObject();
  out.system_user_merge
    = json::get_string(cfg, "system_mode").value_or("") == "user_merge";
  out.connect_timeout_ms
    = config_ms(cfg, "connect_timeout_ms", d.connect_timeout_ms);
  out.timeout_ms = config_ms(cfg, "timeout_ms", d.timeout_ms);
  out.stream_timeout_ms
    = config_ms(cfg, "stream_timeout_ms", d.stream_timeout_ms);
  out.idle_timeout_ms = config_ms(cfg, "idle_timeout_ms", d.idle_timeout_ms);
  out.max_stream_ms = config_ms(cfg, "max_stream_ms", d.max_stream_ms);
  // Subscriptions cost nothing per request unless billed as metered (SPEC §8).
  auto billing = json::get_string(cfg, "billing");
  out.metered = r.auth_mode == "api_key"
                  ? billing.value_or("metered") == "metered"
                  : billing.value_or("") == "metered";
  return out;
}

route make_route(const store::provider_record& r, const upstream_defaults& d,
                 const plan_request& req, soul_plan soul) {
  return complete_route(route_template(r, d), req, std::move(soul));
}

route complete_route(route base, const plan_request& req, soul_plan soul) {
  base.soul = std::move(soul);
  base.model = req.model.value_or("");
  return base;
}

std::string health_status(const provider_account_state& st, int64_t now_ms) {
  auto circuit = st.breaker.state(now_ms);
  if (circuit == circuit_state::open)
    return "down";
  if (!st.token_problem.empty())
    return st.token_down ? "down" : "degraded";
  if (circuit == circuit_state::half_open || st.limited_until_ms > now_ms)
    return "degraded";
  if (!st.last_ok)
    return "unknown";
  return *st.last_ok ? "healthy" : "down";
}

void apply_outcome(provider_account_state& st, const outcome_report& r,
                   int64_t now_ms) {
  if (st.in_flight > 0)
    st.in_flight -= 1;
  switch (r.what) {
    case outcome_report::verdict::success:
      st.served += 1;
      st.breaker.on_success(now_ms);
      st.last_ok = true;
      break;
    case outcome_report::verdict::failure:
      st.failed += 1;
      st.breaker.on_failure(now_ms);
      st.last_ok = false;
      st.last_error = r.error;
      break;
    case outcome_report::verdict::limited:
      st.failed += 1;
      st.breaker.on_neutral();
      st.limited_until_ms
        = now_ms
          + (r.retry_after_ms > 0 ? r.retry_after_ms : default_limited_ms);
      st.last_error = r.error;
      break;
    case outcome_report::verdict::neutral:
      st.breaker.on_neutral();
      break;
  }
}

provider_account_actor::behavior_type provider_account(
  provider_account_actor::stateful_pointer<provider_account_state> self,
  store::provider_record record, account_env env) {
  auto& st = self->state;
  st.record = std::move(record);
  st.breaker = circuit_breaker{env.breaker_failures, env.breaker_cooldown_ms};
  st.env = std::move(env);
  st.base_route = route_template(st.record, st.env.defaults);
  account_tokens::load(self);
  st.persisted_status = st.record.health_status;
  st.last_check = st.record.last_health_check;
  publish(self);
  // A first probe at once: health and the model list without waiting for
  // the monitor's round.
  if (st.env.upstream != nullptr)
    self->send(self, check_atom::value);
  return {
    [=](update_atom, store::provider_record& next) {
      ++self->state.handled;
      auto status = self->state.record.health_status;
      // An admin change read before the probe's list was stored keeps the
      // list the account already has.
      if (next.models_json.empty() || next.models_json == "[]")
        next.models_json = self->state.record.models_json;
      self->state.record = std::move(next);
      self->state.record.health_status = status;
      // Rebuilds the route with the credential (a borrowed record holds no
      // token of its own).
      account_tokens::load(self);
      publish(self);
    },
    [=](lease_atom, const plan_request& req,
        soul_plan& soul) -> caf::result<route> {
      ++self->state.handled;
      route out;
      if (lease_into(self, req, soul, out))
        return out;
      return wait_for_refresh(self, req, std::move(soul));
    },
    [=](reauth_atom, const plan_request& req, soul_plan& soul,
        uint64_t generation) -> caf::result<route> {
      auto& st = self->state;
      ++st.handled;
      bool refreshable = false;
      bool newer = account_tokens::after_unauthorized(
        self, generation, account_tokens::wall_now(st), refreshable);
      if (newer || refreshable) {
        // The refused lease is over; a new one begins. (A refusal keeps it:
        // the request reports its outcome, which ends it.)
        if (st.in_flight > 0)
          st.in_flight -= 1;
        route out;
        if (lease_into(self, req, soul, out))
          return out;
        return wait_for_refresh(self, req, std::move(soul),
                                newer ? 0 : generation + 1);
      }
      route refused;
      refused.soul = std::move(soul);
      refused.account_id = st.record.id;
      refused.account_name = st.record.name;
      refused.error = failure{errc::upstream_failed,
                              st.record.name
                                + ": the provider refused the token and it "
                                  "cannot be refreshed here",
                              ""};
      publish(self);
      return refused;
    },
    [=](refreshed_atom, token_refresh_result& r) {
      ++self->state.handled;
      account_tokens::on_refreshed(self, std::move(r));
    },
    [=](outcome_atom, const outcome_report& r) {
      ++self->state.handled;
      apply_outcome(self->state, r, now_ms(self));
      publish(self);
    },
    [=](update_atom, const health_limits& limits) {
      auto& st = self->state;
      ++st.handled;
      st.breaker.set_limits(limits.breaker_failures,
                            limits.breaker_cooldown_ms);
      publish(self);
    },
    [=](check_atom) {
      ++self->state.handled;
      probe(self);
    },
    [=](probe_atom) -> caf::typed_response_promise<std::string> {
      auto& st = self->state;
      ++st.handled;
      auto rp = self->make_response_promise<std::string>();
      if (st.env.upstream == nullptr) {
        rp.deliver(probe_answer(self, nullptr));
        return rp;
      }
      st.probe_waiters.push_back(rp);
      probe(self); // joins a probe already under way
      return rp;
    },
    [=](probed_atom, const probe_report& r) {
      auto& st = self->state;
      ++st.handled;
      st.probing = false;
      auto now = now_ms(self);
      st.last_check = clock::format_iso(clock::now_ms());
      st.latency_ms = r.latency_ms;
      st.last_ok = r.ok;
      if (r.ok) {
        st.breaker.on_success(now);
        st.last_error.reset();
        if (!r.models.empty())
          note_models(self, r.models);
      } else {
        st.breaker.on_failure(now);
        st.last_error = r.error;
        OH_WARN("health probe of {} failed: {}", st.record.name, r.error);
      }
      publish(self);
      if (!st.probe_waiters.empty()) {
        auto answer = probe_answer(self, &r);
        for (auto& rp : st.probe_waiters)
          rp.deliver(answer);
        st.probe_waiters.clear();
      }
    },
    [=](status_atom) -> std::string {
      // Never the credentials: only which account and its health.
      auto& st = self->state;
      auto now = now_ms(self);
      auto& r = st.record;
      std::string out = "{" + mailbox_fields(self, st.handled) + ",\"id\":";
      json::append_quoted(out, r.id);
      out += ",\"name\":";
      json::append_quoted(out, r.name);
      out += ",\"type\":";
      json::append_quoted(out, r.type);
      out += ",\"health\":";
      json::append_quoted(out, health_status(st, now));
      out += ",\"circuit\":";
      json::append_quoted(out, to_string(st.breaker.state(now)));
      out
        += ",\"failures\":" + std::to_string(st.breaker.consecutive_failures());
      out += ",\"limited_until\":";
      if (st.limited_until_ms > now)
        json::append_quoted(
          out, clock::format_iso_from_steady(st.limited_until_ms, now));
      else
        out += "null";
      out += ",\"auth_mode\":";
      json::append_quoted(out, r.auth_mode);
      out += ",\"token_expires_at\":";
      if (auto expiry = account_tokens::expiry_iso(st); !expiry.empty())
        json::append_quoted(out, expiry);
      else
        out += "null";
      out += ",\"refreshing\":";
      out += st.refreshing ? "true" : "false";
      out += ",\"waiting_for_token\":" + std::to_string(st.waiting.size());
      out += ",\"in_flight\":" + std::to_string(st.in_flight);
      out += ",\"served\":" + std::to_string(st.served);
      out += ",\"failed\":" + std::to_string(st.failed);
      out += ",\"enabled\":";
      out += r.is_enabled ? "true}" : "false}";
      return out;
    },
  };
}

} // namespace oh::actors
