#pragma once

// The CLI's commands as data (SPEC §13.2): one table drives argument
// parsing, `openhinge help`, `--help`, bash completion and docs/cli.md, so
// none of them can drift from what the binary accepts.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace oh::cli {

/// Exit statuses every command keeps (SPEC §13.2).
namespace exit_status {
inline constexpr int ok = 0;
/// The gateway answered with an error (its message is printed).
inline constexpr int api_error = 1;
/// Wrong arguments, or configuration the CLI cannot use.
inline constexpr int usage = 2;
/// Nothing answered at the target URL.
inline constexpr int unreachable = 3;
} // namespace exit_status

struct flag_spec {
  std::string_view name;  // "--name"
  std::string_view value; // "NAME"; empty for a switch
  std::string_view help;
  /// Values offered by completion (and checked when not empty).
  std::vector<std::string_view> choices = {};
  bool required = false;
  bool repeatable = false;
};

struct invocation;
using command_fn = int (*)(const invocation&);

enum class command_kind {
  /// Runs in this process on the local data directory (serve, init, ...).
  local,
  /// A client of a running gateway's admin API.
  client,
};

struct command_spec {
  std::string_view path;     // "provider add"
  std::string_view operands; // "<id>", "[<id>...]"; shown in usage lines
  std::string_view summary;  // one line
  std::string_view details;  // a paragraph for `help <command>`
  std::vector<flag_spec> flags;
  std::vector<std::string_view> examples;
  command_kind kind = command_kind::client;
  command_fn run = nullptr;
  int min_operands = 0;
  int max_operands = 0; // -1 = any number
  /// Flags of the configuration (--config, --data-dir, ...) apply.
  bool config_flags = true;
};

/// A parsed command line.
struct invocation {
  const command_spec* command = nullptr;
  std::vector<std::string> operands;
  /// Flag name ("--name") → values in order; a switch has one empty value.
  std::map<std::string, std::vector<std::string>, std::less<>> flags;
  /// The arguments as given after the command words (local commands parse
  /// them again with the configuration loader).
  std::vector<std::string> raw_args;

  bool has(std::string_view flag) const;
  /// The last value of a flag, or `fallback`.
  std::string get(std::string_view flag, std::string fallback = {}) const;
  const std::vector<std::string>& all(std::string_view flag) const;
};

/// Every command, in the order help lists them.
const std::vector<command_spec>& command_table();

/// Flags every client command accepts (target, token, output).
const std::vector<flag_spec>& client_flags();

/// Flags of the configuration every command accepts.
const std::vector<flag_spec>& config_flags();

/// The first words of the command paths ("provider", "key", ...), each
/// once, in table order.
std::vector<std::string_view> command_groups();

/// The one-line description of a group ("provider": "LLM accounts").
std::string_view group_summary(std::string_view group);

} // namespace oh::cli
