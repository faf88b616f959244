#include "actors/api_key.hpp"

#include "core/json.hpp"

namespace oh::actors {

api_key_actor::behavior_type
api_key(api_key_actor::stateful_pointer<api_key_state> self,
        store::api_key_record record) {
  self->state.record = std::move(record);
  return {
    [=](update_atom, store::api_key_record& next) {
      self->state.record = std::move(next);
    },
    [=](status_atom) -> std::string {
      auto& r = self->state.record;
      std::string out = "{\"id\":";
      json::append_quoted(out, r.id);
      out += ",\"name\":";
      json::append_quoted(out, r.name);
      out += ",\"enabled\":";
      out += r.is_enabled ? "true" : "false";
      out += ",\"window_limit\":" + std::to_string(r.rate_limit_rpm);
      out += ",\"soul_ids\":" + std::to_string(r.soul_ids.size()) + "}";
      return out;
    },
  };
}

} // namespace oh::actors
