#include "actors/usage_logger.hpp"

#include <chrono>

#include "actors/introspection.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"

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
             std::shared_ptr<usage_queue> queue) {
  self->state.db = std::move(db);
  self->state.queue = std::move(queue);
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
