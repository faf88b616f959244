#include "cli/setup_commands.hpp"

#include <filesystem>
#include <iostream>

#include "core/crypto.hpp"
#include "core/data_dir.hpp"
#include "core/defaults.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace oh::cli {

namespace {

/// Opens (creating) the database and applies what is pending; prints what
/// changed. False on an error (printed).
bool migrate_database(const config& cfg) {
  try {
    auto parent = std::filesystem::path(cfg.db_path).parent_path();
    if (!parent.empty())
      std::filesystem::create_directories(parent);
    bool existed = std::filesystem::exists(cfg.db_path);
    store::database db{cfg.db_path};
    int before = existed ? store::schema_version(db) : 0;
    if (auto st = store::migrate(db, store::embedded_migrations()); !st) {
      std::cerr << "openhinge: " << st.error().message << "\n";
      return false;
    }
    int after = store::schema_version(db);
    std::cout << "  database " << cfg.db_path << ": "
              << (existed ? "" : "created, ")
              << (after == before ? "schema up to date (version "
                                      + std::to_string(after) + ")"
                                  : "schema " + std::to_string(before) + " → "
                                      + std::to_string(after))
              << "\n";
    return true;
  } catch (const std::exception& e) {
    std::cerr << "openhinge: db.path: " << e.what() << "\n";
    return false;
  }
}

/// Creates a secret file unless the configuration or the file has it.
bool ensure_secret(const config& cfg, const std::string& configured,
                   const char* file, const char* what,
                   const std::function<std::string()>& make) {
  if (!configured.empty()) {
    std::cout << "  " << what << ": from the configuration\n";
    return true;
  }
  bool created = false;
  auto path = cfg.data_dir + "/" + file;
  auto secret = data_dir::load_or_create_secret(path, make, created);
  if (!secret) {
    std::cerr << "openhinge: " << secret.error().message << "\n";
    return false;
  }
  std::cout << "  " << what << ": " << path << (created ? " (created)" : "")
            << "\n";
  return true;
}

} // namespace

int run_init(const config& cfg) {
  if (auto st = data_dir::prepare(cfg.data_dir); !st) {
    std::cerr << "openhinge: " << st.error().message << "\n";
    return 2;
  }
  std::cout << "openhinge init\n  data directory: " << cfg.data_dir << "\n";
  if (!ensure_secret(cfg, cfg.encryption_key, defaults::encryption_key_file,
                     "encryption key",
                     [] {
                       return crypto::to_hex(crypto::random_bytes(32));
                     })
      || !ensure_secret(cfg, cfg.admin_token, defaults::admin_token_file,
                        "admin token",
                        [] {
                          return crypto::new_admin_token();
                        })
      || !migrate_database(cfg))
    return 2;
  std::cout << "ready: `openhinge serve` starts the gateway on " << cfg.host
            << ":" << cfg.port << "\n";
  return 0;
}

int run_migrate(const config& cfg) {
  std::cout << "openhinge migrate\n";
  return migrate_database(cfg) ? 0 : 2;
}

} // namespace oh::cli
