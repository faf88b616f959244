#pragma once

// Text generated from the command table: help screens, docs/cli.md and the
// bash completion script (so none of them can go stale by hand).

#include <string>
#include <string_view>

namespace oh::cli {

/// `openhinge help`: every command by group.
std::string overview_help();

/// `openhinge help provider`: the group's commands.
std::string group_help(std::string_view group);

/// `openhinge help provider add` / `--help`: usage, options, examples.
std::string command_help(std::string_view path);

/// docs/cli.md.
std::string markdown_reference();

/// `openhinge completion bash`.
std::string bash_completion();

} // namespace oh::cli
