#include "store/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/statement.hpp"

namespace oh::store {

bool store_error::is_unique_violation() const noexcept {
  return code_ == SQLITE_CONSTRAINT_UNIQUE
         || code_ == SQLITE_CONSTRAINT_PRIMARYKEY;
}

bool store_error::is_foreign_key_violation() const noexcept {
  return code_ == SQLITE_CONSTRAINT_FOREIGNKEY;
}

namespace {

bool on_disk(const std::string& path) {
  return !path.empty() && path != ":memory:" && !path.starts_with("file:");
}

/// The database file exists with mode 0600 before SQLite opens it: SQLite
/// gives its -wal and -shm the main file's mode, so all three are private
/// wherever db.path points (SPEC §14). A file from an older run is
/// tightened by path. Never open() an existing database here: closing any
/// descriptor of a file drops every POSIX lock this process holds on it,
/// including those of connections already open.
void make_private(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int fd
      = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
      ::close(fd);
  }
  for (auto* suffix : {"", "-wal", "-shm", "-journal"})
    ::chmod((path + suffix).c_str(), 0600);
}

} // namespace

database::database(const std::string& path) : path_(path) {
  if (on_disk(path))
    make_private(path);
  int rc = sqlite3_open_v2(
    path.c_str(), &db_,
    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw store_error(rc, path + ": " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
       " PRAGMA foreign_keys=ON;");
}

database::~database() {
  sqlite3_close_v2(db_);
}

void database::exec(std::string_view sql) {
  std::string text{sql};
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw store_error(sqlite3_extended_errcode(db_), msg);
  }
}

bool database::has_table(std::string_view name) {
  statement st{*this, "SELECT 1 FROM sqlite_master WHERE name = ?1"
                      " AND type IN ('table','view')"};
  st.bind(1, name);
  return st.step();
}

int64_t database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

int database::changes() const {
  return sqlite3_changes(db_);
}

transaction::transaction(database& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

transaction::~transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
      // The connection is unusable anyway; nothing more to undo.
    }
  }
}

void transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

} // namespace oh::store
