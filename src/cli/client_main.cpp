#include "cli/client_main.hpp"

#include <exception>

#include "cli/arguments.hpp"
#include "cli/help_text.hpp"
#include "cli/output.hpp"
#include "cli/session.hpp"

namespace oh::cli {

cli_outcome run_cli(const std::vector<std::string>& args) {
  cli_outcome out;
  auto parsed = parse_arguments(args);
  if (parsed.wants_help) {
    print(parsed.help_for.empty() ? overview_help()
                                  : command_help(parsed.help_for));
    out.exit_status = exit_status::ok;
    return out;
  }
  if (!parsed.call) {
    print_error(parsed.error);
    out.exit_status = exit_status::usage;
    return out;
  }
  auto& in = *parsed.call;
  if (in.command->run == nullptr) {
    out.local = {std::string{in.command->path}, in.raw_args};
    return out;
  }
  try {
    out.exit_status = in.command->run(in);
  } catch (const cli_failure& f) {
    if (!f.json_body.empty() && in.has("--json"))
      print(f.json_body + "\n");
    print_error(f.what());
    out.exit_status = f.status;
  }
  return out;
}

} // namespace oh::cli
