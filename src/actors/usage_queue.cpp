#include "actors/usage_queue.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "core/logging.hpp"

namespace oh::actors {

bool usage_queue::push(store::usage_row row) {
  {
    std::lock_guard guard{mu_};
    if (rows_.size() < capacity_) {
      rows_.push_back(std::move(row));
      return true;
    }
  }
  auto dropped = dropped_.fetch_add(1) + 1;
  auto now_s = clock::now_ms() / 1000;
  auto last = last_warning_s_.load();
  if (now_s != last && last_warning_s_.compare_exchange_strong(last, now_s))
    OH_WARN("usage log queue full ({} rows): {} row(s) dropped so far",
            capacity_, dropped);
  return false;
}

std::vector<store::usage_row> usage_queue::take(size_t max) {
  std::lock_guard guard{mu_};
  std::vector<store::usage_row> out;
  if (rows_.size() <= max) {
    out.swap(rows_);
    return out;
  }
  out.assign(std::make_move_iterator(rows_.begin()),
             std::make_move_iterator(rows_.begin() + static_cast<long>(max)));
  rows_.erase(rows_.begin(), rows_.begin() + static_cast<long>(max));
  return out;
}

size_t usage_queue::depth() const {
  std::lock_guard guard{mu_};
  return rows_.size();
}

} // namespace oh::actors
