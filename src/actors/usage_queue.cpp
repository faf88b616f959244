#include "actors/usage_queue.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "core/logging.hpp"

namespace oh::actors {

void usage_queue::set_release_hooks(release_hooks hooks) {
  hooks_ = std::move(hooks);
}

void usage_queue::release(std::vector<store::usage_row>&& rows,
                          bool where_made) {
  if (!where_made || !hooks_.release) {
    rows.clear();
    return;
  }
  // Rows of one origin stay in arrival order; a flush holds few origins
  // (one per I/O thread).
  std::vector<std::pair<int, std::vector<store::usage_row>>> groups;
  for (auto& row : rows) {
    if (row.origin < 0)
      continue; // freed with `rows` below
    auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) {
      return g.first == row.origin;
    });
    if (it == groups.end())
      it = groups.insert(groups.end(), {row.origin, {}});
    it->second.push_back(std::move(row));
  }
  for (auto& [origin, group] : groups)
    hooks_.release(origin, std::move(group));
  rows.clear();
}

bool usage_queue::push(store::usage_row row) {
  if (hooks_.origin)
    row.origin = hooks_.origin();
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
