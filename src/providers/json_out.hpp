#pragma once

// Small helpers for building JSON documents with RapidJSON's DOM, used by
// the translators where bodies have many optional members.

#include <string>
#include <string_view>

#include "core/json.hpp"

namespace oh::providers::jout {

using json::value;
using allocator = json::document::AllocatorType;

inline value str(std::string_view s, allocator& a) {
  return value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

inline value object() {
  return value(rapidjson::kObjectType);
}

inline value array() {
  return value(rapidjson::kArrayType);
}

/// Adds a member under a string literal key (not copied).
inline void put(value& obj, const char* key, value v, allocator& a) {
  obj.AddMember(rapidjson::StringRef(key), v, a);
}

inline void put_str(value& obj, const char* key, std::string_view s,
                    allocator& a) {
  put(obj, key, str(s, a), a);
}

/// An array of strings.
template<class Strings>
value string_array(const Strings& items, allocator& a) {
  value out = array();
  for (auto& s : items)
    out.PushBack(str(s, a), a);
  return out;
}

/// A deep copy of JSON text as a value; an empty object when the text is
/// empty or not JSON.
inline value parse_or_empty_object(std::string_view text, allocator& a) {
  if (text.empty())
    return object();
  // Bounded like every parse (json::max_depth): the text is a model's or
  // a client's tool arguments.
  auto doc = json::parse(text);
  if (!doc)
    return object();
  return value(*doc, a);
}

/// Compact serialisation.
inline std::string dump(const value& v) {
  return json::to_string(v);
}

} // namespace oh::providers::jout
