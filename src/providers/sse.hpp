#pragma once

// Incremental Server-Sent Events parser (WHATWG rules): bytes in, events
// out, split anywhere. Pure: no I/O, no allocation beyond the event text.

#include <functional>
#include <string>
#include <string_view>

namespace oh::providers {

struct sse_event {
  std::string event; // the `event:` field, empty when absent
  std::string data;  // `data:` lines joined by '\n'
  std::string id;
};

class sse_parser {
public:
  using handler = std::function<void(sse_event&)>;

  /// Feeds bytes; calls `on_event` for each complete event.
  void feed(std::string_view bytes, const handler& on_event);
  /// Dispatches an event left without its blank line at end of stream.
  void finish(const handler& on_event);
  /// Bytes held for an unfinished line.
  size_t buffered() const {
    return line_.size();
  }

private:
  void line(std::string_view text, const handler& on_event);
  void dispatch(const handler& on_event);

  std::string line_;
  bool skip_lf_ = false; // the last byte was '\r' (a '\n' may follow)
  bool has_data_ = false;
  bool started_ = false;
  sse_event current_;
};

/// Newline-delimited JSON (Ollama streams): each non-empty line becomes an
/// event with the line in `data`.
class ndjson_reader {
public:
  using handler = sse_parser::handler;
  void feed(std::string_view bytes, const handler& on_line);
  void finish(const handler& on_line);

private:
  sse_event current_;
};

} // namespace oh::providers
