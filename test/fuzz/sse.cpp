// The Server-Sent Events parser (providers/sse.cpp) that reads every SSE
// upstream (OpenAI, Claude, Gemini, ChatGPT).
//
// Input: byte 0 chooses a piece size and whether a per-event byte limit
// applies; the rest is the stream. Invariants: the events are the same
// whether the bytes arrive at once or in pieces (an upstream's TCP reads
// split anywhere), overflow included; an event's data never holds more
// bytes than were fed, nor more than the limit; data and names never hold
// a line break other than the '\n' that joins data lines; what the parser
// holds back is never more than the input.

#include <vector>

#include "fuzz_check.hpp"

namespace {

using oh::providers::sse_event;
using oh::providers::sse_parser;

struct outcome {
  std::vector<sse_event> events;
  bool overflowed = false;
};

outcome parse(std::string_view stream, size_t step, size_t limit) {
  outcome out;
  sse_parser p;
  p.set_limit(limit);
  size_t data_bytes = 0;
  auto on_event = [&](sse_event& ev) {
    OH_FUZZ_CHECK(ev.data.size() <= stream.size(), "data longer than input");
    OH_FUZZ_CHECK(ev.data.size() <= limit, "data past the limit");
    OH_FUZZ_CHECK(ev.data.find('\r') == std::string::npos, "CR in data");
    OH_FUZZ_CHECK(ev.event.find_first_of("\r\n") == std::string::npos,
                  "line break in the event name");
    OH_FUZZ_CHECK(ev.id.find_first_of("\r\n") == std::string::npos,
                  "line break in the id");
    data_bytes += ev.data.size();
    out.events.push_back(ev);
  };
  for (size_t at = 0; at < stream.size(); at += step) {
    p.feed(stream.substr(at, step), on_event);
    OH_FUZZ_CHECK(p.buffered() <= stream.size(), "holds more than input");
  }
  p.finish(on_event);
  OH_FUZZ_CHECK(data_bytes <= stream.size(), "more data out than bytes in");
  out.overflowed = p.overflowed();
  return out;
}

bool same(const std::vector<sse_event>& a, const std::vector<sse_event>& b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].event != b[i].event || a[i].data != b[i].data
        || a[i].id != b[i].id)
      return false;
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  // Pieces of 1 (a byte at a time) to 32 bytes.
  size_t step = data[0] % 32 + 1;
  // Half the inputs run with a small limit, so overflow is reached.
  size_t limit = data[0] & 0x80 ? 64 : static_cast<size_t>(-1);
  auto stream = oh::fuzz::as_text(data + 1, size - 1);
  auto whole = parse(stream, stream.size() + 1, limit);
  auto pieces = parse(stream, step, limit);
  OH_FUZZ_CHECK(whole.overflowed == pieces.overflowed,
                "pieces change overflow");
  OH_FUZZ_CHECK(same(whole.events, pieces.events), "pieces change the events");
  return 0;
}
