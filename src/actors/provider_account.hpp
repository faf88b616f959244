#pragma once

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"

namespace oh::actors {

struct provider_account_state {
  // Declared so the state is no aggregate: CAF 0.17 would otherwise try to
  // construct it from the actor pointer (C++20 parenthesised aggregate init).
  provider_account_state() = default;
  store::provider_record record;
  upstream_defaults defaults;
  int64_t in_flight = 0;
  int64_t served = 0;
  int64_t failed = 0;
  static inline const char* name = "provider_account";
};

/// The account's part of a route: endpoint, credential, timeouts.
route make_route(const store::provider_record& r, const upstream_defaults& d,
                 const plan_request& req, soul_plan soul);

/// What the selector needs to know of an account.
account_info make_account_info(const store::provider_record& r);

/// One provider account's actor: leases its credential to requests and
/// counts them in flight; health and refresh come with routing work.
provider_account_actor::behavior_type provider_account(
  provider_account_actor::stateful_pointer<provider_account_state> self,
  store::provider_record record, upstream_defaults defaults);

} // namespace oh::actors
