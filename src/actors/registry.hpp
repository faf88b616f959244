#pragma once

#include <map>
#include <memory>
#include <string>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "actors/health_board.hpp"
#include "actors/provider_account.hpp"
#include "actors/snapshot.hpp"

namespace oh::providers {
class upstream_client;
}

namespace oh::actors {

/// What the registry gives the actors it spawns.
struct registry_env {
  upstream_defaults defaults;
  providers::upstream_client* upstream = nullptr; // for account probes
  std::shared_ptr<health_board> health;           // created when unset
  int breaker_failures = 5;
  int64_t breaker_cooldown_ms = 30'000;
  /// Subscription token refreshes (SPEC §7), passed to every account.
  refresh_fn refresh;
  int64_t refresh_margin_ms = 300'000;
  metrics::counter_family* token_refresh = nullptr;
};

struct registry_state {
  // Declared so the state is no aggregate: CAF 0.17 would otherwise try to
  // construct it from the actor pointer (C++20 parenthesised aggregate init).
  registry_state() = default;
  store_actor store;
  selector_actor selector;
  registry_env env;
  uint64_t handled = 0;
  /// Settled spend loaded at start, by key id (micro-dollars today, month).
  std::map<std::string, std::pair<int64_t, int64_t>> spend;
  std::shared_ptr<snapshot_holder> snapshot;
  std::map<std::string, std::pair<api_key_actor, store::api_key_record>> keys;
  std::map<std::string, std::pair<soul_actor, store::soul_record>> souls;
  std::map<std::string, provider_account_actor> accounts;
  std::map<std::string, store::provider_record> account_records;
  static inline const char* name = "registry";
};

/// The registry: one actor per key, soul and account, kept in step with the
/// store, and the lookup snapshot the HTTP sessions read.
registry_actor::behavior_type
registry(registry_actor::stateful_pointer<registry_state> self,
         store_actor store, std::shared_ptr<snapshot_holder> snapshot,
         registry_env env);

} // namespace oh::actors
