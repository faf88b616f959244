// `openhinge import` against an install of the Node original built by the
// fixture (test/support/original_install): a dry run writes nothing, apply
// then apply again, and the real binary then serves the old keys, souls and
// password as before (issue #20, SPEC §11.3, §5.1).

#include <filesystem>

#include <sqlite3.h>

#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "gateway.hpp"
#include "support/original_install.hpp"
#include "upstream.hpp"
#include "wire.hpp"

using namespace oh;
using namespace oh::test;

namespace {

struct run_result {
  int status = -1;
  std::string output;
};

/// Runs `openhinge <command> …` to its end.
run_result run_command(const temp_dir& dir, std::vector<std::string> args,
                       std::map<std::string, std::string> env = {}) {
  static int n = 0;
  auto log = dir.file("command-" + std::to_string(++n) + ".log");
  env.emplace("OPENHINGE_CONFIG", "");
  child_process child{OH_BINARY, args, env, log};
  run_result r;
  r.status = child.wait(std::chrono::seconds(60));
  r.output = read_file(log);
  return r;
}

run_result run_import(const temp_dir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), "import");
  return run_command(dir, std::move(args));
}

std::string file_digest(const std::string& path) {
  return std::filesystem::exists(path) ? crypto::sha256_hex(read_file(path))
                                       : std::string{"absent"};
}

/// One value of a query against a database file (read-only).
std::string query_one(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr)
      == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK
        && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

TEST(Import, ADryRunThenTwoAppliesServeEveryOldKeyAsBefore) {
  temp_dir dir;
  fake_upstream upstream{dir.path()};
  original_install_spec spec;
  spec.upstream_base_url = upstream.base_url();
  auto orig = make_original_install(dir.file("orig"), spec);
  auto source_before = file_digest(orig.db_path);
  auto data = dir.file("data");
  std::vector<std::string> base{"--from", orig.dir, "--data-dir", data};

  auto dry = run_import(dir, base);
  ASSERT_EQ(dry.status, 0) << dry.output;
  EXPECT_NE(dry.output.find("dry run: nothing was written"), std::string::npos)
    << dry.output;
  EXPECT_NE(dry.output.find("key weird_expiry"), std::string::npos);
  // Not even the target's data directory was made.
  EXPECT_FALSE(std::filesystem::exists(data)) << dry.output;

  auto applied = run_import(dir, [&] {
    auto a = base;
    a.push_back("--apply");
    return a;
  }());
  ASSERT_EQ(applied.status, 0) << applied.output;
  EXPECT_NE(applied.output.find("imported: 9 providers, 3 souls, 8 keys"),
            std::string::npos)
    << applied.output;
  auto again = run_import(dir, [&] {
    auto a = base;
    a.push_back("--apply");
    return a;
  }());
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("nothing new"), std::string::npos)
    << again.output;
  EXPECT_EQ(file_digest(orig.db_path), source_before);

  gateway gw{data};
  auto chat = [&](const std::string& key, const std::string& path) {
    return http_request(
      gw.port(), "POST", path,
      R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})",
      "Authorization: Bearer " + key);
  };
  const std::string v1 = "/v1/chat/completions";
  auto r = chat(orig.keys.at("plain"), v1);
  EXPECT_EQ(r.status, 200) << r.body;
  // The first use re-stored the key as SHA-256 (SPEC §5.1).
  EXPECT_EQ(query_one(data + "/openhinge.db",
                      "SELECT hash_algo FROM api_keys WHERE id = '"
                        + orig.key_ids.at("plain") + "'"),
            "sha256");
  EXPECT_EQ(chat(orig.keys.at("plain"), v1).status, 200);
  // Limits and budgets came along.
  EXPECT_EQ(query_one(data + "/openhinge.db",
                      "SELECT rate_limit_rpm || ',' || daily_budget_cents || "
                      "',' || monthly_budget_cents FROM api_keys WHERE id = '"
                        + orig.key_ids.at("budgeted") + "'"),
            "30,500,5000");
  // Bound keys keep their souls; the legacy soul_id became a binding.
  EXPECT_EQ(
    chat(orig.keys.at("bound"), "/v1/souls/support-bot/chat/completions")
      .status,
    200);
  EXPECT_EQ(
    chat(orig.keys.at("bound"), "/v1/souls/translator/chat/completions").status,
    403);
  EXPECT_EQ(
    chat(orig.keys.at("legacy"), "/v1/souls/translator/chat/completions")
      .status,
    200);
  EXPECT_EQ(
    chat(orig.keys.at("legacy"), "/v1/souls/json-extractor/chat/completions")
      .status,
    403);
  EXPECT_EQ(chat(orig.keys.at("revoked"), v1).status, 401);
  EXPECT_EQ(chat(orig.keys.at("expired"), v1).status, 401);
  // The original never expired a key whose expiry is no date.
  EXPECT_EQ(chat(orig.keys.at("weird_expiry"), v1).status, 200);
  // A made-up key with a real prefix is just unknown.
  auto fake = orig.keys.at("budgeted").substr(0, 12) + std::string(35, 'x');
  EXPECT_EQ(chat(fake, v1).status, 401);

  // The original's password logs in.
  auto login = http_request(gw.port(), "POST", "/admin/auth/login",
                            R"({"password":")" + spec.password + R"("})");
  EXPECT_EQ(login.status, 200) << login.body;
  // The history is searchable.
  auto logs = gw.admin("GET", "/admin/cost/logs/query?per_page=200");
  ASSERT_EQ(logs.status, 200) << logs.body;
  EXPECT_GE(parse(logs.body)["total"].GetInt64(),
            static_cast<int64_t>(orig.usage_rows));
  // The original's general settings came along (stored: our defaults are
  // not stored rows).
  EXPECT_NE(query_one(data + "/openhinge.db",
                      "SELECT value FROM settings WHERE key = 'general'")
              .find("\"timezone\":\"UTC\""),
            std::string::npos);
  // Subscription credentials got an explicit mode.
  auto providers = gw.admin("GET", "/admin/providers").body;
  EXPECT_NE(providers.find("\"auth_mode\":\"oauth\""), std::string::npos);
  EXPECT_EQ(providers.find("sk-ant-oat01"), std::string::npos);
}

TEST(Import, ABrokenSourceOrAForeignKeyLeavesTheTargetUntouched) {
  temp_dir dir;
  original_install_spec spec;
  spec.undecryptable_provider = true;
  auto orig = make_original_install(dir.file("orig"), spec);
  auto data = dir.file("data");
  auto r = run_import(dir, {"--from", orig.dir, "--data-dir", data, "--apply"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("Gemini (other install): its credentials do not "
                          "decrypt"),
            std::string::npos)
    << r.output;
  EXPECT_EQ(query_one(data + "/openhinge.db",
                      "SELECT is_enabled FROM providers WHERE name = 'Gemini "
                      "(other install)'"),
            "0");

  original_install_spec broken;
  broken.corrupt_db = true;
  auto bad = make_original_install(dir.file("bad"), broken);
  auto before = file_digest(data + "/openhinge.db");
  auto refused = run_import(
    dir, {"--from", bad.dir, "--data-dir", data, "--apply", "--merge"});
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_NE(refused.output.find("nothing was written"), std::string::npos)
    << refused.output;
  EXPECT_EQ(file_digest(data + "/openhinge.db"), before);

  // Another install into a database with data of its own needs --merge.
  auto other = make_original_install(dir.file("other"));
  auto mixed = run_import(dir, {"--from", other.dir, "--data-dir", data});
  EXPECT_EQ(mixed.status, 1) << mixed.output;
  EXPECT_NE(mixed.output.find("--merge"), std::string::npos) << mixed.output;
}

TEST(Import, ASubscriptionClaudeCodeStillHoldsIsBorrowed) {
  temp_dir dir;
  auto orig = make_original_install(dir.file("orig"));
  // This machine's Claude Code holds the same login as "Claude (max)".
  auto creds = json::parse(orig.provider_credentials.at("Claude (max)"));
  ASSERT_TRUE(creds);
  std::filesystem::create_directories(dir.file("home/.claude"));
  write_file(dir.file("home/.claude/.credentials.json"),
             R"({"claudeAiOauth":{"accessToken":"rotated-since",)"
             R"("refreshToken":")"
               + std::string{(*creds)["refresh_token"].GetString()}
               + R"(","expiresAt":4102444800000}})");
  auto r = run_command(
    dir,
    {"import", "--from", orig.dir, "--data-dir", dir.file("data"), "--apply"},
    {{"HOME", dir.file("home")}});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("provider Claude (max) (claude): borrowed"),
            std::string::npos)
    << r.output;
  // The ChatGPT login has no Codex file here: owned.
  EXPECT_NE(r.output.find("provider OpenAI (ChatGPT) (openai): oauth"),
            std::string::npos)
    << r.output;
  EXPECT_EQ(query_one(dir.file("data") + "/openhinge.db",
                      "SELECT auth_mode FROM providers WHERE name = 'Claude "
                      "(max)'"),
            "borrowed");
}

TEST(Import, InitAndMigratePrepareAGatewayWithoutServing) {
  temp_dir dir;
  auto data = dir.file("data");
  auto first = run_command(dir, {"init", "--data-dir", data});
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_NE(first.output.find("(created)"), std::string::npos) << first.output;
  EXPECT_TRUE(std::filesystem::exists(data + "/openhinge.db"));
  EXPECT_TRUE(std::filesystem::exists(data + "/admin.token"));
  auto token = read_file(data + "/admin.token");
  auto second = run_command(dir, {"init", "--data-dir", data});
  ASSERT_EQ(second.status, 0) << second.output;
  EXPECT_EQ(second.output.find("(created)"), std::string::npos)
    << second.output;
  EXPECT_EQ(read_file(data + "/admin.token"), token);
  auto migrate = run_command(dir, {"migrate", "--data-dir", data});
  ASSERT_EQ(migrate.status, 0) << migrate.output;
  EXPECT_NE(migrate.output.find("up to date"), std::string::npos)
    << migrate.output;

  // A database of the Node original is never migrated in place.
  auto orig = make_original_install(dir.file("orig"));
  auto before = file_digest(orig.db_path);
  auto refused = run_command(dir, {"migrate", "--db", orig.db_path});
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_NE(refused.output.find("import"), std::string::npos) << refused.output;
  EXPECT_EQ(file_digest(orig.db_path), before);
}

} // namespace
