#pragma once

// Takes over an install of the Node original (SPEC §11.3, issue #20): reads
// its database read-only, decides what each row becomes here and says so
// line by line; with `apply`, writes it all in one transaction. Running it
// twice changes nothing the second time.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "store/credential_vault.hpp"
#include "store/database.hpp"

namespace oh::cli {

struct original_import_options {
  /// The original's install folder: config/openhinge.json and
  /// data/openhinge.db.
  std::string from_dir;
  /// Another database file than <from_dir>/data/openhinge.db.
  std::string db_path;
  /// The original's encryption key, when its config file does not hold it.
  std::string encryption_key;
  bool apply = false;
  /// Import into a database that already holds other data.
  bool merge = false;
  /// This machine's CLI credential files, for the borrowed decision
  /// (SPEC §11.3): path by source name (claude_code, codex).
  std::function<std::optional<std::string>(const char*)> env;
  /// Told what a long step has done so far (request log rows read and
  /// written), for a progress line on a terminal; may be empty.
  std::function<void(const std::string&)> progress;
};

struct original_import_report {
  /// Every decision, in order, for a person to read.
  std::vector<std::string> lines;
  int providers = 0, souls = 0, keys = 0, logs = 0, cost_days = 0;
  int skipped = 0;  // already here (a second run)
  int problems = 0; // imported disabled, or not imported, with the reason
  bool applied = false;
  /// The original's password hash (its config's auth.passwordHash), to be
  /// stored as ours (its format is accepted at login).
  std::optional<std::string> password_hash;
};

expected<original_import_report>
import_original(const original_import_options& options, store::database& target,
                const store::credential_vault& vault);

} // namespace oh::cli
