#pragma once

// JSON helpers over RapidJSON: parsing with a clear error, escaping, and a
// writer alias. RapidJSON is header-only and cheap to include.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/expected.hpp"

namespace oh::json {

namespace detail {

/// Owns a document's memory pool. RapidJSON's own pool starts with a 64 KiB
/// chunk, and the gateway parses several small documents per request (the
/// client's body, the upstream's answer): a 64 KiB allocation each made
/// glibc consolidate its free lists on every request. 4 KiB chunks hold a
/// typical chat request whole; larger documents take more chunks.
struct pool_owner {
  static constexpr size_t chunk_bytes = 4096;
  pool_owner() = default;
  explicit pool_owner(size_t chunk)
    : pool(std::make_unique<rapidjson::MemoryPoolAllocator<>>(chunk)) {}
  std::unique_ptr<rapidjson::MemoryPoolAllocator<>> pool;
};

} // namespace detail

/// A RapidJSON document with its own small-chunk pool (see pool_owner);
/// used exactly like rapidjson::Document.
class document : private detail::pool_owner, public rapidjson::Document {
public:
  document() : pool_owner(chunk_bytes), rapidjson::Document(pool.get()) {}
  /// A document whose values live in another document's pool.
  explicit document(rapidjson::MemoryPoolAllocator<>* shared)
    : rapidjson::Document(shared) {}
  // The pool lives on the heap, so moving a document moves the pointer the
  // base keeps along with the pool that owns it.
  document(document&& other) noexcept = default;
  document& operator=(document&& other) noexcept {
    // The values first (they may live in our old pool), then the pool.
    rapidjson::Document::operator=(std::move(other));
    pool = std::move(other.pool);
    return *this;
  }
  document(const document&) = delete;
  document& operator=(const document&) = delete;
};

using value = rapidjson::Value;
using writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// The nesting limit of every JSON document the gateway reads (SPEC §3):
/// client and admin bodies, upstream answers and stream events, credential
/// files, config, stored rows. Real documents stay far below it (a chat
/// request with tool schemas is rarely deeper than 20); the limit bounds the
/// parser's and every walker's recursion, so no input can exhaust a stack.
inline constexpr int max_depth = 128;

struct parse_options {
  /// Containers may nest this deep; one more is an error.
  int max_depth = json::max_depth;
  /// A member named twice in one object is an error. Our validators read
  /// one occurrence and most upstream parsers keep the last, so forwarding
  /// both would send a value nobody checked (SPEC §3).
  bool reject_duplicates = true;
};

/// Parses text into a document. Besides JSON syntax it enforces the depth
/// limit, refuses duplicate members and requires every string and member
/// name to be valid UTF-8 without surrogate code points (escaped ones
/// included), so nothing read can make an answer of ours invalid UTF-8. On
/// failure the message names the offset and, for a duplicate, the member.
expected<document> parse(std::string_view text, parse_options options = {});

/// True when `text` is valid UTF-8: shortest forms only, no surrogates
/// (U+D800-DFFF), nothing above U+10FFFF.
bool valid_utf8(std::string_view text) noexcept;

/// `text` with every invalid UTF-8 sequence replaced by U+FFFD, for text
/// from outside (upstream bodies, file contents) that ends up in an answer.
std::string sanitize_utf8(std::string_view text);

/// Appends `text` as a quoted JSON string with all required escapes.
void append_quoted(std::string& out, std::string_view text);

/// Serialises a value compactly.
std::string to_string(const value& v);

/// Field accessors that return nothing when the field is absent or null.
const value* find(const value& object, const char* name);
std::optional<std::string> get_string(const value& object, const char* name);
/// An integer field, or `fallback` when absent or not an integer.
int64_t get_int64(const value& object, const char* name, int64_t fallback = 0);

/// Name of a value's JSON type for validation messages ("a string", ...).
const char* type_name(const value& v);

} // namespace oh::json
