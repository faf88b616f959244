#include "core/fd_limit.hpp"

#include <algorithm>
#include <limits>

#include <sys/resource.h>

namespace oh::fd_limit {

uint64_t raise_to_hard() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return 1024; // the usual default: a cautious guess
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0)
      lim = raised;
  }
  if (lim.rlim_cur == RLIM_INFINITY)
    return std::numeric_limits<uint64_t>::max();
  return static_cast<uint64_t>(lim.rlim_cur);
}

uint64_t connection_cap(uint64_t configured, uint64_t fd_limit,
                        uint64_t reserve) {
  if (fd_limit == std::numeric_limits<uint64_t>::max())
    return std::max<uint64_t>(configured, 1);
  uint64_t usable = fd_limit > reserve ? fd_limit - reserve : 0;
  uint64_t cap = std::max<uint64_t>(usable / 2, 1);
  return std::max<uint64_t>(std::min(configured, cap), 1);
}

} // namespace oh::fd_limit
