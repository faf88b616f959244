#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "actors/services.hpp"
#include "actors/snapshot.hpp"
#include "core/http_message.hpp"
#include "core/json.hpp"
#include "providers/chat_exchange.hpp"
#include "providers/translation.hpp"

namespace oh::actors {

/// Everything the session knows when it spawns the request actor.
struct request_input {
  std::string request_id;
  std::optional<std::string> client_request_id;
  http_request http;
  key_entry key;
  std::optional<std::string> path_slug; // /v1/souls/{slug}/…
  dialect client_dialect = dialect::openai;
  std::string endpoint = "chat";
  int64_t received_ms = 0; // wall clock
};

/// One upstream attempt, for the log row and `_openhinge.attempts`.
struct attempt_record {
  std::string account_id;
  std::string account_name;
  int status = 0;
  /// Our own summary ("HTTP 500", "timeout_first_byte"): safe for clients.
  std::string error;
  /// The upstream's own words, redacted of the account's credentials and
  /// of key-shaped tokens: for operators only (log row, account health).
  std::string detail;
  int64_t latency_ms = 0;
};

struct request_state {
  // Declared so the state is no aggregate: CAF 0.17 would otherwise try to
  // construct it from the actor pointer (C++20 parenthesised aggregate init).
  request_state() = default;
  std::shared_ptr<const gateway_services> services;
  request_input in;
  std::shared_ptr<response_sink> sink;
  std::shared_ptr<json::document> body;
  std::string stage = "start";
  // Soul resolution.
  std::optional<soul_entry> soul;
  std::optional<std::string> model_requested;
  bool model_was_soul_alias = false;
  bool stream = false;
  bool include_usage = false;
  int64_t reserve_tokens = 0;
  // Admission and plan, which run in parallel.
  std::optional<admit_result> admission;
  std::optional<route> plan;
  std::vector<std::string> tried;
  std::vector<attempt_record> attempts;
  /// A subscription's 401 was answered with a new token once already.
  bool reauthed = false;
  /// The refused attempt's detail, for its account's verdict after a
  /// failed reauth.
  std::string last_outcome_detail;
  /// Why the last attempt failed, answered when no account is left.
  std::optional<failure> last_failure;
  /// When an account refused a lease: how long until it may take requests.
  int64_t skip_retry_ms = 0;
  int64_t attempt_started_ms = 0;
  /// The soul's edits for the translation (pointed to while it runs).
  providers::soul_edits edits;
  /// The current attempt's translation input, made when it starts and used
  /// again for its answer.
  providers::call_input call;
  /// Parameters the current target cannot take (SPEC §5.4).
  std::vector<std::string> dropped;
  int64_t created = 0; // unix seconds, for translated answers
  // The exchange.
  std::shared_ptr<providers::chat_exchange> exchange;
  bool committed = false;
  /// Heartbeats sent the stream's head before any content (SPEC §5.5).
  bool head_sent = false;
  bool cancelled = false;
  bool shutting_down = false;
  bool done = false;
  bool stream_counted = false; // counted in openhinge_open_streams
  std::string final_status;    // for the requests_total metric
  int64_t started_steady_ms = 0;
  static inline const char* name = "request";
};

/// The per-request actor (DESIGN §5): resolves the soul, asks the key for
/// admission while the soul, selector and account build the route, drives
/// the upstream exchange (falling back before the commit point), answers,
/// settles and logs.
request_actor::behavior_type
request(request_actor::stateful_pointer<request_state> self,
        std::shared_ptr<const gateway_services> services, request_input in,
        std::shared_ptr<response_sink> sink);

/// What the request headers announce for a key without an rpm limit.
inline constexpr int64_t unlimited_announced = 2'147'483'647;

/// Appends the x-ratelimit-* header lines for `rate` (SPEC §5.2) as
/// `name: value\r\n`, with `now_epoch_ms` for the reset time.
void append_rate_limit_lines(std::string& out, const rate_info& rate,
                             int64_t now_epoch_ms);

} // namespace oh::actors
