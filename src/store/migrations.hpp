#pragma once

// Numbered schema migrations compiled into the binary (SPEC §11.1).

#include <string>
#include <vector>

#include "core/expected.hpp"
#include "store/database.hpp"

namespace oh::store {

struct migration {
  int version;
  const char* name;
  const char* sql;
};

/// All migrations in src/store/migrations, ordered by version.
const std::vector<migration>& embedded_migrations();

/// Highest version recorded in schema_migrations (0 for a fresh database).
int schema_version(database& db);

/// Applies every migration newer than the database, each in its own
/// transaction. Refuses Node OpenHinge databases and databases newer than
/// the binary.
status migrate(database& db, const std::vector<migration>& all);

} // namespace oh::store
