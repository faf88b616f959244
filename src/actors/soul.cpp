#include "actors/soul.hpp"

#include <algorithm>

#include "actors/introspection.hpp"
#include "core/json.hpp"

namespace oh::actors {

soul_plan make_soul_plan(const store::soul_record& r) {
  soul_plan p;
  p.has_soul = true;
  p.soul_id = r.id;
  p.slug = r.slug;
  p.name = r.name;
  p.version = r.version;
  p.system_prompt = r.system_prompt;
  p.temperature = r.temperature;
  p.max_tokens = r.max_tokens;
  p.model = r.model;
  p.response_schema = r.response_schema;
  if (r.provider_id)
    p.chain.push_back(*r.provider_id);
  for (auto& id : r.fallback_chain)
    if (std::find(p.chain.begin(), p.chain.end(), id) == p.chain.end())
      p.chain.push_back(id);
  p.strict = r.strict_chain;
  return p;
}

soul_actor::behavior_type soul(soul_actor::stateful_pointer<soul_state> self,
                               store::soul_record record,
                               selector_actor selector) {
  self->state.record = std::move(record);
  self->state.selector = std::move(selector);
  return {
    [=](plan_atom, plan_request& req) -> caf::delegated<route> {
      ++self->state.handled;
      // Delegation: the selector (and then the account) answer the request
      // actor directly, one chain instead of round trips.
      return self->delegate(self->state.selector, pick_atom::value,
                            std::move(req), make_soul_plan(self->state.record));
    },
    [=](update_atom, store::soul_record& next) {
      ++self->state.handled;
      self->state.record = std::move(next);
    },
    [=](status_atom) -> std::string {
      auto& r = self->state.record;
      std::string out
        = "{" + mailbox_fields(self, self->state.handled) + ",\"id\":";
      json::append_quoted(out, r.id);
      out += ",\"slug\":";
      json::append_quoted(out, r.slug);
      out += ",\"version\":" + std::to_string(r.version);
      out += ",\"enabled\":";
      out += r.is_enabled ? "true}" : "false}";
      return out;
    },
  };
}

} // namespace oh::actors
