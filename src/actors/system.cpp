#include "actors/system.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/acceptor.hpp"
#include "actors/health_monitor.hpp"
#include "actors/registry.hpp"
#include "actors/scheduler.hpp"
#include "actors/store.hpp"
#include "actors/tunnel_supervisor.hpp"
#include "actors/usage_logger.hpp"

namespace oh::actors {

std::unique_ptr<caf::actor_system_config>
make_system_config(providers::io_runtime& io) {
  auto cfg = std::make_unique<caf::actor_system_config>();
  // An actor hands its I/O thread back after this many messages (CAF's
  // default is no limit), so a busy key or account actor cannot hold up the
  // sockets sharing the thread; it continues behind them.
  cfg->set("scheduler.max-throughput", size_t{64});
  use_gateway_scheduler(*cfg, io);
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
                                      uint32_t retention_days, bool detached) {
  log_retention retention;
  retention.days = retention_days;
  if (detached)
    return sys.spawn<caf::detached>(usage_logger, std::move(db),
                                    std::move(queue), retention);
  return sys.spawn(usage_logger, std::move(db), std::move(queue), retention);
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

tunnel_supervisor_actor spawn_tunnel_supervisor(caf::actor_system& sys) {
  return sys.spawn(tunnel_supervisor, tunnel_timing{});
}

} // namespace oh::actors
