#pragma once

#include <caf/fwd.hpp>

namespace oh::providers {
class io_runtime;
}

namespace oh::actors {

/// Makes CAF run its actors on `io`'s threads (see scheduler.cpp), with a
/// clock that is only told about actors that set timeouts. `io` must outlive
/// the actor system's actors.
void use_gateway_scheduler(caf::actor_system_config& cfg,
                           providers::io_runtime& io);

} // namespace oh::actors
