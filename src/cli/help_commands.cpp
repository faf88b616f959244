// help, completion and version: answered from the command table alone.

#include <string>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/help_text.hpp"
#include "cli/output.hpp"
#include "cli/session.hpp"

namespace oh::cli::commands {

int help(const invocation& in) {
  if (in.has("--markdown")) {
    print(markdown_reference());
    return exit_status::ok;
  }
  if (in.operands.empty()) {
    print(overview_help());
    return exit_status::ok;
  }
  std::string path;
  for (auto& w : in.operands)
    path += (path.empty() ? "" : " ") + w;
  bool known = find_command(path) != nullptr || !commands_in(path).empty();
  if (!known) {
    std::vector<std::string_view> names;
    for (auto& c : command_table())
      names.push_back(c.path);
    for (auto g : command_groups())
      names.push_back(g);
    auto guess = nearest(path, names);
    usage_failure(
      "no command '" + path + "'."
      + (guess.empty() ? std::string{} : " Did you mean '" + guess + "'?")
      + " See 'openhinge help'.");
  }
  print(command_help(path));
  return exit_status::ok;
}

int completion(const invocation& in) {
  if (in.operands[0] != "bash")
    usage_failure("completion is generated for bash only (openhinge "
                  "completion bash)");
  print(bash_completion());
  return exit_status::ok;
}

int version(const invocation&) {
  print("openhinge " OH_VERSION "\n");
  return exit_status::ok;
}

} // namespace oh::cli::commands
