#pragma once

// What a person or a script reads: aligned tables fitted to the terminal,
// colour only on a terminal without NO_COLOR, JSON for --json.

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace oh::cli {

/// Facts about standard output, read once.
struct terminal {
  bool is_tty = false;
  bool color = false;
  /// Columns; 0 when not a terminal (no fitting then).
  int width = 0;
  static const terminal& out();
  static bool stdin_is_tty();
};

enum class tone { plain, good, warn, bad, dim, bold };

/// `text` in the tone's colour when colour is on.
std::string paint(std::string_view text, tone t);

/// The tone of a health or outcome word ("healthy", "down", "error", ...).
tone tone_of(std::string_view status);

/// Display width of UTF-8 text (code points; the CLI prints no wide
/// characters of its own).
size_t display_width(std::string_view text);

class table {
public:
  explicit table(std::vector<std::string> headers);
  /// Columns that may be cut with "…" when the terminal is too narrow,
  /// widest first; others keep their width.
  table& flexible(std::vector<size_t> columns);
  /// Columns painted by tone_of(cell).
  table& toned(size_t column);
  void add(std::vector<std::string> row);
  size_t size() const {
    return rows_.size();
  }
  /// The table with a header line; "(none)" style message when empty.
  std::string render(std::string_view empty_message) const;

private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<size_t> flexible_;
  std::vector<size_t> toned_;
};

/// `key  value` lines, keys aligned.
std::string
key_values(const std::vector<std::pair<std::string, std::string>>& pairs);

/// A JSON value as one table cell: strings bare, null "-", arrays joined.
std::string cell(const json::value* v);
std::string cell(const json::value& object, const char* name);

/// Pretty JSON (2-space indent) with a newline, for --json output.
std::string pretty(const json::value& v);

/// Prints to stdout / stderr (stderr lines are prefixed "openhinge: ").
void print(std::string_view text);
void print_error(std::string_view message);
void print_note(std::string_view message);

} // namespace oh::cli
