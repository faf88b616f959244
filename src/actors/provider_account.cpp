#include "actors/provider_account.hpp"

#include "core/json.hpp"
#include "providers/provider_types.hpp"

namespace oh::actors {

namespace {

uint32_t config_ms(const json::value& cfg, const char* name, uint32_t fallback) {
  auto* v = json::find(cfg, name);
  if (v != nullptr && v->IsUint() && v->GetUint() > 0)
    return v->GetUint();
  return fallback;
}

} // namespace

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

route make_route(const store::provider_record& r, const upstream_defaults& d,
                 const plan_request& req, soul_plan soul) {
  route out;
  out.ok = true;
  out.soul = std::move(soul);
  out.model = req.model.value_or("");
  out.account_id = r.id;
  out.account_name = r.name;
  out.account_type = r.type;
  auto* info = providers::find_type(r.type);
  out.base_url = r.base_url ? *r.base_url
                            : std::string{info ? info->default_base_url : ""};
  if (auto creds = json::parse(r.credentials_json); creds && creds->IsObject())
    out.api_key = json::get_string(*creds, "api_key").value_or("");
  json::document cfg;
  if (auto parsed = json::parse(r.config_json); parsed && parsed->IsObject())
    cfg = std::move(*parsed);
  else
    cfg.SetObject();
  out.connect_timeout_ms = config_ms(cfg, "connect_timeout_ms", d.connect_timeout_ms);
  out.timeout_ms = config_ms(cfg, "timeout_ms", d.timeout_ms);
  out.stream_timeout_ms = config_ms(cfg, "stream_timeout_ms", d.stream_timeout_ms);
  out.idle_timeout_ms = config_ms(cfg, "idle_timeout_ms", d.idle_timeout_ms);
  out.max_stream_ms = config_ms(cfg, "max_stream_ms", d.max_stream_ms);
  // Subscriptions cost nothing per request unless billed as metered (SPEC §8).
  auto billing = json::get_string(cfg, "billing");
  out.metered = r.auth_mode == "api_key" ? billing.value_or("metered") == "metered"
                                         : billing.value_or("") == "metered";
  return out;
}

provider_account_actor::behavior_type provider_account(
  provider_account_actor::stateful_pointer<provider_account_state> self,
  store::provider_record record, upstream_defaults defaults) {
  self->state.record = std::move(record);
  self->state.defaults = defaults;
  return {
    [=](update_atom, store::provider_record& next) {
      self->state.record = std::move(next);
    },
    [=](lease_atom, const plan_request& req, soul_plan& soul) -> route {
      auto& st = self->state;
      if (!st.record.is_enabled) {
        route r;
        r.error = failure{errc::no_providers,
                          "provider account " + st.record.name
                            + " is disabled",
                          ""};
        r.soul = std::move(soul);
        return r;
      }
      st.in_flight += 1;
      return make_route(st.record, st.defaults, req, std::move(soul));
    },
    [=](outcome_atom, bool ok) {
      auto& st = self->state;
      if (st.in_flight > 0)
        st.in_flight -= 1;
      (ok ? st.served : st.failed) += 1;
    },
    [=](status_atom) -> std::string {
      // Never the credentials: only which account and its counters.
      auto& st = self->state;
      auto& r = st.record;
      std::string out = "{\"id\":";
      json::append_quoted(out, r.id);
      out += ",\"name\":";
      json::append_quoted(out, r.name);
      out += ",\"type\":";
      json::append_quoted(out, r.type);
      out += ",\"health\":";
      json::append_quoted(out, r.health_status);
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
