#include "actors/soul.hpp"

#include "core/json.hpp"

namespace oh::actors {

soul_actor::behavior_type soul(soul_actor::stateful_pointer<soul_state> self,
                               store::soul_record record) {
  self->state.record = std::move(record);
  return {
    [=](update_atom, store::soul_record& next) {
      self->state.record = std::move(next);
    },
    [=](status_atom) -> std::string {
      auto& r = self->state.record;
      std::string out = "{\"id\":";
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
