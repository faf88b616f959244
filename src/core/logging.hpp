#pragma once

// The only entry point for logs. spdlog stays inside logging.cpp; callers use
// the OH_* macros with fmt-style format strings. Secrets go through
// oh::redacted so that a full value never reaches a log line.

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace oh::log {

enum class level { trace, debug, info, warn, error, off };

/// Parses `trace debug info warn error off`; returns false on anything else.
bool parse_level(std::string_view text, level& out);

/// Configures the process logger: level and `text` or `json` lines on stderr.
void setup(level lvl, bool json);

bool enabled(level lvl) noexcept;
void write(level lvl, std::string_view message);

} // namespace oh::log

namespace oh {

/// A secret shown as its first four and last four characters (`ohk_…abcd`).
struct redacted {
  std::string_view secret;
};

} // namespace oh

template<>
struct fmt::formatter<oh::redacted> : fmt::formatter<std::string_view> {
  template<class Ctx>
  auto format(const oh::redacted& r, Ctx& ctx) const {
    std::string shown;
    if (r.secret.size() >= 16) {
      shown.append(r.secret.substr(0, 4));
      shown.append("…");
      shown.append(r.secret.substr(r.secret.size() - 4));
    } else {
      shown = "…";
    }
    return fmt::formatter<std::string_view>::format(shown, ctx);
  }
};

#define OH_LOG_AT(lvl, ...)                                                    \
  do {                                                                         \
    if (::oh::log::enabled(lvl))                                               \
      ::oh::log::write(lvl, ::fmt::format(__VA_ARGS__));                       \
  } while (false)

#define OH_TRACE(...) OH_LOG_AT(::oh::log::level::trace, __VA_ARGS__)
#define OH_DEBUG(...) OH_LOG_AT(::oh::log::level::debug, __VA_ARGS__)
#define OH_INFO(...) OH_LOG_AT(::oh::log::level::info, __VA_ARGS__)
#define OH_WARN(...) OH_LOG_AT(::oh::log::level::warn, __VA_ARGS__)
#define OH_ERROR(...) OH_LOG_AT(::oh::log::level::error, __VA_ARGS__)
