#include "actors/store.hpp"

#include "actors/introspection.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/logging.hpp"
#include "store/api_keys_repo.hpp"
#include "store/providers_repo.hpp"
#include "store/souls_repo.hpp"

namespace oh::actors {

store_actor::behavior_type
store(store_actor::stateful_pointer<store_state> self,
      std::shared_ptr<store::database> db, store::credential_vault vault) {
  self->state.db = std::move(db);
  self->state.vault.emplace(std::move(vault));
  return {
    [=](run_atom, store_job& job) -> admin_reply {
      ++self->state.handled;
      store_context ctx{*self->state.db, *self->state.vault};
      try {
        return job(ctx);
      } catch (const store::store_error& e) {
        OH_ERROR("store job failed: {}", e.what());
        admin_reply reply;
        reply.status = 500;
        reply.error = fail(errc::store_failure, "the store could not complete "
                                                "the operation");
        return reply;
      } catch (const std::exception& e) {
        OH_ERROR("store job threw: {}", e.what());
        admin_reply reply;
        reply.status = 500;
        reply.error = fail(errc::internal, "internal error");
        return reply;
      }
    },
    [=](status_atom) -> std::string {
      std::string out
        = "{" + mailbox_fields(self, self->state.handled) + ",\"db\":";
      json::append_quoted(out, self->state.db->path());
      return out + "}";
    },
    [=](load_atom) -> config_world {
      auto& db = *self->state.db;
      config_world world;
      world.providers = store::providers_repo{db, *self->state.vault}.list();
      world.souls = store::souls_repo{db}.list();
      world.api_keys = store::api_keys_repo{db}.list();
      auto today = clock::now_iso().substr(0, 10);
      auto month_start = today.substr(0, 8) + "01";
      store::api_keys_repo keys{db};
      for (auto& k : world.api_keys) {
        auto spend = keys.spend_micros(k.id, today, month_start);
        world.key_spend.emplace_back(k.id, spend.first, spend.second);
      }
      return world;
    },
  };
}

} // namespace oh::actors
