#pragma once

// Turns a command line into an invocation of one command of the table, or
// into the message that tells the person what to type instead.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_spec.hpp"

namespace oh::cli {

struct parse_result {
  /// Set when the line names a command and its arguments fit it.
  std::optional<invocation> call;
  /// `--help` / `-h` was given: show the help of `help_for` (a command
  /// path, or a group such as "provider", or empty for the overview).
  bool wants_help = false;
  std::string help_for;
  /// A usage error to print (exit 2), with what to do next.
  std::string error;
};

/// Parses `args` (without the program name). No words at all, or only
/// flags, is `serve`.
parse_result parse_arguments(const std::vector<std::string>& args);

/// The commands of a group ("provider" → "provider list", ...).
std::vector<const command_spec*> commands_in(std::string_view group);

/// The command with this exact path, or null.
const command_spec* find_command(std::string_view path);

/// Every flag a command accepts (its own, then the client's and the
/// configuration's when they apply).
std::vector<const flag_spec*> accepted_flags(const command_spec& c);

/// The candidate nearest to `word` by edit distance when it is close
/// enough to be a typo, else empty.
std::string nearest(std::string_view word,
                    const std::vector<std::string_view>& candidates);

} // namespace oh::cli
