#include "core/logging.hpp"

#include <atomic>
#include <memory>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/json.hpp"

namespace oh::log {

namespace {

std::atomic<int> current_level{static_cast<int>(level::info)};
std::atomic<bool> json_lines{false};

std::shared_ptr<spdlog::logger>& logger() {
  static auto instance = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto lg = std::make_shared<spdlog::logger>("openhinge", sink);
    lg->set_level(spdlog::level::trace);
    lg->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-5l %v",
                    spdlog::pattern_time_type::utc);
    return lg;
  }();
  return instance;
}

spdlog::level::level_enum to_spdlog(level lvl) {
  switch (lvl) {
    case level::trace:
      return spdlog::level::trace;
    case level::debug:
      return spdlog::level::debug;
    case level::info:
      return spdlog::level::info;
    case level::warn:
      return spdlog::level::warn;
    case level::error:
      return spdlog::level::err;
    default:
      return spdlog::level::off;
  }
}

} // namespace

bool parse_level(std::string_view text, level& out) {
  static constexpr std::pair<std::string_view, level> names[] = {
    {"trace", level::trace}, {"debug", level::debug}, {"info", level::info},
    {"warn", level::warn},   {"error", level::error}, {"off", level::off},
  };
  for (auto& [name, lvl] : names)
    if (text == name) {
      out = lvl;
      return true;
    }
  return false;
}

void setup(level lvl, bool json) {
  current_level = static_cast<int>(lvl);
  json_lines = json;
  if (json)
    logger()->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})",
                          spdlog::pattern_time_type::utc);
  else
    logger()->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-5l %v",
                          spdlog::pattern_time_type::utc);
}

bool enabled(level lvl) noexcept {
  return static_cast<int>(lvl) >= current_level.load(std::memory_order_relaxed)
         && lvl != level::off;
}

void write(level lvl, std::string_view message) {
  if (json_lines.load(std::memory_order_relaxed)) {
    // The pattern opens the object; the message becomes a JSON string so a
    // quote or newline inside it cannot break the line.
    std::string line = "\"msg\":";
    json::append_quoted(line, message);
    logger()->log(to_spdlog(lvl), "{}", line);
  } else {
    logger()->log(to_spdlog(lvl), "{}", message);
  }
}

} // namespace oh::log
