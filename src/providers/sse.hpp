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
  /// One event (its unfinished line plus its data so far) may hold at most
  /// this many bytes; past it the parser stops and overflowed() is true.
  void set_limit(size_t bytes) {
    limit_ = bytes;
  }
  bool overflowed() const {
    return overflowed_;
  }

private:
  void overflow();

  void line(std::string_view text, const handler& on_event);
  void dispatch(const handler& on_event);

  std::string line_;
  bool skip_lf_ = false; // the last byte was '\r' (a '\n' may follow)
  bool has_data_ = false;
  bool started_ = false;
  bool overflowed_ = false;
  size_t limit_ = static_cast<size_t>(-1);
  sse_event current_;
};

/// Newline-delimited JSON (Ollama streams): each non-empty line becomes an
/// event with the line in `data`.
class ndjson_reader {
public:
  using handler = sse_parser::handler;
  void feed(std::string_view bytes, const handler& on_line);
  void finish(const handler& on_line);
  /// A line may hold at most this many bytes (see sse_parser::set_limit).
  void set_limit(size_t bytes) {
    limit_ = bytes;
  }
  bool overflowed() const {
    return overflowed_;
  }

private:
  sse_event current_;
  bool overflowed_ = false;
  size_t limit_ = static_cast<size_t>(-1);
};

} // namespace oh::providers
