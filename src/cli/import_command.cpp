#include "cli/import_command.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <unistd.h>

#include "core/crypto.hpp"
#include "core/data_dir.hpp"
#include "core/defaults.hpp"
#include "store/credential_vault.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "cli/original_import.hpp"

namespace oh::cli {

int import_into(const config& cfg, const import_args& a, store::database& db,
                const store::credential_vault& vault);

expected<import_args> take_import_args(std::vector<std::string>& args) {
  import_args out;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    auto& a = args[i];
    auto value = [&](const char* flag) -> expected<std::string> {
      if (i + 1 >= args.size())
        return fail(errc::bad_config, std::string{flag} + " needs a value");
      return args[++i];
    };
    if (a == "--from") {
      auto v = value("--from");
      if (!v)
        return v.error();
      out.from_dir = *v;
    } else if (a == "--db") {
      auto v = value("--db");
      if (!v)
        return v.error();
      out.db_path = *v;
    } else if (a == "--apply") {
      out.apply = true;
    } else if (a == "--merge") {
      out.merge = true;
    } else {
      rest.push_back(a);
    }
  }
  if (out.from_dir.empty())
    return fail(errc::bad_config,
                "usage: openhinge import --from <the original's install "
                "folder> [--db FILE] [--apply] [--merge] [options]");
  args = std::move(rest);
  return out;
}

int run_import(const config& cfg, const import_args& a) {
  // A dry run into a gateway that does not exist yet creates nothing: it
  // plans against an empty in-memory database.
  bool scratch = !a.apply && !std::filesystem::exists(cfg.db_path);
  if (scratch) {
    try {
      store::database db{":memory:"};
      if (auto st = store::migrate(db, store::embedded_migrations()); !st) {
        std::cerr << "openhinge: " << st.error().message << "\n";
        return 2;
      }
      auto vault = store::credential_vault::open(
        db, crypto::to_hex(crypto::random_bytes(32)));
      if (!vault) {
        std::cerr << "openhinge: " << vault.error().message << "\n";
        return 2;
      }
      return import_into(cfg, a, db, *vault);
    } catch (const std::exception& e) {
      std::cerr << "openhinge import: " << e.what() << "\n";
      return 1;
    }
  }
  if (auto st = data_dir::prepare(cfg.data_dir); !st) {
    std::cerr << "openhinge: " << st.error().message << "\n";
    return 2;
  }
  std::string key = cfg.encryption_key;
  if (key.empty()) {
    bool created = false;
    auto loaded = data_dir::load_or_create_secret(
      cfg.data_dir + "/" + defaults::encryption_key_file,
      [] {
        return crypto::to_hex(crypto::random_bytes(32));
      },
      created);
    if (!loaded) {
      std::cerr << "openhinge: " << loaded.error().message << "\n";
      return 2;
    }
    key = *loaded;
  }
  try {
    auto parent = std::filesystem::path(cfg.db_path).parent_path();
    if (!parent.empty())
      std::filesystem::create_directories(parent);
    store::database db{cfg.db_path};
    if (auto st = store::migrate(db, store::embedded_migrations()); !st) {
      std::cerr << "openhinge: " << st.error().message << "\n";
      return 2;
    }
    auto vault = store::credential_vault::open(db, key);
    if (!vault) {
      std::cerr << "openhinge: " << vault.error().message << "\n";
      return 2;
    }
    return import_into(cfg, a, db, *vault);
  } catch (const std::exception& e) {
    std::cerr << "openhinge import: " << e.what() << "\nnothing was written.\n";
    return 1;
  }
}

int import_into(const config& cfg, const import_args& a, store::database& db,
                const store::credential_vault& vault) {
  try {
    original_import_options o;
    o.from_dir = a.from_dir;
    o.db_path = a.db_path;
    o.apply = a.apply;
    o.merge = a.merge;
    o.env = [](const char* name) -> std::optional<std::string> {
      const char* v = std::getenv(name);
      return v ? std::optional<std::string>{v} : std::nullopt;
    };
    bool terminal = ::isatty(STDERR_FILENO) == 1;
    if (terminal)
      o.progress = [](const std::string& what) {
        std::cerr << "\r\x1b[2K" << what << std::flush;
      };
    auto report = import_original(o, db, vault);
    if (terminal)
      std::cerr << "\r\x1b[2K" << std::flush;
    if (!report) {
      std::cerr << "openhinge import: " << report.error().message
                << "\nnothing was written.\n";
      return 1;
    }
    for (auto& line : report->lines)
      std::cout << "  " << line << "\n";
    std::cout << (report->applied ? "imported" : "would import") << ": "
              << report->providers << " providers, " << report->souls
              << " souls, " << report->keys << " keys, " << report->logs
              << " log rows";
    if (report->skipped > 0)
      std::cout << "; " << report->skipped << " already here";
    if (report->problems > 0)
      std::cout << "; " << report->problems << " need attention (above)";
    std::cout << "\n";
    if (!report->applied)
      std::cout << "dry run: nothing was written. Run again with --apply to "
                   "import into "
                << cfg.db_path << ".\n";
    else if (report->providers + report->souls + report->keys + report->logs
             == 0)
      std::cout << "nothing new: this install was imported already.\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "openhinge import: " << e.what() << "\nnothing was written.\n";
    return 1;
  }
}

} // namespace oh::cli
