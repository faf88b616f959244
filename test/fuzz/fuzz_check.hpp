#pragma once

// Shared by the fuzz targets: invariant checks that abort with a message
// (libFuzzer then keeps the input as a crash reproducer), and the checks
// every answer of ours must pass whatever the input was.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/error_render.hpp"
#include "core/json.hpp"
#include "core/logging.hpp"
#include "providers/sse.hpp"

namespace oh::fuzz {

[[noreturn]] inline void violated(const char* what, std::string_view detail) {
  auto shown = std::min<size_t>(detail.size(), 4000);
  std::fprintf(stderr, "invariant violated: %s\n%.*s\n", what,
               static_cast<int>(shown), detail.data());
  std::abort();
}

#define OH_FUZZ_CHECK(cond, detail)                                            \
  do {                                                                         \
    if (!(cond))                                                               \
      ::oh::fuzz::violated(#cond, (detail));                                   \
  } while (0)

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Logs off: a translator that warns would print once per execution.
inline void quiet_logs() {
  log::setup(log::level::off, false);
}

/// Text we send to a client or an upstream as JSON: valid UTF-8 (so
/// nothing read can make it invalid) and one JSON value of our own parser.
inline void check_json_text(std::string_view text, const char* what) {
  OH_FUZZ_CHECK(json::valid_utf8(text),
                std::string{what} + ": " + std::string{text});
  auto doc = json::parse(text);
  OH_FUZZ_CHECK(doc, std::string{what} + ": "
                       + (doc ? std::string{} : doc.error().message) + "\n"
                       + std::string{text});
}

/// A failure we may answer with: it has a message, and each dialect's
/// rendering of it is clean JSON (messages echo client text).
inline void check_failure(const failure& f) {
  OH_FUZZ_CHECK(!f.message.empty(), "a failure without a message");
  check_json_text(render_openai_error(f), "openai error body");
  check_json_text(render_anthropic_error(f, "req1"), "anthropic error body");
  check_json_text(render_admin_error(f), "admin error body");
}

/// Every event of a client stream we wrote: `data:` is JSON (or OpenAI's
/// closing `[DONE]`, after which nothing follows), and the bytes split into
/// exactly the events we meant (nothing left over, no stray lines).
inline void check_client_stream(std::string_view bytes, dialect d) {
  OH_FUZZ_CHECK(json::valid_utf8(bytes), std::string{bytes});
  providers::sse_parser parser;
  bool done = false;
  auto on_event = [&](providers::sse_event& ev) {
    OH_FUZZ_CHECK(!done, "an event after [DONE]:\n" + std::string{bytes});
    if (d == dialect::openai && ev.data == "[DONE]") {
      done = true;
      return;
    }
    if (d == dialect::anthropic)
      OH_FUZZ_CHECK(!ev.event.empty(),
                    "an Anthropic event without a name:\n" + ev.data);
    auto doc = json::parse(ev.data);
    OH_FUZZ_CHECK(doc && doc->IsObject(),
                  "client event data is not a JSON object:\n" + ev.data
                    + "\n--- whole stream:\n" + std::string{bytes});
  };
  parser.feed(bytes, on_event);
  OH_FUZZ_CHECK(parser.buffered() == 0,
                "client stream ends inside a line:\n" + std::string{bytes});
  bool open = false;
  parser.finish([&](providers::sse_event&) {
    open = true;
  });
  OH_FUZZ_CHECK(!open,
                "client stream ends inside an event:\n" + std::string{bytes});
}

} // namespace oh::fuzz
