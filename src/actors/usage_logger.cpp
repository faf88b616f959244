#include "actors/usage_logger.hpp"

#include <chrono>

#include "actors/introspection.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "store/usage_repo.hpp"

namespace oh::actors {

namespace {

constexpr auto flush_interval = std::chrono::milliseconds(100);
constexpr size_t batch_rows = 512;

/// Writes what is queued. `last`: the logger is stopping, so the rows are
/// freed here rather than handed back to I/O threads that may be stopping
/// too.
size_t flush(usage_logger_actor::stateful_pointer<usage_logger_state> self,
             bool last = false) {
  auto& st = self->state;
  std::lock_guard gate{st.queue->writer_gate()};
  size_t total = 0;
  for (;;) {
    auto rows = st.queue->take(batch_rows);
    if (rows.empty())
      break;
    bool full = rows.size() == batch_rows;
    try {
      store::usage_repo{*st.db}.insert_batch(rows);
      st.written += rows.size();
      total += rows.size();
    } catch (const std::exception& e) {
      // The rows are lost with the failed transaction; say how many.
      st.failed_batches += 1;
      OH_ERROR("writing {} usage log row(s) failed: {}", rows.size(), e.what());
      break;
    }
    st.queue->release(std::move(rows), !last);
    if (!full)
      break;
  }
  st.last_flush_ms = clock::now_ms();
  return total;
}

/// The longest a retention batch may hold the writer (SPEC §8 asks 20 ms).
constexpr int64_t prune_budget_ms = 20;

/// One retention batch; answers whether more old rows remain.
bool prune_batch(
  usage_logger_actor::stateful_pointer<usage_logger_state> self) {
  auto& st = self->state;
  auto cutoff = clock::format_iso(clock::now_ms()
                                  - int64_t{st.retention.days} * 86'400'000);
  // Written rows first: the queue never waits behind retention.
  flush(self);
  std::lock_guard gate{st.queue->writer_gate()};
  auto started = clock::now_ms();
  store::prune_result r;
  try {
    r = store::usage_repo{*st.db}.prune_before(cutoff, st.prune_batch);
  } catch (const std::exception& e) {
    OH_ERROR("log retention failed: {}", e.what());
    return false;
  }
  auto took = clock::now_ms() - started;
  // Keep each batch inside the budget: halve when over, grow when well under.
  if (took > prune_budget_ms)
    st.prune_batch = std::max<int64_t>(10, st.prune_batch / 2);
  else if (took * 4 < prune_budget_ms)
    st.prune_batch = std::min<int64_t>(5000, st.prune_batch * 2);
  st.pruned_this_pass += r.deleted;
  st.index_entries_left += r.index_entries_left;
  st.queue->note_pruned(static_cast<uint64_t>(r.deleted));
  return r.more;
}

} // namespace

size_t write_queued_rows(store::database& db, usage_queue& queue) {
  size_t total = 0;
  for (;;) {
    auto rows = queue.take(batch_rows);
    if (rows.empty())
      return total;
    store::usage_repo{db}.insert_batch(rows);
    total += rows.size();
    queue.release(std::move(rows), false);
  }
}

usage_logger_actor::behavior_type
usage_logger(usage_logger_actor::stateful_pointer<usage_logger_state> self,
             std::shared_ptr<store::database> db,
             std::shared_ptr<usage_queue> queue, log_retention retention) {
  self->state.db = std::move(db);
  self->state.queue = std::move(queue);
  self->state.retention = retention;
  if (retention.days > 0)
    self->delayed_send(self, retention.first_delay, prune_atom::value);
  store::usage_repo::configure_writer(*self->state.db);
  self->delayed_send(self, flush_interval, tick_atom::value);
  // Whatever is queued when the actor stops is still written.
  self->set_exit_handler([=](caf::exit_msg& msg) {
    flush(self, true);
    self->quit(msg.reason);
  });
  return {
    [=](tick_atom) {
      ++self->state.handled;
      flush(self);
      self->delayed_send(self, flush_interval, tick_atom::value);
    },
    [=](flush_atom) -> size_t {
      return flush(self);
    },
    [=](prune_atom) {
      auto& st = self->state;
      ++st.handled;
      if (prune_batch(self)) {
        // More to do: the next batch after whatever else is waiting.
        self->send(self, prune_atom::value);
        return;
      }
      if (st.pruned_this_pass > 0 || st.index_entries_left > 0)
        OH_INFO("log retention: deleted {} row(s) older than {} days{}",
                st.pruned_this_pass, st.retention.days,
                st.index_entries_left > 0
                  ? fmt::format(" ({} older search entries left in place)",
                                st.index_entries_left)
                  : std::string{});
      st.pruned_this_pass = 0;
      st.index_entries_left = 0;
      self->delayed_send(self, st.retention.interval, prune_atom::value);
    },
    [=](status_atom) -> std::string {
      auto& st = self->state;
      return "{" + mailbox_fields(self, st.handled)
             + ",\"queue\":" + std::to_string(st.queue->depth())
             + ",\"dropped\":" + std::to_string(st.queue->dropped())
             + ",\"written\":" + std::to_string(st.written)
             + ",\"failed_batches\":" + std::to_string(st.failed_batches)
             + ",\"last_flush_ms\":" + std::to_string(st.last_flush_ms) + "}";
    },
  };
}

} // namespace oh::actors
