#pragma once

// All typed actor interfaces in one cheap header (DESIGN §4, §10). Each
// handler has one line saying what it does. Payload records are plain data.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/actor.hpp>
#include <caf/typed_actor.hpp>

#include "actors/messages.hpp"
#include "providers/chat_exchange.hpp"
#include "store/records.hpp"

namespace oh::actors {

// Atoms (CAF 0.17: at most 10 characters).
using admit_atom = caf::atom_constant<caf::atom("admit")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using finished_atom = caf::atom_constant<caf::atom("finished")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using prune_atom = caf::atom_constant<caf::atom("prune")>;
using lease_atom = caf::atom_constant<caf::atom("lease")>;
using outcome_atom = caf::atom_constant<caf::atom("outcome")>;
using pick_atom = caf::atom_constant<caf::atom("pick")>;
using plan_atom = caf::atom_constant<caf::atom("plan")>;
using remove_atom = caf::atom_constant<caf::atom("remove")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using apply_atom = caf::atom_constant<caf::atom("apply")>;
using actors_atom = caf::atom_constant<caf::atom("actors")>;
using check_atom = caf::atom_constant<caf::atom("check")>;
using probed_atom = caf::atom_constant<caf::atom("probed")>;
using probe_atom = caf::atom_constant<caf::atom("probe")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using load_atom = caf::atom_constant<caf::atom("load")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using update_atom = caf::atom_constant<caf::atom("update")>;
using models_atom = caf::atom_constant<caf::atom("models")>;
using reauth_atom = caf::atom_constant<caf::atom("reauth")>;
using refreshed_atom = caf::atom_constant<caf::atom("refreshed")>;
using rehash_atom = caf::atom_constant<caf::atom("rehash")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;

/// One per API key: its settings, sliding windows, open requests and spend.
using api_key_actor = caf::typed_actor<
  // Replaces the key's settings after an admin change.
  caf::reacts_to<update_atom, store::api_key_record>,
  // Concurrency, rpm, tpm and budget checks; takes a slot when admitted.
  caf::replies_to<admit_atom, admit_request>::with<admit_result>,
  // An admitted request ended: frees its slot, settles tokens and cost.
  caf::reacts_to<settle_atom, settle_info>,
  // JSON summary of the actor's state for introspection.
  caf::replies_to<status_atom>::with<std::string>>;

/// One per soul: prompt, model, parameters, account chain, version.
using soul_actor = caf::typed_actor<
  // Adds the soul's part to a plan and delegates to the selector.
  caf::replies_to<plan_atom, plan_request>::with<route>,
  // Replaces the soul after an admin change.
  caf::reacts_to<update_atom, store::soul_record>,
  // JSON summary of the actor's state for introspection.
  caf::replies_to<status_atom>::with<std::string>>;

/// One per provider account: credential, health, in-flight requests.
using provider_account_actor = caf::typed_actor<
  // Replaces the account (credentials included) after an admin change.
  caf::reacts_to<update_atom, store::provider_record>,
  // Leases the credential for one request: answers the route (model,
  // endpoint, key, timeouts); counts the request as in flight.
  caf::replies_to<lease_atom, plan_request, soul_plan>::with<route>,
  // The upstream refused a subscription lease's token (401): a new lease
  // with a newer token (refreshed once, single-flight, unless a refresh
  // since that token's generation already gave one), or a refusal. Ends
  // the old lease.
  caf::replies_to<reauth_atom, plan_request, soul_plan, uint64_t>::with<route>,
  // Internal: a token refresh ended.
  caf::reacts_to<refreshed_atom, token_refresh_result>,
  // A leased request ended: frees its slot and feeds the circuit breaker.
  caf::reacts_to<outcome_atom, outcome_report>,
  // Runs the no-quota health probe (model listing) now.
  caf::reacts_to<check_atom>,
  // Runs the probe now (or joins the one running) and answers its result as
  // JSON: {id, name, status, latency_ms, message?, models}.
  caf::replies_to<probe_atom>::with<std::string>,
  // New circuit-breaker limits; the breaker's state is kept.
  caf::reacts_to<update_atom, health_limits>,
  // Internal: the probe's result.
  caf::reacts_to<probed_atom, probe_report>,
  // JSON summary of the actor's state (never its credentials).
  caf::replies_to<status_atom>::with<std::string>>;

/// Picks the account for a request among the live accounts (SPEC §6.1) and
/// delegates to it.
using selector_actor = caf::typed_actor<
  // Chooses an able account not yet tried and delegates the lease to it.
  caf::replies_to<pick_atom, plan_request, soul_plan>::with<route>,
  // Adds or replaces an account in the table.
  caf::reacts_to<update_atom, account_info, provider_account_actor>,
  // Drops an account from the table.
  caf::reacts_to<remove_atom, std::string>,
  // The table as JSON.
  caf::replies_to<status_atom>::with<std::string>>;

/// The only owner of the SQLite connection outside the usage logger.
using store_actor = caf::typed_actor<
  // Runs a job on the store thread and returns its reply.
  caf::replies_to<run_atom, store_job>::with<admin_reply>,
  // Reads every provider, soul and key (credentials decrypted).
  caf::replies_to<load_atom>::with<config_world>,
  // Mailbox and work done as JSON.
  caf::replies_to<status_atom>::with<std::string>>;

/// A long-lived actor as introspection lists it: kind, id, name and a
/// handle that answers `status`.
struct actor_ref {
  std::string kind;
  std::string id;
  std::string name;
  caf::actor handle;
};

/// Spawns, updates and stops the key, soul and account actors and publishes
/// the lookup snapshot.
using registry_actor = caf::typed_actor<
  // Loads the configuration from the store and spawns one actor per row,
  // updates the live ones and stops those whose row is gone (start and
  // POST /admin/system/reload); answers the number of live actors.
  caf::replies_to<load_atom>::with<size_t>,
  // Applies admin changes (upsert or remove), then republishes the snapshot.
  caf::replies_to<apply_atom, std::vector<config_change>>::with<bool>,
  // An imported key (scrypt hash) was verified: stores its SHA-256 instead
  // (key id, hash) and republishes; true when done.
  caf::replies_to<rehash_atom, std::string, std::string>::with<bool>,
  // Counts of live actors by kind as JSON.
  caf::replies_to<status_atom>::with<std::string>,
  // An account's probe found a new model list (account id, JSON array):
  // only the list changes, never the rest of the configuration.
  caf::reacts_to<models_atom, std::string, std::string>,
  // Every long-lived actor it knows, for introspection.
  caf::replies_to<actors_atom>::with<std::vector<actor_ref>>,
  // New health settings: kept for accounts spawned later and passed to
  // every live account.
  caf::reacts_to<update_atom, health_limits>>;

/// Probes every account on a schedule (SPEC §6.3) without spending quota.
using health_monitor_actor = caf::typed_actor<
  // Internal: the next round of probes.
  caf::reacts_to<tick_atom>,
  // A new probe interval, used from the next round on.
  caf::reacts_to<update_atom, health_limits>,
  // Rounds run and the interval as JSON.
  caf::replies_to<status_atom>::with<std::string>>;

/// One per routed request: admission, plan, upstream exchange, outcome.
using request_actor = caf::typed_actor<
  // The stream's first content reached the client.
  caf::reacts_to<commit_atom>,
  // The upstream exchange is over.
  caf::reacts_to<finished_atom, providers::exchange_outcome>,
  // The client went away: stop the upstream at once.
  caf::reacts_to<cancel_atom>,
  // The drain deadline passed: end now with a clean error.
  caf::reacts_to<shutdown_atom>,
  // Stage and age as JSON.
  caf::replies_to<status_atom>::with<std::string>>;

/// Writes log rows in batches off the request path.
using usage_logger_actor = caf::typed_actor<
  // Internal: the periodic flush.
  caf::reacts_to<tick_atom>,
  // Writes everything queued now; answers the number of rows written.
  caf::replies_to<flush_atom>::with<size_t>,
  // Internal: the next retention batch (rows older than log.retention_days).
  caf::reacts_to<prune_atom>,
  // Queue depth, drops and last flush as JSON.
  caf::replies_to<status_atom>::with<std::string>>;

/// Owns the HTTP listener's lifecycle.
using acceptor_actor = caf::typed_actor<
  // Stops accepting, closes idle connections and waits up to the given
  // number of seconds for in-flight ones; answers how many were left.
  caf::replies_to<drain_atom, uint32_t>::with<size_t>,
  // Internal: re-checks open connections while draining.
  caf::reacts_to<tick_atom>,
  // Listener state as JSON.
  caf::replies_to<status_atom>::with<std::string>>;

/// What the tunnel supervisor runs: cloudflared's path (or name in PATH)
/// and the tunnel's run token, handed to the child in TUNNEL_TOKEN only.
struct tunnel_launch {
  std::string cloudflared_path;
  std::string token;
};

/// Runs and supervises cloudflared (SPEC §12): restarts with backoff,
/// stops on request and when it exits itself.
using tunnel_supervisor_actor = caf::typed_actor<
  // Runs the tunnel (restarting a running one with the new launch);
  // answers the state as JSON.
  caf::replies_to<start_atom, tunnel_launch>::with<std::string>,
  // Stops it (SIGTERM, SIGKILL after the grace period); answers the state.
  caf::replies_to<stop_atom>::with<std::string>,
  // Internal: reads the child's output, notices its end, restarts.
  caf::reacts_to<tick_atom>,
  // State, pid, restarts, last error as JSON (never the token).
  caf::replies_to<status_atom>::with<std::string>>;

} // namespace oh::actors

// Local-only payloads: CAF 0.17's inspectors know neither std::optional nor
// std::variant, and nothing here ever crosses a process boundary (DESIGN §11:
// no remote actors). store_job carries a closure; provider_record carries
// decrypted credentials that must never be serialised or printed.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::store::provider_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::health_limits)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::token_refresh_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::store::soul_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::store::api_key_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::config_world)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::admin_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::store_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<oh::actors::config_change>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::admit_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::admit_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::settle_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::soul_plan)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::plan_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::account_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::route)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::providers::exchange_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::outcome_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::probe_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<oh::actors::actor_ref>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(oh::actors::tunnel_launch)
