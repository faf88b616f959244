#pragma once

// What request actors share: the upstream client, the price table, the
// lookup snapshot and the usage log queue. Built once in main.

#include <atomic>
#include <memory>

#include "actors/gateway_metrics.hpp"
#include "actors/health_board.hpp"
#include "actors/live_requests.hpp"
#include "actors/snapshot.hpp"
#include "actors/usage_queue.hpp"
#include "core/cost.hpp"

namespace oh::providers {
class upstream_client;
}

namespace oh::actors {

struct gateway_services {
  providers::upstream_client* upstream = nullptr;
  std::shared_ptr<const price_table> prices;
  std::shared_ptr<snapshot_holder> snapshot;
  std::shared_ptr<usage_queue> log;
  /// routing.max_attempts: accounts tried per request before giving up.
  /// Atomic: the dashboard's routing settings change it while requests run.
  std::atomic<uint32_t> max_attempts{3};
  /// timeouts.stream_heartbeat_s: keep-alives before a stream's content.
  uint32_t stream_heartbeat_ms = 10'000;
  /// limits.max_upstream_body_bytes / _event_bytes (SPEC §3).
  uint64_t max_upstream_body_bytes = 32ull * 1024 * 1024;
  uint64_t max_upstream_event_bytes = 4ull * 1024 * 1024;
  std::shared_ptr<gateway_metrics> metrics
    = std::make_shared<gateway_metrics>();
  std::shared_ptr<health_board> health = std::make_shared<health_board>();
  std::shared_ptr<live_requests> live = std::make_shared<live_requests>();
};

} // namespace oh::actors
