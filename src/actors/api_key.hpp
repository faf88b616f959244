#pragma once

#include <functional>

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "core/rate_window.hpp"

namespace oh::actors {

/// Tokens reserved or used by one request inside the tpm window.
struct token_entry {
  int64_t at_ms;
  uint64_t ticket;
  int64_t tokens;
};

struct api_key_state {
  // Declared so the state is no aggregate: CAF 0.17 would otherwise try to
  // construct it from the actor pointer (C++20 parenthesised aggregate init).
  api_key_state() = default;
  store::api_key_record record;
  rate_window rpm;
  std::deque<token_entry> tpm;
  int64_t open_requests = 0;
  uint64_t next_ticket = 1;
  std::unordered_map<uint64_t, int64_t> reservations; // ticket → tokens
  /// Estimated cost of the open requests, by ticket, and their sum: the
  /// budgets count it beside settled spend, so parallel requests cannot
  /// all pass a budget that only their sum exceeds.
  std::unordered_map<uint64_t, int64_t> cost_reservations;
  int64_t reserved_micros = 0;
  int64_t spent_today_micros = 0;
  int64_t spent_month_micros = 0;
  std::string day;   // YYYY-MM-DD of spent_today (UTC)
  std::string month; // YYYY-MM of spent_month (UTC)
  /// Wall-clock milliseconds since the epoch, for the budgets' UTC day and
  /// month (the actor clock is a steady clock: right for rate windows, but
  /// its epoch is the machine's boot, not 1970).
  std::function<int64_t()> wall_ms;
  uint64_t handled = 0;
  static inline const char* name = "api_key";
};

/// One API key's actor: sliding rpm window, tpm reservations, open requests
/// and budgets against settled spend plus open reservations (SPEC §5.2).
/// `wall_ms` tells the date for the budgets (unset: the system clock; tests
/// inject one to cross a UTC midnight).
api_key_actor::behavior_type
api_key(api_key_actor::stateful_pointer<api_key_state> self,
        store::api_key_record record, int64_t spent_today_micros,
        int64_t spent_month_micros, std::function<int64_t()> wall_ms);

/// Pure admission decision: checks in SPEC order (concurrency, rpm, tpm,
/// budget) and takes the slots when admitted. `now_ms` is the steady clock
/// of the rate windows, `wall_ms` the date of the budgets.
admit_result admit(api_key_state& st, const admit_request& req, int64_t now_ms,
                   int64_t wall_ms);

/// Frees the slot of `ticket`, settles its tokens and cost.
void settle(api_key_state& st, const settle_info& info, int64_t wall_ms);

} // namespace oh::actors
