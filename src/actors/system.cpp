#include "actors/system.hpp"

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/acceptor.hpp"
#include "actors/health_monitor.hpp"
#include "actors/registry.hpp"
#include "actors/store.hpp"
#include "actors/usage_logger.hpp"

namespace oh::actors {

std::unique_ptr<caf::actor_system_config> make_system_config(unsigned threads) {
  auto cfg = std::make_unique<caf::actor_system_config>();
  cfg->set("scheduler.max-threads", static_cast<size_t>(threads));
  // One shared job queue instead of work stealing: with CAF 0.17's stealing
  // defaults an idle worker polls with 50 µs sleeps for ~25 ms before it
  // waits on its condition variable, so every message to a just-idle
  // worker waited for the end of a sleep. On the 2-core machines the shared
  // queue cut the added latency at concurrency 1 by a quarter and raised
  // throughput at 64 connections (docs/performance.md).
  cfg->set("scheduler.policy", caf::atom("sharing"));
  return cfg;
}

store_actor spawn_store(caf::actor_system& sys,
                        std::shared_ptr<store::database> db,
                        store::credential_vault vault, bool detached) {
  if (detached)
    return sys.spawn<caf::detached>(store, std::move(db), std::move(vault));
  return sys.spawn(store, std::move(db), std::move(vault));
}

registry_actor spawn_registry(caf::actor_system& sys, store_actor store,
                              std::shared_ptr<snapshot_holder> snapshot) {
  return spawn_registry(sys, std::move(store), std::move(snapshot),
                        registry_env{});
}

registry_actor spawn_registry(caf::actor_system& sys, store_actor store,
                              std::shared_ptr<snapshot_holder> snapshot,
                              registry_env env) {
  return sys.spawn(registry, std::move(store), std::move(snapshot),
                   std::move(env));
}

usage_logger_actor spawn_usage_logger(caf::actor_system& sys,
                                      std::shared_ptr<store::database> db,
                                      std::shared_ptr<usage_queue> queue,
                                      bool detached) {
  if (detached)
    return sys.spawn<caf::detached>(usage_logger, std::move(db),
                                    std::move(queue));
  return sys.spawn(usage_logger, std::move(db), std::move(queue));
}

health_monitor_actor
spawn_health_monitor(caf::actor_system& sys,
                     std::shared_ptr<snapshot_holder> snapshot,
                     int64_t interval_ms) {
  return sys.spawn(health_monitor, std::move(snapshot), interval_ms);
}

acceptor_actor spawn_acceptor(caf::actor_system& sys,
                              std::shared_ptr<listener_control> listener) {
  return sys.spawn(acceptor, std::move(listener));
}

} // namespace oh::actors
