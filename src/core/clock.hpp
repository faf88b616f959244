#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oh::clock {

/// Milliseconds since the Unix epoch, from the system clock.
int64_t now_ms();

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the one timestamp format the store writes.
std::string format_iso(int64_t epoch_ms);
inline std::string now_iso() {
  return format_iso(now_ms());
}

/// Milliseconds on the steady clock (CAF's actor clock in production): its
/// epoch is the machine's boot, so it orders and measures but dates nothing.
int64_t steady_now_ms();

/// The wall-clock time, as `format_iso`, of `steady_at_ms`, a point on a
/// steady clock whose present is `steady_now_ms` (passed in, so actors on a
/// virtual clock can use it too).
std::string format_iso_from_steady(int64_t steady_at_ms, int64_t steady_now_ms);

/// Parses ISO-8601 (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`)
/// and SQLite's `YYYY-MM-DD HH:MM:SS`; times without a zone are UTC.
std::optional<int64_t> parse_timestamp(std::string_view text);

} // namespace oh::clock
