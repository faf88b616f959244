#include "cli/flag_values.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "cli/session.hpp"
#include "core/clock.hpp"
#include "core/data_dir.hpp"
#include "core/json.hpp"

namespace oh::cli {

std::optional<int64_t> integer_flag(const invocation& in, std::string_view name,
                                    int64_t min, int64_t max) {
  if (!in.has(name))
    return std::nullopt;
  auto text = in.get(name);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < min
      || v > max)
    usage_failure(std::string{name} + " must be a whole number from "
                  + std::to_string(min) + " to " + std::to_string(max)
                  + ", not '" + text + "'");
  return v;
}

std::optional<double> number_flag(const invocation& in, std::string_view name,
                                  double min, double max) {
  if (!in.has(name))
    return std::nullopt;
  auto text = in.get(name);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v) || v < min || v > max) {
    char range[64];
    std::snprintf(range, sizeof range, "%g to %g", min, max);
    usage_failure(std::string{name} + " must be a number from " + range
                  + ", not '" + text + "'");
  }
  return v;
}

std::optional<int64_t> dollars_flag(const invocation& in,
                                    std::string_view name) {
  if (!in.has(name))
    return std::nullopt;
  auto text = in.get(name);
  std::string digits = text.starts_with("$") ? text.substr(1) : text;
  char* end = nullptr;
  double v = std::strtod(digits.c_str(), &end);
  if (digits.empty() || *end != '\0' || !std::isfinite(v) || v < 0 || v > 1e9)
    usage_failure(std::string{name}
                  + " must be an amount in dollars such as 5 or 2.50, not '"
                  + text + "'");
  return static_cast<int64_t>(std::llround(v * 100));
}

std::optional<std::string> expiry_flag(const invocation& in,
                                       std::string_view name, int64_t now_ms) {
  if (!in.has(name))
    return std::nullopt;
  auto text = in.get(name);
  if (text.empty() || text == "never" || text == "none")
    return std::string{};
  if (text.size() >= 2) {
    char unit = text.back();
    int64_t unit_ms = unit == 'd'   ? 86'400'000
                      : unit == 'h' ? 3'600'000
                      : unit == 'm' ? 60'000
                                    : 0;
    int64_t n = 0;
    auto digits = std::string_view{text}.substr(0, text.size() - 1);
    auto [end, ec]
      = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (unit_ms != 0 && ec == std::errc{}
        && end == digits.data() + digits.size() && n > 0 && n <= 36'500)
      return clock::format_iso(now_ms + n * unit_ms);
  }
  auto candidate = text.size() == 10 ? text + "T00:00:00Z" : text;
  if (auto ms = clock::parse_timestamp(candidate))
    return clock::format_iso(*ms);
  usage_failure(std::string{name}
                + " must be a date (2027-01-31), an ISO-8601 time "
                  "(2027-01-31T12:00:00Z), a span such as 30d, 12h or 90m, or "
                  "never; not '"
                + text + "'");
}

void enabled_flags(const invocation& in, body_builder& b) {
  if (in.has("--enable") && in.has("--disable"))
    usage_failure("--enable and --disable contradict each other");
  if (in.has("--disabled") || in.has("--disable"))
    b.boolean("is_enabled", false);
  else if (in.has("--enable"))
    b.boolean("is_enabled", true);
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string_view::npos
                                     ? std::string_view::npos
                                     : comma - start);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (!item.empty())
      out.emplace_back(item);
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return out;
}

std::string read_text_file(const std::string& path, std::string_view flag) {
  auto text = data_dir::read_small_file(path, 1024 * 1024);
  if (!text)
    usage_failure(std::string{flag} + ": " + text.error().message);
  return *text;
}

void body_builder::key(std::string_view name) {
  if (members_++ > 0)
    out_ += ",";
  json::append_quoted(out_, name);
  out_ += ":";
}

body_builder& body_builder::text(std::string_view name,
                                 std::string_view value) {
  key(name);
  json::append_quoted(out_, value);
  return *this;
}

body_builder& body_builder::integer(std::string_view name, int64_t value) {
  key(name);
  out_ += std::to_string(value);
  return *this;
}

body_builder& body_builder::number(std::string_view name, double value) {
  key(name);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  out_ += buf;
  return *this;
}

body_builder& body_builder::boolean(std::string_view name, bool value) {
  key(name);
  out_ += value ? "true" : "false";
  return *this;
}

body_builder& body_builder::null(std::string_view name) {
  key(name);
  out_ += "null";
  return *this;
}

body_builder& body_builder::raw(std::string_view name, std::string_view json) {
  key(name);
  out_ += json;
  return *this;
}

body_builder& body_builder::strings(std::string_view name,
                                    const std::vector<std::string>& values) {
  key(name);
  out_ += "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0)
      out_ += ",";
    json::append_quoted(out_, values[i]);
  }
  out_ += "]";
  return *this;
}

} // namespace oh::cli
