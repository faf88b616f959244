#include "cli/command_support.hpp"

#include <cstdio>
#include <iostream>

#include <unistd.h>

namespace oh::cli {

const json::value& data_of(const json::value& answer) {
  if (answer.IsObject())
    if (auto* d = json::find(answer, "data"))
      return *d;
  return answer;
}

void emit(const session& s, const json::value& answer,
          const std::function<std::string(const json::value&)>& render) {
  if (s.json_output())
    print(pretty(data_of(answer)));
  else
    print(render(data_of(answer)));
}

std::string describe_object(const json::value& object) {
  std::vector<std::pair<std::string, std::string>> lines;
  if (!object.IsObject())
    return cell(&object) + "\n";
  for (auto& m : object.GetObject()) {
    std::string name{m.name.GetString(), m.name.GetStringLength()};
    if (m.value.IsObject() && m.value.MemberCount() > 0
        && m.value.MemberCount() <= 12) {
      for (auto& inner : m.value.GetObject()) {
        std::string value = inner.value.IsObject()
                              ? json::to_string(inner.value)
                              : cell(&inner.value);
        lines.emplace_back(name + "." + inner.name.GetString(), value);
      }
      continue;
    }
    std::string value
      = m.value.IsObject() ? json::to_string(m.value) : cell(&m.value);
    if (name.ends_with("_at") && m.value.IsString())
      value = when(value);
    lines.emplace_back(std::move(name), std::move(value));
  }
  return key_values(lines);
}

std::string when(const std::string& iso) {
  if (iso.empty() || iso == "-")
    return "-";
  if (iso.size() >= 19 && iso[10] == 'T')
    return iso.substr(0, 10) + " " + iso.substr(11, 8);
  return iso;
}

std::string dollars_from_micros(int64_t micros) {
  char buf[48];
  if (micros == 0)
    return "$0";
  if (micros < 10'000) // below a cent: keep the digits that say something
    std::snprintf(buf, sizeof buf, "$%.6f", static_cast<double>(micros) / 1e6);
  else
    std::snprintf(buf, sizeof buf, "$%.4f", static_cast<double>(micros) / 1e6);
  return buf;
}

std::string dollars_from_cents(double cents) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "$%.2f", cents / 100.0);
  return buf;
}

std::string segment(const std::string& text) {
  return url_encode(text);
}

void progress(const std::string& text, bool done) {
  if (::isatty(STDERR_FILENO) != 1)
    return;
  std::cerr << "\r\x1b[2K" << text << (done ? "\n" : "") << std::flush;
}

} // namespace oh::cli
