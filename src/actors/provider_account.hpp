#pragma once

#include <functional>

#include <memory>
#include <optional>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "actors/health_board.hpp"
#include "core/circuit_breaker.hpp"
#include "providers/oauth/credentials.hpp"

namespace oh::providers {
class upstream_client;
}

namespace oh::metrics {
class counter_family;
}

namespace oh::actors {

/// A refresh of an owned (or gcloud ADC) token.
struct refresh_request {
  std::string type;
  std::string refresh_token;
  std::string client_id;
  std::string client_secret;
};

/// Runs a refresh and calls back exactly once, on any thread.
using refresh_fn = std::function<void(
  const refresh_request&, std::function<void(token_refresh_result)>)>;

/// What an account actor needs from the process.
struct account_env {
  upstream_defaults defaults;
  /// For health probes; nullptr disables them (deterministic tests).
  providers::upstream_client* upstream = nullptr;
  std::shared_ptr<account_health_cell> cell;
  /// Where health changes are persisted for display (may be unset).
  store_actor store;
  int breaker_failures = 5;
  int64_t breaker_cooldown_ms = 30'000;
  /// Told when a probe found a different model list (account id, JSON
  /// array); the registry republishes it for routing and GET /v1/models.
  std::function<void(const std::string&, const std::string&)> on_models;
  /// Refreshes subscription tokens; unset: every refresh fails ("no token
  /// endpoint"), so tests that do not refresh need nothing.
  refresh_fn refresh;
  /// Refresh this long before the access token expires (SPEC §7).
  int64_t refresh_margin_ms = 300'000;
  /// After a failed refresh, the next one waits this long.
  int64_t refresh_retry_ms = 30'000;
  /// Wall-clock milliseconds since the epoch, for token expiry (the actor
  /// clock is a steady clock); unset: the system clock. Tests inject one.
  std::function<int64_t()> wall_ms;
  /// openhinge_token_refresh_total{provider,result} (may be unset).
  metrics::counter_family* token_refresh = nullptr;
};

/// A lease waiting for the account's token refresh.
struct waiting_lease {
  caf::typed_response_promise<route> rp;
  plan_request req;
  soul_plan soul;
  /// A reauth after a 401 needs a token newer than the refused one: below
  /// this generation it is refused, never handed the same token again.
  uint64_t min_generation = 0;
};

struct provider_account_state {
  // Declared so the state is no aggregate: CAF 0.17 would otherwise try to
  // construct it from the actor pointer (C++20 parenthesised aggregate init).
  provider_account_state() = default;
  store::provider_record record;
  account_env env;
  circuit_breaker breaker;
  int64_t limited_until_ms = 0;
  int64_t in_flight = 0;
  int64_t served = 0;
  int64_t failed = 0;
  uint64_t handled = 0;
  bool probing = false;
  /// Admin requests waiting for the running probe's result.
  std::vector<caf::typed_response_promise<std::string>> probe_waiters;
  std::optional<bool> last_ok; // last request or probe
  std::optional<std::string> last_check;
  std::optional<std::string> last_error;
  std::optional<int64_t> latency_ms;
  std::string persisted_status = "unknown";
  /// The account's part of every route, made from `record` when it is set
  /// (credential and config parsed once, not per request).
  route base_route;
  /// What `publish` last wrote to the health cell's text part.
  account_health_cell::text published;
  bool published_once = false;
  // -- subscription accounts (auth_mode oauth or borrowed, SPEC §7) --------
  bool subscription = false;
  providers::oauth::account_credential credential;
  /// Counts the tokens the account has held; a lease carries it, so a 401
  /// can tell whether a newer token exists already.
  uint64_t token_generation = 0;
  /// When our own refresh obtained the current token (0: loaded or read).
  int64_t token_obtained_ms = 0;
  bool refreshing = false;
  /// A 401 asked for a new token although the current one looks valid.
  bool refresh_forced = false;
  /// A probe waits for the refresh it started.
  bool probe_after_refresh = false;
  int64_t refresh_failed_at_ms = 0;
  std::string refresh_error;
  std::vector<waiting_lease> waiting;
  /// Borrowed: the CLI file's last stat (at most one a second).
  int64_t file_checked_ms = -1;
  int64_t file_mtime_ns = -1;
  int64_t file_size = -1;
  std::string file_problem;
  /// Why the credential cannot serve now (empty: it can), and whether that
  /// makes the account down rather than degraded.
  std::string token_problem;
  bool token_down = false;
  static inline const char* name = "provider_account";
};

/// The account's part of a route: endpoint, credential, timeouts. A
/// subscription account's token comes from `cred` (its file or its last
/// refresh), not from the record.
route route_template(const store::provider_record& r,
                     const upstream_defaults& d,
                     const providers::oauth::account_credential* cred
                     = nullptr);

/// A route for one request: the account's template with the request's
/// model and soul.
route complete_route(route base, const plan_request& req, soul_plan soul);

/// route_template + complete_route in one step.
route make_route(const store::provider_record& r, const upstream_defaults& d,
                 const plan_request& req, soul_plan soul);

/// What the selector needs to know of an account.
account_info make_account_info(const store::provider_record& r);

/// healthy / degraded / down / unknown from the breaker, the rate limit and
/// the last verdict (SPEC §6.3).
std::string health_status(const provider_account_state& st, int64_t now_ms);

/// Applies a request's outcome to the account's health; pure.
void apply_outcome(provider_account_state& st, const outcome_report& r,
                   int64_t now_ms);

/// One provider account's actor: leases its credential, keeps its circuit
/// breaker and rate-limit state, probes on request, publishes its health.
provider_account_actor::behavior_type provider_account(
  provider_account_actor::stateful_pointer<provider_account_state> self,
  store::provider_record record, account_env env);

} // namespace oh::actors
