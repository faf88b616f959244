#pragma once

#include <chrono>
#include <memory>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "actors/usage_queue.hpp"
#include "store/database.hpp"

namespace oh::actors {

/// Retention of the request log (SPEC §8): rows older than `days` (0: kept
/// forever) are deleted in batches that hold the writer briefly.
struct log_retention {
  uint32_t days = 0;
  /// The first pass after start, then one every `interval`.
  std::chrono::milliseconds first_delay{std::chrono::seconds(2)};
  std::chrono::milliseconds interval{std::chrono::hours(1)};
};

struct usage_logger_state {
  // Declared so the state is no aggregate: CAF 0.17 would otherwise try to
  // construct it from the actor pointer (C++20 parenthesised aggregate init).
  usage_logger_state() = default;
  std::shared_ptr<store::database> db;
  std::shared_ptr<usage_queue> queue;
  uint64_t written = 0;
  uint64_t failed_batches = 0;
  int64_t last_flush_ms = 0;
  log_retention retention;
  /// Rows per retention batch, adapted so one batch takes ≤ 20 ms.
  int64_t prune_batch = 200;
  int64_t pruned_this_pass = 0;
  int64_t index_entries_left = 0;
  uint64_t handled = 0;
  static inline const char* name = "usage_logger";
};

/// Flushes the queue every 100 ms in batches of up to 512 rows, on its own
/// thread with its own SQLite connection (DESIGN §6).
usage_logger_actor::behavior_type
usage_logger(usage_logger_actor::stateful_pointer<usage_logger_state> self,
             std::shared_ptr<store::database> db,
             std::shared_ptr<usage_queue> queue, log_retention retention = {});

} // namespace oh::actors
