#pragma once

// Wiring: actor system configuration and the spawn functions for the
// long-lived actors.

#include <memory>

#include "actors/actors.hpp"
#include "actors/snapshot.hpp"
#include "store/credential_vault.hpp"

namespace caf {
class actor_system;
class actor_system_config;
} // namespace caf

namespace oh::store {
class database;
}

namespace oh::providers {
class io_runtime;
}

namespace oh::actors {

class listener_control;

/// CAF configuration whose actors run on `io`'s threads (scheduler.cpp).
std::unique_ptr<caf::actor_system_config>
make_system_config(providers::io_runtime& io);

/// The store actor owning `db`; `detached` gives it its own thread (always
/// in production; deterministic tests run it on the test scheduler).
store_actor spawn_store(caf::actor_system& sys,
                        std::shared_ptr<store::database> db,
                        store::credential_vault vault, bool detached = true);

struct registry_env;

registry_actor spawn_registry(caf::actor_system& sys, store_actor store,
                              std::shared_ptr<snapshot_holder> snapshot);
registry_actor spawn_registry(caf::actor_system& sys, store_actor store,
                              std::shared_ptr<snapshot_holder> snapshot,
                              registry_env env);

class usage_queue;

/// The usage logger on its own thread, with its own connection to the db.
usage_logger_actor spawn_usage_logger(caf::actor_system& sys,
                                      std::shared_ptr<store::database> db,
                                      std::shared_ptr<usage_queue> queue,
                                      uint32_t retention_days = 0,
                                      bool detached = true);

/// Writes every queued row now on the caller's thread, through `db` (the
/// logger's connection). The caller holds queue.writer_gate(), so the
/// logger is between batches and stays there: for the exit on a second
/// signal, which must not lose rows the clients were already answered for.
size_t write_queued_rows(store::database& db, usage_queue& queue);

/// Probes every account each `interval_ms` (jittered).
health_monitor_actor
spawn_health_monitor(caf::actor_system& sys,
                     std::shared_ptr<snapshot_holder> snapshot,
                     int64_t interval_ms);

acceptor_actor spawn_acceptor(caf::actor_system& sys,
                              std::shared_ptr<listener_control> listener);

/// Runs cloudflared for the Cloudflare tunnel (SPEC §12).
tunnel_supervisor_actor spawn_tunnel_supervisor(caf::actor_system& sys);

} // namespace oh::actors
