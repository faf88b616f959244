#pragma once

// File-descriptor budget (SPEC §3): the process raises its soft limit to
// the hard one at start, and client connections stay below it with room
// for what each of them needs besides its own socket.

#include <cstdint>

namespace oh::fd_limit {

/// Raises the soft RLIMIT_NOFILE to the hard limit and returns the soft
/// limit now in force (UINT64_MAX when unlimited).
uint64_t raise_to_hard();

/// The connection cap for `fd_limit` descriptors: `reserve` are kept for
/// the listener, the database and the log, and half of the rest for
/// upstream sockets (a proxied request holds one of each). Never above
/// `configured`, never below 1.
uint64_t connection_cap(uint64_t configured, uint64_t fd_limit,
                        uint64_t reserve);

} // namespace oh::fd_limit
