#pragma once

// What the client commands share: printing an answer as a table or as
// JSON, and small formatters for times and money.

#include <functional>
#include <string>

#include "cli/output.hpp"
#include "cli/session.hpp"
#include "core/json.hpp"

namespace oh::cli {

/// The answer's `data` member, or the answer itself.
const json::value& data_of(const json::value& answer);

/// Prints `data_of(answer)` as pretty JSON under --json, else `render` of it.
void emit(const session& s, const json::value& answer,
          const std::function<std::string(const json::value&)>& render);

/// Every member as `name  value` lines; objects one level deep become
/// `name.member` lines (health.status, ...).
std::string describe_object(const json::value& object);

/// "2026-12-03T09:21:03.595Z" → "2026-12-03 09:21:03"; "-" for none.
std::string when(const std::string& iso);

/// Money for people: micro-dollars → "$0.0123", cents → "$1.50".
std::string dollars_from_micros(int64_t micros);
std::string dollars_from_cents(double cents);

/// A path segment from user input, escaped.
std::string segment(const std::string& text);

/// A progress line on stderr when it is a terminal (overwritten in place);
/// nothing for scripts. `done` ends the line.
void progress(const std::string& text, bool done = false);

} // namespace oh::cli
