#pragma once

// JSON helpers over RapidJSON: parsing with a clear error, escaping, and a
// writer alias. RapidJSON is header-only and cheap to include.

#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/expected.hpp"

namespace oh::json {

using document = rapidjson::Document;
using value = rapidjson::Value;
using writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// Parses text into a document; on failure the message names the offset.
expected<document> parse(std::string_view text);

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
