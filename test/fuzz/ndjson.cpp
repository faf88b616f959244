// The newline-delimited JSON reader (providers/sse.cpp, ndjson_reader) that
// reads Ollama's streams.
//
// Input: byte 0 chooses a piece size and whether a line limit applies; the
// rest is the stream. Invariants: the same lines whether the bytes arrive
// at once or in pieces, overflow included; a line is never empty, never
// holds '\n', and is never longer than the limit; the lines add up to no
// more bytes than were fed.

#include <vector>

#include "fuzz_check.hpp"

namespace {

using oh::providers::ndjson_reader;
using oh::providers::sse_event;

struct outcome {
  std::vector<std::string> lines;
  bool overflowed = false;
};

outcome read(std::string_view stream, size_t step, size_t limit) {
  outcome out;
  ndjson_reader r;
  r.set_limit(limit);
  size_t total = 0;
  auto on_line = [&](sse_event& ev) {
    OH_FUZZ_CHECK(!ev.data.empty(), "an empty line");
    OH_FUZZ_CHECK(ev.data.find('\n') == std::string::npos, "LF in a line");
    OH_FUZZ_CHECK(ev.data.size() <= limit, "a line past the limit");
    total += ev.data.size();
    out.lines.push_back(ev.data);
  };
  for (size_t at = 0; at < stream.size(); at += step)
    r.feed(stream.substr(at, step), on_line);
  r.finish(on_line);
  OH_FUZZ_CHECK(total <= stream.size(), "more bytes out than in");
  out.overflowed = r.overflowed();
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  // Pieces of 1 (a byte at a time) to 32 bytes.
  size_t step = data[0] % 32 + 1;
  size_t limit = data[0] & 0x80 ? 64 : static_cast<size_t>(-1);
  auto stream = oh::fuzz::as_text(data + 1, size - 1);
  auto whole = read(stream, stream.size() + 1, limit);
  auto pieces = read(stream, step, limit);
  OH_FUZZ_CHECK(whole.overflowed == pieces.overflowed,
                "pieces change overflow");
  OH_FUZZ_CHECK(whole.lines == pieces.lines, "pieces change the lines");
  return 0;
}
