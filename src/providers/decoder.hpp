#pragma once

// The interface every vendor's stream decoder implements: upstream events
// in, canonical events out (SPEC §10). Implementations are pure.

#include <string>

#include "providers/canonical.hpp"
#include "providers/sse.hpp"

namespace oh::providers {

/// What a decoder may need to know about the request.
struct decode_context {
  std::string request_id; // seeds generated tool-call ids: call_<id>_<n>
  std::string model;      // the routed model
};

class stream_decoder {
public:
  virtual ~stream_decoder() = default;
  /// One upstream event: an SSE event, or one NDJSON line (in `data`).
  virtual void on_event(const sse_event& ev, event_list& out) = 0;
  /// The upstream ended the stream: emits what was held back.
  virtual void on_end(event_list& out) = 0;
  /// A finish was seen; a stream that ends without one was cut short.
  virtual bool finished() const = 0;
};

/// `call_<request id>_<n>` for vendors that give calls no id.
inline std::string generated_call_id(const decode_context& ctx, int n) {
  return "call_" + ctx.request_id + "_" + std::to_string(n);
}

/// `base` without trailing slashes.
inline std::string_view trim_base(std::string_view base) {
  while (!base.empty() && base.back() == '/')
    base.remove_suffix(1);
  return base;
}

} // namespace oh::providers
