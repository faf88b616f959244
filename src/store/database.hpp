#pragma once

// RAII around one SQLite connection. Store code throws store_error on
// SQLite failures; the store actor turns them into admin errors.

#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;

namespace oh::store {

class store_error : public std::runtime_error {
public:
  store_error(int code, const std::string& what)
    : std::runtime_error(what), code_(code) {}
  /// SQLite extended result code.
  int code() const noexcept {
    return code_;
  }
  /// True for UNIQUE / PRIMARY KEY violations.
  bool is_unique_violation() const noexcept;
  /// True for FOREIGN KEY violations.
  bool is_foreign_key_violation() const noexcept;

private:
  int code_;
};

class database {
public:
  /// Opens (creating when missing) and applies the pragmas of SPEC §11.1.
  explicit database(const std::string& path);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  /// Runs one or more statements without results.
  void exec(std::string_view sql);
  /// Whether a table (or virtual table) exists.
  bool has_table(std::string_view name);
  int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() const noexcept {
    return db_;
  }
  const std::string& path() const noexcept {
    return path_;
  }

private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

/// BEGIN IMMEDIATE on construction, ROLLBACK unless commit() was called.
class transaction {
public:
  explicit transaction(database& db);
  ~transaction();
  void commit();

private:
  database& db_;
  bool done_ = false;
};

} // namespace oh::store
