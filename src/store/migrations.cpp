#include "store/migrations.hpp"

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "store/statement.hpp"

namespace oh::store {

int schema_version(database& db) {
  if (!db.has_table("schema_migrations"))
    return 0;
  statement st{db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"};
  st.step();
  return static_cast<int>(st.int64(0));
}

status migrate(database& db, const std::vector<migration>& all) {
  if (db.has_table("_migrations") && !db.has_table("schema_migrations"))
    return fail(errc::bad_config,
                db.path()
                  + ": this is an OpenHinge (Node) database: run `openhinge "
                    "import --from <dir>`");
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
          " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
          " applied_at TEXT NOT NULL)");
  int current = schema_version(db);
  int newest = all.empty() ? 0 : all.back().version;
  if (current > newest)
    return fail(errc::bad_config,
                db.path() + ": database schema version "
                  + std::to_string(current) + " is newer than this binary ("
                  + std::to_string(newest) + "); upgrade openhinge");
  for (auto& m : all) {
    if (m.version <= current)
      continue;
    transaction tx{db};
    db.exec(m.sql);
    statement st{db, "INSERT INTO schema_migrations(version, name, applied_at)"
                     " VALUES (?1, ?2, ?3)"};
    st.bind(1, m.version).bind(2, m.name).bind(3, clock::now_iso()).run();
    tx.commit();
    OH_INFO("applied migration {:03d}_{}", m.version, m.name);
  }
  return ok();
}

} // namespace oh::store
