#pragma once

// One small upstream call whose whole answer is wanted: token endpoints,
// Code Assist's project discovery. The answer is bounded (1 MiB) and the
// call has a total deadline.

#include <functional>
#include <string>

#include "providers/upstream_client.hpp"

namespace oh::providers {

struct collected_answer {
  unsigned status = 0; // 0: no answer (see error)
  std::string body;
  std::string error; // transport failure
};

/// Starts `req`; `done` runs exactly once, on an I/O thread.
void collect_call(upstream_client& upstream, upstream_request req,
                  std::function<void(collected_answer)> done);

} // namespace oh::providers
