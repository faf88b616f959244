#pragma once

// Each account's health, written by its actor and read without messages by
// the selector (ordering, skipping), the admin API and /metrics.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace oh::actors {

struct account_health_cell {
  std::atomic<int64_t> in_flight{0};
  std::atomic<uint8_t> circuit{0};          // oh::circuit_state
  std::atomic<int64_t> open_until_ms{0};    // epoch ms
  std::atomic<int64_t> limited_until_ms{0}; // epoch ms, 0 = not limited

  struct text {
    std::string status = "unknown"; // healthy | degraded | down | unknown
    std::optional<std::string> last_check;
    std::optional<std::string> last_error;
    std::optional<int64_t> latency_ms;
    int failures = 0;
  };
  text read() const {
    std::lock_guard guard{mu};
    return info;
  }
  void write(text t) {
    std::lock_guard guard{mu};
    info = std::move(t);
  }

private:
  mutable std::mutex mu;
  text info;
};

class health_board {
public:
  std::shared_ptr<account_health_cell> cell(const std::string& id) {
    std::lock_guard guard{mu_};
    auto& c = cells_[id];
    if (!c)
      c = std::make_shared<account_health_cell>();
    return c;
  }
  std::shared_ptr<const account_health_cell> find(const std::string& id) const {
    std::lock_guard guard{mu_};
    auto it = cells_.find(id);
    return it == cells_.end() ? nullptr : it->second;
  }
  void remove(const std::string& id) {
    std::lock_guard guard{mu_};
    cells_.erase(id);
  }
  std::vector<
    std::pair<std::string, std::shared_ptr<const account_health_cell>>>
  all() const {
    std::lock_guard guard{mu_};
    return {cells_.begin(), cells_.end()};
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<account_health_cell>> cells_;
};

} // namespace oh::actors
