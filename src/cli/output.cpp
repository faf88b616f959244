#include "cli/output.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include <rapidjson/prettywriter.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace oh::cli {

const terminal& terminal::out() {
  static const terminal t = [] {
    terminal t;
    t.is_tty = ::isatty(STDOUT_FILENO) == 1;
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    t.color = t.is_tty && (no_color == nullptr || *no_color == '\0')
              && !(term != nullptr && std::string_view{term} == "dumb");
    if (t.is_tty) {
      struct winsize ws {};
      if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        t.width = ws.ws_col;
      else if (const char* cols = std::getenv("COLUMNS"))
        t.width = std::atoi(cols);
      if (t.width <= 0)
        t.width = 80;
    }
    return t;
  }();
  return t;
}

bool terminal::stdin_is_tty() {
  return ::isatty(STDIN_FILENO) == 1;
}

std::string paint(std::string_view text, tone t) {
  if (!terminal::out().color || t == tone::plain || text.empty())
    return std::string{text};
  const char* code = "";
  switch (t) {
    case tone::good:
      code = "\x1b[32m";
      break;
    case tone::warn:
      code = "\x1b[33m";
      break;
    case tone::bad:
      code = "\x1b[31m";
      break;
    case tone::dim:
      code = "\x1b[2m";
      break;
    case tone::bold:
      code = "\x1b[1m";
      break;
    case tone::plain:
      break;
  }
  return code + std::string{text} + "\x1b[0m";
}

tone tone_of(std::string_view s) {
  for (auto good : {"healthy", "success", "ok", "closed", "running", "active",
                    "enabled", "yes", "complete"})
    if (s == good)
      return tone::good;
  for (auto warn : {"degraded", "half_open", "half-open", "rate_limited",
                    "cancelled", "pending", "expired", "unknown"})
    if (s == warn)
      return tone::warn;
  for (auto bad : {"down", "error", "open", "denied", "budget_exceeded",
                   "revoked", "failed", "disabled", "no"})
    if (s == bad)
      return tone::bad;
  return tone::plain;
}

size_t display_width(std::string_view text) {
  size_t n = 0;
  for (unsigned char ch : text)
    if ((ch & 0xC0) != 0x80)
      ++n;
  return n;
}

namespace {

/// Cuts `text` to `width` display columns, ending in "…" when cut.
std::string fit(std::string_view text, size_t width) {
  if (display_width(text) <= width)
    return std::string{text};
  if (width == 0)
    return {};
  std::string out;
  size_t cols = 0;
  for (size_t i = 0; i < text.size();) {
    size_t len = 1;
    auto ch = static_cast<unsigned char>(text[i]);
    if (ch >= 0xF0)
      len = 4;
    else if (ch >= 0xE0)
      len = 3;
    else if (ch >= 0xC0)
      len = 2;
    if (cols + 1 >= width)
      break;
    out.append(text.substr(i, len));
    ++cols;
    i += len;
  }
  return out + "…";
}

std::string pad(std::string_view text, size_t width) {
  auto w = display_width(text);
  return std::string{text} + std::string(width > w ? width - w : 0, ' ');
}

} // namespace

table::table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

table& table::flexible(std::vector<size_t> columns) {
  flexible_ = std::move(columns);
  return *this;
}

table& table::toned(size_t column) {
  toned_.push_back(column);
  return *this;
}

void table::add(std::vector<std::string> row) {
  row.resize(headers_.size());
  for (auto& c : row) // one line per row whatever the data holds
    std::replace_if(
      c.begin(), c.end(),
      [](char ch) {
        return ch == '\n' || ch == '\r' || ch == '\t';
      },
      ' ');
  rows_.push_back(std::move(row));
}

std::string table::render(std::string_view empty_message) const {
  if (rows_.empty())
    return std::string{empty_message} + "\n";
  const size_t gap = 2;
  std::vector<size_t> widths(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) {
    widths[c] = display_width(headers_[c]);
    for (auto& r : rows_)
      widths[c] = std::max(widths[c], display_width(r[c]));
  }
  auto total = [&] {
    size_t sum = 0;
    for (auto w : widths)
      sum += w;
    return sum + gap * (widths.size() - 1);
  };
  if (auto limit = static_cast<size_t>(terminal::out().width); limit > 0) {
    // Shrink the widest flexible column, one column at a time, down to
    // its header's width (at least 8), until the table fits.
    while (total() > limit) {
      size_t pick = SIZE_MAX;
      for (auto c : flexible_) {
        size_t floor = std::max<size_t>(8, display_width(headers_[c]));
        if (c < widths.size() && widths[c] > floor
            && (pick == SIZE_MAX || widths[c] > widths[pick]))
          pick = c;
      }
      if (pick == SIZE_MAX)
        break;
      widths[pick] -= 1;
    }
  }
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      bool last = c + 1 == cells.size();
      auto text = fit(cells[c], widths[c]);
      auto padded = last ? text : pad(text, widths[c]);
      if (header)
        out += paint(padded, tone::bold);
      else if (std::find(toned_.begin(), toned_.end(), c) != toned_.end())
        out += paint(text, tone_of(cells[c]))
               + (last ? std::string{}
                       : std::string(widths[c] - display_width(text), ' '));
      else
        out += padded;
      if (!last)
        out += std::string(gap, ' ');
    }
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    return out + "\n";
  };
  std::string out = line(headers_, true);
  for (auto& r : rows_)
    out += line(r, false);
  return out;
}

std::string
key_values(const std::vector<std::pair<std::string, std::string>>& pairs) {
  size_t width = 0;
  for (auto& [k, v] : pairs)
    width = std::max(width, display_width(k));
  std::string out;
  // A value of several lines (a system prompt) keeps its lines, indented
  // under the value column.
  std::string indent(width + 2, ' ');
  for (auto& [k, v] : pairs) {
    std::string value;
    for (char c : v) {
      if (c == '\r')
        continue;
      value += c;
      if (c == '\n')
        value += indent;
    }
    out += paint(pad(k, width), tone::bold) + "  " + value + "\n";
  }
  return out;
}

std::string cell(const json::value* v) {
  if (v == nullptr || v->IsNull())
    return "-";
  if (v->IsString())
    return std::string{v->GetString(), v->GetStringLength()};
  if (v->IsBool())
    return v->GetBool() ? "yes" : "no";
  if (v->IsInt64())
    return std::to_string(v->GetInt64());
  if (v->IsUint64())
    return std::to_string(v->GetUint64());
  if (v->IsDouble()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v->GetDouble());
    return buf;
  }
  if (v->IsArray()) {
    if (v->Empty())
      return "-";
    std::string out;
    for (auto& item : v->GetArray())
      out += (out.empty() ? "" : ",") + cell(&item);
    return out;
  }
  return json::to_string(*v);
}

std::string cell(const json::value& object, const char* name) {
  return cell(json::find(object, name));
}

std::string pretty(const json::value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w{buf};
  w.SetIndent(' ', 2);
  v.Accept(w);
  return std::string{buf.GetString(), buf.GetSize()} + "\n";
}

void print(std::string_view text) {
  std::cout << text << std::flush;
}

void print_error(std::string_view message) {
  std::cerr << "openhinge: " << message << "\n";
}

void print_note(std::string_view message) {
  std::cerr << message << "\n";
}

} // namespace oh::cli
