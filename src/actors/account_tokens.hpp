#pragma once

// The token life of a subscription account, inside its actor (SPEC §7,
// docs/subscriptions.md): owned tokens refreshed single-flight and
// persisted before use, borrowed tokens read from their CLI's file at most
// once a second and never refreshed when they rotate.

#include <string>

#include "actors/provider_account.hpp"

namespace oh::actors::account_tokens {

using self_ptr
  = provider_account_actor::stateful_pointer<provider_account_state>;

/// Wall-clock milliseconds since the epoch: token expiries are wall-clock
/// times (env.wall_ms when set, for tests).
int64_t wall_now(const provider_account_state& st);

/// Reads the record's credential (after start or an admin change); a
/// borrowed account reads its file at once.
void load(self_ptr self);

enum class gate { serve, wait, refuse };

/// Whether a lease can have the token now, must wait for a refresh, or is
/// refused (`reason` says why). Reads a borrowed file when it may have
/// changed; starts nothing.
gate check(self_ptr self, int64_t now_ms, std::string& reason);

/// Starts the refresh unless one runs (single flight).
void start_refresh(self_ptr self);

/// A refresh ended: persists and applies the new tokens (then serves the
/// waiting leases), or notes the failure.
void on_refreshed(self_ptr self, token_refresh_result r);

/// A 401 came back for a lease of `generation`: true when a newer token is
/// there already (or was just read from a borrowed file); otherwise asks
/// for a refresh when the account can refresh at all.
bool after_unauthorized(self_ptr self, uint64_t generation, int64_t now_ms,
                        bool& can_refresh);

/// Why the credential cannot serve, for health (SPEC §6.3): sets
/// `token_problem` and `token_down`. Pure.
void assess(provider_account_state& st, int64_t now_ms);

/// The access token's expiry as ISO-8601, or empty.
std::string expiry_iso(const provider_account_state& st);

} // namespace oh::actors::account_tokens
