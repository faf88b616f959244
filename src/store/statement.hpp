#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/database.hpp"

struct sqlite3_stmt;

namespace oh::store {

/// A prepared statement; binds are 1-based, columns 0-based (as SQLite).
class statement {
public:
  statement(database& db, std::string_view sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int index, std::string_view text);
  statement& bind(int index, const char* text) {
    return bind(index, std::string_view{text});
  }
  statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view{text});
  }
  statement& bind(int index, int64_t value);
  statement& bind(int index, int value) {
    return bind(index, static_cast<int64_t>(value));
  }
  statement& bind(int index, bool value) {
    return bind(index, static_cast<int64_t>(value ? 1 : 0));
  }
  statement& bind(int index, double value);
  statement& bind_null(int index);
  /// Binds text SQLite reads in place instead of copying it: for bulk
  /// writers. `text` must stay alive and unchanged until the parameter is
  /// bound again or the statement is destroyed.
  statement& bind_borrowed(int index, std::string_view text);
  statement& bind_borrowed(int index, const std::string& text) {
    return bind_borrowed(index, std::string_view{text});
  }
  statement& bind_borrowed(int index, const std::optional<std::string>& text) {
    if (text)
      return bind_borrowed(index, std::string_view{*text});
    return bind_null(index);
  }
  template<class T>
  statement& bind(int index, const std::optional<T>& value) {
    if (value)
      return bind(index, *value);
    return bind_null(index);
  }

  /// Advances; true when a row is available, false when done.
  bool step();
  /// Runs a statement that returns no rows.
  void run();
  void reset();

  bool is_null(int col) const;
  std::string text(int col) const;
  std::optional<std::string> opt_text(int col) const;
  int64_t int64(int col) const;
  std::optional<int64_t> opt_int64(int col) const;
  double real(int col) const;
  std::optional<double> opt_real(int col) const;

private:
  database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

} // namespace oh::store
