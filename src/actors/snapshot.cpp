#include "actors/snapshot.hpp"

#include <atomic>

namespace oh::actors {

snapshot_holder::snapshot_holder()
  : current_(std::make_shared<const lookup_snapshot>()) {}

std::shared_ptr<const lookup_snapshot> snapshot_holder::load() const noexcept {
  return std::atomic_load_explicit(&current_, std::memory_order_acquire);
}

void snapshot_holder::publish(
  std::shared_ptr<const lookup_snapshot> next) noexcept {
  std::atomic_store_explicit(&current_, std::move(next),
                             std::memory_order_release);
}

} // namespace oh::actors
