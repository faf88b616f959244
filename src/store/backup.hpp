#pragma once

// Online backup of the database (SPEC §11.2) through SQLite's backup API,
// while the gateway keeps serving: the copy is one consistent snapshot
// (a read transaction in WAL mode never blocks the writers), checked with
// PRAGMA integrity_check before it is reported.

#include <cstdint>
#include <string>

#include "core/expected.hpp"

namespace oh::store {

struct backup_result {
  std::string path;
  int64_t bytes = 0;
  int64_t pages = 0;
  int64_t millis = 0;
};

/// Copies the database at `source_path` to `dest_path`, which must not
/// exist yet (the copy is written beside it, then renamed: a failed backup
/// leaves nothing half-written). The file is private (0600).
expected<backup_result> backup_database(const std::string& source_path,
                                        const std::string& dest_path);

} // namespace oh::store
