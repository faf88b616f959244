#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "actors/health_board.hpp"

namespace oh::actors {

struct selector_entry {
  account_info info;
  provider_account_actor actor;
};

struct selector_state {
  // Declared so the state is no aggregate: CAF 0.17 would otherwise try to
  // construct it from the actor pointer (C++20 parenthesised aggregate init).
  selector_state() = default;
  std::map<std::string, selector_entry> accounts;
  std::shared_ptr<const health_board> health;
  uint64_t handled = 0;
  static inline const char* name = "selector";
};

/// The outcome of a pick, pure so tests can check the ordering rules.
struct pick_result {
  const selector_entry* account = nullptr;
  std::string model; // the model to send upstream
  std::optional<failure> error;
  int64_t retry_after_ms = 0; // with no_providers: the soonest reopening
};

/// Chooses the account for `req` and `soul` (SPEC §6.1): the soul's chain
/// first, then (unless strict) every other enabled account by priority;
/// only accounts able to serve the model and not yet tried.
pick_result pick_account(const std::map<std::string, selector_entry>& accounts,
                         const plan_request& req, const soul_plan& soul,
                         const health_board* health = nullptr,
                         int64_t now_ms = 0);

/// Whether this build can talk to accounts of `type` on the request path.
bool serves_type(const std::string& type);

/// The selector; it reads each account's health from `health` without
/// messages (circuit, rate limit, in-flight count).
selector_actor::behavior_type
selector(selector_actor::stateful_pointer<selector_state> self,
         std::shared_ptr<const health_board> health);

} // namespace oh::actors
