#include "store/statement.hpp"

#include <sqlite3.h>

namespace oh::store {

statement::statement(database& db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v2(db.handle(), sql.data(),
                              static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK)
    throw store_error(sqlite3_extended_errcode(db.handle()),
                      std::string{sqlite3_errmsg(db.handle())}
                        + " in: " + std::string{sql});
}

statement::~statement() {
  sqlite3_finalize(stmt_);
}

statement& statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

statement& statement::bind_borrowed(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_STATIC);
  return *this;
}

statement& statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

statement& statement::bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}

statement& statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  throw store_error(sqlite3_extended_errcode(db_.handle()),
                    sqlite3_errmsg(db_.handle()));
}

void statement::run() {
  while (step()) {
    // Discard rows: callers use run() for statements without results.
  }
}

void statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool statement::is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

std::string statement::text(int col) const {
  auto* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr)
    return {};
  return {reinterpret_cast<const char*>(p),
          static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::optional<std::string> statement::opt_text(int col) const {
  if (is_null(col))
    return std::nullopt;
  return text(col);
}

int64_t statement::int64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

std::optional<int64_t> statement::opt_int64(int col) const {
  if (is_null(col))
    return std::nullopt;
  return int64(col);
}

double statement::real(int col) const {
  return sqlite3_column_double(stmt_, col);
}

std::optional<double> statement::opt_real(int col) const {
  if (is_null(col))
    return std::nullopt;
  return real(col);
}

} // namespace oh::store
