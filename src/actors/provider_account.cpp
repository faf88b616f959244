#include "actors/provider_account.hpp"

#include "core/json.hpp"

namespace oh::actors {

provider_account_actor::behavior_type provider_account(
  provider_account_actor::stateful_pointer<provider_account_state> self,
  store::provider_record record) {
  self->state.record = std::move(record);
  return {
    [=](update_atom, store::provider_record& next) {
      self->state.record = std::move(next);
    },
    [=](status_atom) -> std::string {
      // Never the credentials: only which account and its health.
      auto& r = self->state.record;
      std::string out = "{\"id\":";
      json::append_quoted(out, r.id);
      out += ",\"name\":";
      json::append_quoted(out, r.name);
      out += ",\"type\":";
      json::append_quoted(out, r.type);
      out += ",\"health\":";
      json::append_quoted(out, r.health_status);
      out += ",\"enabled\":";
      out += r.is_enabled ? "true}" : "false}";
      return out;
    },
  };
}

} // namespace oh::actors
