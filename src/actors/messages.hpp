#pragma once

// Payloads exchanged between actors that are not single records.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "core/cost.hpp"
#include "providers/listing_probe.hpp"
#include "store/records.hpp"

namespace oh::store {
class database;
class credential_vault;
} // namespace oh::store

namespace oh::actors {

/// An entity removed through the admin API.
struct removed_entity {
  enum class kind : uint8_t { provider, soul, api_key };
  kind what;
  std::string id;
};

/// One change the registry applies to the running actors after the store
/// has written it.
using config_change = std::variant<store::provider_record, store::soul_record,
                                   store::api_key_record, removed_entity>;

/// Everything the registry loads at start.
struct config_world {
  std::vector<store::provider_record> providers;
  /// Settled spend per key id: micro-dollars today and this month (UTC).
  std::vector<std::tuple<std::string, int64_t, int64_t>> key_spend;
  std::vector<store::soul_record> souls;
  std::vector<store::api_key_record> api_keys;
};

/// What a store job hands to the code it runs on the store thread.
struct store_context {
  store::database& db;
  const store::credential_vault& vault;
};

/// Health settings changed in the dashboard (SPEC §9.2, `health`), applied
/// to the running actors without a restart.
struct health_limits {
  int breaker_failures = 5;
  int64_t breaker_cooldown_ms = 30'000;
  int64_t probe_interval_ms = 60'000;
};

/// The answer of an admin job: a status and JSON body for the client (or an
/// error to render), plus the changes the registry must apply.
struct admin_reply {
  uint16_t status = 200;
  std::string body;
  std::optional<failure> error;
  std::vector<config_change> changes;
  /// Extra response headers (Set-Cookie, Retry-After).
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Work to run on the store actor's thread, where SQLite may block.
using store_job = std::function<admin_reply(store_context&)>;

// -- the request path ---------------------------------------------------------

/// Rate-limit state for the x-ratelimit-* headers (SPEC §5.2).
struct rate_info {
  int64_t limit = 0; // 0: unlimited, no headers
  int64_t remaining = 0;
  int64_t reset_ms = 0;
  int64_t tpm_limit = 0;
  int64_t tpm_remaining = 0;
  int64_t tpm_reset_ms = 0;
};

struct admit_request {
  /// Tokens reserved for tpm: max_tokens (or 1024) + input bytes / 4.
  int64_t reserve_tokens = 0;
  /// The request's estimated cost (price of the requested model for the
  /// reserved tokens; 0 when the model or its price is unknown), counted
  /// against the budgets until the request settles (SPEC §5.2).
  int64_t reserve_cost_micros = 0;
  /// Only report the limits (for answers that never reach admission).
  bool dry_run = false;
};

struct admit_result {
  bool ok = false;
  errc code = errc::none; // rate_limited or budget (as forbidden) when !ok
  std::string reason;     // rpm | tpm | concurrency | daily | monthly
  std::string message;
  int64_t retry_after_ms = 0;
  rate_info rate;
  uint64_t ticket = 0; // for settle
};

/// Sent to the key actor when an admitted request ends.
struct settle_info {
  uint64_t ticket = 0;
  int64_t tokens = 0;
  int64_t cost_micros = 0;
};

/// What a soul contributes to a request's plan.
struct soul_plan {
  bool has_soul = false;
  std::string soul_id;
  std::string slug;
  std::string name;
  int64_t version = 0;
  std::string system_prompt;
  std::optional<double> temperature;
  std::optional<int64_t> max_tokens;
  std::optional<std::string> model;
  /// Structured output for requests that ask for none (JSON Schema text).
  std::optional<std::string> response_schema;
  std::vector<std::string> chain; // provider_id then fallback_chain
  bool strict = false;
};

struct plan_request {
  std::string request_id;
  /// The model the client asked for (soul/<slug> already resolved away).
  std::optional<std::string> model;
  /// Accounts already tried by this request.
  std::vector<std::string> tried;
};

/// Global upstream timeouts (config `timeouts.*`); an account's own config
/// overrides each (SPEC §6.4).
struct upstream_defaults {
  uint32_t connect_timeout_ms = 5'000;
  uint32_t timeout_ms = 120'000;
  uint32_t stream_timeout_ms = 60'000;
  uint32_t idle_timeout_ms = 60'000;
  uint32_t max_stream_ms = 1'800'000;
};

/// How a leased request went, for the account's health (SPEC §6.3).
struct outcome_report {
  enum class verdict : uint8_t {
    success, ///< the upstream answered (a client error counts as success)
    failure, ///< connect/TLS/timeout/5xx/auth failure: counts for the breaker
    limited, ///< 429: limited until retry_after_ms from now
    neutral, ///< no verdict (the client left, the lease was not used)
  };
  verdict what = verdict::neutral;
  int64_t retry_after_ms = 0;
  std::string error;
};

/// The result of an active health probe.
using probe_report = providers::listing_outcome;

/// What one token refresh gave (the provider-account actor's internal
/// message; the tokens never leave the actor but to the store).
struct token_refresh_result {
  bool ok = false;
  std::string access_token;
  std::string refresh_token; // empty: keep the old one
  std::string id_token;
  int64_t expires_in_s = 0;
  std::string error; // the endpoint's words, never a token
};

/// What the selector knows of an account.
struct account_info {
  std::string id;
  std::string name;
  std::string type;
  bool enabled = true;
  int64_t priority = 0;
  std::vector<std::string> models;
  std::optional<std::string> default_model;
};

/// The answer to a plan: the soul's part, the chosen account and a lease on
/// its credential, or why there is none.
struct route {
  bool ok = false;
  /// The chosen account refused the lease (circuit open, rate-limited):
  /// plan again without it.
  bool skip = false;
  std::optional<failure> error;
  int64_t retry_after_ms = 0;
  soul_plan soul;
  std::string model; // final model sent upstream
  std::string account_id;
  std::string account_name;
  std::string account_type;
  std::string base_url;
  std::string api_key;
  /// Every credential value the account holds, for redacting upstream text
  /// (core/redact.hpp); made once per account, shared by its routes.
  std::shared_ptr<const std::vector<std::string>> secrets;
  bool metered = true; // false: subscription, costs 0
  /// A subscription account (auth_mode oauth or borrowed, SPEC §7): its
  /// access token and the facts its wire needs (docs/subscriptions.md).
  bool subscription = false;
  std::string access_token;
  std::string chatgpt_account_id;
  std::string project_id;
  bool system_user_merge = false;
  /// Which of the account's tokens this lease carries: a 401 asks the
  /// account for a newer one (reauth_atom).
  uint64_t token_generation = 0;
  uint32_t connect_timeout_ms = 0;
  uint32_t timeout_ms = 0;
  uint32_t stream_timeout_ms = 0;
  uint32_t idle_timeout_ms = 0;
  uint32_t max_stream_ms = 0;
};

} // namespace oh::actors
