#include "providers/retry_after.hpp"

#include <charconv>
#include <cstdlib>
#include <ctime>

#include "core/clock.hpp"

namespace oh::providers {

std::optional<int64_t> parse_duration_ms(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  double total = 0;
  size_t pos = 0;
  bool any = false;
  while (pos < text.size()) {
    size_t start = pos;
    while (pos < text.size()
           && ((text[pos] >= '0' && text[pos] <= '9') || text[pos] == '.'))
      ++pos;
    if (pos == start)
      return std::nullopt;
    double value = std::strtod(
      std::string{text.substr(start, pos - start)}.c_str(), nullptr);
    std::string_view unit;
    size_t ustart = pos;
    while (pos < text.size()
           && std::isalpha(static_cast<unsigned char>(text[pos])))
      ++pos;
    unit = text.substr(ustart, pos - ustart);
    if (unit == "ms")
      total += value;
    else if (unit == "s" || unit.empty())
      total += value * 1000;
    else if (unit == "m")
      total += value * 60'000;
    else if (unit == "h")
      total += value * 3'600'000;
    else
      return std::nullopt;
    any = true;
  }
  if (!any)
    return std::nullopt;
  return static_cast<int64_t>(total + 0.5);
}

namespace {

std::optional<int64_t> http_date_ms(std::string_view text) {
  std::tm tm{};
  std::string s{text};
  if (::strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr)
    return std::nullopt;
  return static_cast<int64_t>(::timegm(&tm)) * 1000;
}

} // namespace

std::optional<int64_t> retry_after_ms(const header_list& headers,
                                      int64_t now_epoch_ms) {
  std::optional<int64_t> best;
  auto consider = [&](std::optional<int64_t> ms) {
    if (ms && *ms >= 0 && (!best || *ms > *best))
      best = ms;
  };
  for (auto& [name, value] : headers) {
    if (name == "retry-after") {
      int64_t seconds = 0;
      auto [end, ec]
        = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc{} && end == value.data() + value.size())
        consider(seconds * 1000);
      else if (auto at = http_date_ms(value))
        consider(*at - now_epoch_ms);
    } else if (name == "retry-after-ms") {
      consider(parse_duration_ms(value + "ms"));
    } else if (name == "x-ratelimit-reset-requests"
               || name == "x-ratelimit-reset-tokens") {
      consider(parse_duration_ms(value));
    } else if (name.starts_with("anthropic-ratelimit-")
               && name.ends_with("-reset")) {
      if (auto at = clock::parse_timestamp(value))
        consider(*at - now_epoch_ms);
    }
  }
  return best;
}

} // namespace oh::providers
