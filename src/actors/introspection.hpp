#pragma once

// What every actor adds to its `status` answer for /admin/actors: its
// mailbox depth and how many messages it handled.

#include <cstdint>
#include <string>

namespace oh::actors {

/// `"mailbox":N,"handled":M` (a JSON fragment, no braces).
template<class Self>
std::string mailbox_fields(Self* self, uint64_t handled) {
  return "\"mailbox\":" + std::to_string(self->mailbox().size())
         + ",\"handled\":" + std::to_string(handled);
}

} // namespace oh::actors
