#pragma once

// The CLI's entry: parses the command line against the command table and
// runs a client command, or hands a local one (serve, init, migrate,
// import, backup, config show) back to main.

#include <optional>
#include <string>
#include <vector>

namespace oh::cli {

struct local_command {
  std::string path; // "serve", "config show", ...
  std::vector<std::string> args;
};

struct cli_outcome {
  /// Set when the command ran here (or failed to parse): the exit status.
  std::optional<int> exit_status;
  /// Otherwise the local command main runs.
  local_command local;
};

cli_outcome run_cli(const std::vector<std::string>& args);

} // namespace oh::cli
