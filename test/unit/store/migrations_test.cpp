#include <gtest/gtest.h>

#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/statement.hpp"
#include "support/temp_dir.hpp"

using namespace oh;
using namespace oh::store;

TEST(Migrations, FreshInstallCreatesEveryTableOfTheDataModel) {
  test::temp_dir dir;
  database db{dir.file("oh.db")};
  ASSERT_TRUE(migrate(db, embedded_migrations()));
  EXPECT_EQ(schema_version(db), embedded_migrations().back().version);
  for (auto table : {"providers", "souls", "api_keys", "api_key_souls",
                     "usage_logs", "cost_daily", "settings", "admin_sessions",
                     "admin_audit", "oauth_flows", "schema_migrations"})
    EXPECT_TRUE(db.has_table(table)) << table;
  // The original's unused tables are not created.
  for (auto table :
       {"budgets", "tasks", "cron_jobs", "webhooks", "_migrations"})
    EXPECT_FALSE(db.has_table(table)) << table;
  statement fts{db, "SELECT 1 FROM sqlite_master WHERE name='usage_logs_fts'"};
  EXPECT_TRUE(fts.step());
}

TEST(Migrations, DatabaseRunsInWalModeWithForeignKeys) {
  test::temp_dir dir;
  database db{dir.file("oh.db")};
  statement mode{db, "PRAGMA journal_mode"};
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
  statement fk{db, "PRAGMA foreign_keys"};
  ASSERT_TRUE(fk.step());
  EXPECT_EQ(fk.int64(0), 1);
}

TEST(Migrations, UpgradeAppliesOnlyNewMigrationsAndKeepsData) {
  test::temp_dir dir;
  auto all = embedded_migrations();
  ASSERT_GE(all.size(), 2u);
  {
    database db{dir.file("oh.db")};
    std::vector<migration> first{all.front()};
    ASSERT_TRUE(migrate(db, first));
    EXPECT_EQ(schema_version(db), all.front().version);
    EXPECT_FALSE(db.has_table("usage_logs"));
    db.exec("INSERT INTO settings(key, value, updated_at)"
            " VALUES ('general', '{\"name\":\"kept\"}', 'now')");
  }
  database db{dir.file("oh.db")};
  ASSERT_TRUE(migrate(db, all));
  EXPECT_EQ(schema_version(db), all.back().version);
  EXPECT_TRUE(db.has_table("usage_logs"));
  statement st{db, "SELECT value FROM settings WHERE key = 'general'"};
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.text(0), "{\"name\":\"kept\"}");
  statement count{db, "SELECT COUNT(*) FROM schema_migrations"};
  count.step();
  EXPECT_EQ(count.int64(0), static_cast<int64_t>(all.size()));
  // Running again changes nothing.
  ASSERT_TRUE(migrate(db, all));
}

TEST(Migrations, RefusesADatabaseNewerThanTheBinary) {
  test::temp_dir dir;
  database db{dir.file("oh.db")};
  ASSERT_TRUE(migrate(db, embedded_migrations()));
  db.exec("INSERT INTO schema_migrations VALUES (999, 'future', 'now')");
  auto st = migrate(db, embedded_migrations());
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("newer than this binary"),
            std::string::npos);
}

TEST(Migrations, RefusesANodeOpenHingeDatabase) {
  test::temp_dir dir;
  database db{dir.file("oh.db")};
  db.exec("CREATE TABLE _migrations (id INTEGER PRIMARY KEY, name TEXT)");
  auto st = migrate(db, embedded_migrations());
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("openhinge import --from"),
            std::string::npos);
  EXPECT_FALSE(db.has_table("providers"));
}

TEST(Migrations, AFailingMigrationLeavesNoTrace) {
  test::temp_dir dir;
  database db{dir.file("oh.db")};
  std::vector<migration> broken{
    {1, "ok", "CREATE TABLE a (x INTEGER);"},
    {2, "bad", "CREATE TABLE b (y); SELECT * FROM nope;"}};
  EXPECT_THROW(migrate(db, broken), store_error);
  EXPECT_EQ(schema_version(db), 1);
  EXPECT_TRUE(db.has_table("a"));
  EXPECT_FALSE(db.has_table("b"));
}
