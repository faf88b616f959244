#include "cli/help_text.hpp"

#include <algorithm>
#include <cctype>

#include "cli/arguments.hpp"
#include "cli/command_spec.hpp"

namespace oh::cli {

namespace {

constexpr std::string_view exit_codes
  = "Exit codes: 0 ok, 1 the gateway answered with an error (its message is "
    "printed), 2 wrong usage or configuration, 3 no gateway answers.";

constexpr std::string_view target_text
  = "Client commands talk to a running gateway through its admin API: "
    "--url or OPENHINGE_URL (default: 127.0.0.1 on the port of the gateway "
    "that uses the data directory, else the configured port, 3700), and the "
    "admin token from --token, OPENHINGE_ADMIN_TOKEN or "
    "<data-dir>/admin.token. --json prints the API's JSON for scripts.";

std::string wrap(std::string_view text, size_t width, std::string_view indent) {
  std::string out;
  std::string line{indent};
  size_t start = 0;
  while (start < text.size()) {
    auto space = text.find(' ', start);
    auto word = text.substr(start, space == std::string_view::npos
                                     ? std::string_view::npos
                                     : space - start);
    if (line.size() > indent.size() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = std::string{indent};
    }
    if (line.size() > indent.size())
      line += " ";
    line += word;
    if (space == std::string_view::npos)
      break;
    start = space + 1;
  }
  if (line.size() > indent.size())
    out += line + "\n";
  return out;
}

std::string usage_line(const command_spec& c) {
  std::string out = "openhinge " + std::string{c.path};
  if (!c.operands.empty())
    out += " " + std::string{c.operands};
  for (auto& f : c.flags)
    if (f.required)
      out += " " + std::string{f.name} + " " + std::string{f.value};
  bool optional
    = std::any_of(c.flags.begin(), c.flags.end(), [](const flag_spec& f) {
        return !f.required;
      });
  if (optional || c.kind == command_kind::client || c.config_flags)
    out += " [options]";
  return out;
}

std::string flag_label(const flag_spec& f) {
  std::string out{f.name};
  if (!f.value.empty())
    out += " " + std::string{f.value};
  return out;
}

std::string flag_help(const flag_spec& f) {
  std::string out{f.help};
  if (!f.choices.empty()) {
    out += " (";
    for (size_t i = 0; i < f.choices.size(); ++i)
      out += (i ? "|" : "") + std::string{f.choices[i]};
    out += ")";
  }
  if (f.required)
    out += "; required";
  return out;
}

std::string flag_block(const std::vector<flag_spec>& flags) {
  size_t width = 0;
  for (auto& f : flags)
    width = std::max(width, flag_label(f).size());
  std::string out;
  for (auto& f : flags) {
    auto label = flag_label(f);
    out += "  " + label + std::string(width - label.size() + 2, ' ')
           + flag_help(f) + "\n";
  }
  return out;
}

struct section {
  std::string_view title;
  std::vector<std::string_view> groups;
};

const std::vector<section>& sections() {
  static const std::vector<section> s{
    {"The gateway",
     {"serve", "init", "migrate", "import", "backup", "config", "version",
      "status"}},
    {"Accounts, souls and keys", {"provider", "soul", "key"}},
    {"Traffic and spend", {"logs", "cost", "actors"}},
    {"Administration", {"settings", "admin", "connect", "tunnel"}},
    {"This command line", {"help", "completion"}},
  };
  return s;
}

std::string markdown_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|' || c == '<' || c == '>')
      out += '\\';
    out += c;
  }
  return out;
}

} // namespace

std::string overview_help() {
  std::string out = "OpenHinge " OH_VERSION
                    ": one OpenAI-compatible API in front of many LLM "
                    "accounts.\n\nUsage: openhinge <command> [options]   "
                    "(no command: serve)\n";
  size_t width = 0;
  for (auto& c : command_table())
    width = std::max(width, c.path.size());
  for (auto& s : sections()) {
    out += "\n" + std::string{s.title} + ":\n";
    for (auto g : s.groups)
      for (auto& c : command_table()) {
        auto first = c.path.substr(0, c.path.find(' '));
        if (first != g)
          continue;
        out += "  " + std::string{c.path}
               + std::string(width - c.path.size() + 2, ' ')
               + std::string{c.summary} + "\n";
      }
  }
  out += "\n" + wrap(target_text, 78, "") + wrap(exit_codes, 78, "");
  out += "\n'openhinge help <command>' shows a command's options and "
         "examples.\n";
  return out;
}

std::string group_help(std::string_view group) {
  std::string out = "openhinge " + std::string{group} + ": "
                    + std::string{group_summary(group)} + "\n\nCommands:\n";
  auto list = commands_in(group);
  size_t width = 0;
  for (auto* c : list)
    width = std::max(width, c->path.size());
  for (auto* c : list)
    out += "  " + std::string{c->path}
           + std::string(width - c->path.size() + 2, ' ')
           + std::string{c->summary} + "\n";
  out += "\n'openhinge help " + std::string{group}
         + " <command>' shows one command's options and examples.\n";
  return out;
}

std::string command_help(std::string_view path) {
  auto* c = find_command(path);
  if (c == nullptr)
    return group_help(path);
  std::string out
    = "Usage: " + usage_line(*c) + "\n\n" + wrap(c->summary, 78, "");
  if (!c->details.empty())
    out += "\n" + wrap(c->details, 78, "");
  if (!c->flags.empty())
    out += "\nOptions:\n" + flag_block(c->flags);
  if (c->kind == command_kind::client)
    out += "\nGateway options:\n" + flag_block(client_flags());
  if (c->config_flags) {
    std::vector<flag_spec> cfg;
    for (auto& f : config_flags())
      if (std::none_of(c->flags.begin(), c->flags.end(),
                       [&](const flag_spec& own) {
                         return own.name == f.name;
                       }))
        cfg.push_back(f);
    out += "\nConfiguration options:\n" + flag_block(cfg);
  }
  if (!c->examples.empty()) {
    out += "\nExample" + std::string{c->examples.size() > 1 ? "s" : ""} + ":\n";
    for (auto e : c->examples)
      out += "  " + std::string{e} + "\n";
  }
  if (c->kind == command_kind::client)
    out += "\n" + wrap(exit_codes, 78, "");
  return out;
}

std::string markdown_reference() {
  std::string out
    = "# The `openhinge` command line\n\n"
      "<!-- Generated by `openhinge help --markdown` from src/cli/"
      "command_table.cpp; a test fails when this file is stale. -->\n\n"
      "The gateway and its CLI are one binary. `openhinge` with no command "
      "(or `openhinge serve`) runs the gateway; the other commands either "
      "work on the local data directory (`init`, `migrate`, `import`, "
      "`backup`, `config show`) or talk to a running gateway through its "
      "admin API, never its database.\n\n"
      + std::string{target_text} + "\n\n" + std::string{exit_codes}
      + "\n\nTables are fitted to the terminal and coloured only on a terminal "
        "without `NO_COLOR`. Bash completion: `source <(openhinge completion "
        "bash)`.\n\n";
  out += "## Gateway options (client commands)\n\n| Option | Meaning "
         "|\n|---|---|\n";
  for (auto& f : client_flags())
    out += "| `" + flag_label(f) + "` | " + markdown_escape(flag_help(f))
           + " |\n";
  out += "\n## Configuration options\n\n| Option | Meaning |\n|---|---|\n";
  for (auto& f : config_flags())
    out += "| `" + flag_label(f) + "` | " + markdown_escape(flag_help(f))
           + " |\n";
  for (auto& s : sections()) {
    out += "\n## " + std::string{s.title} + "\n";
    for (auto g : s.groups)
      for (auto& c : command_table()) {
        if (c.path.substr(0, c.path.find(' ')) != g)
          continue;
        std::string summary{c.summary};
        summary[0] = static_cast<char>(std::toupper(summary[0]));
        out += "\n### `openhinge " + std::string{c.path} + "`\n\n" + summary
               + ".";
        if (!c.details.empty())
          out += " " + std::string{c.details};
        out += "\n\n```\n" + usage_line(c) + "\n```\n";
        if (!c.flags.empty()) {
          out += "\n| Option | Meaning |\n|---|---|\n";
          for (auto& f : c.flags)
            out += "| `" + flag_label(f) + "` | "
                   + markdown_escape(flag_help(f)) + " |\n";
        }
        if (!c.examples.empty()) {
          out += "\n```sh\n";
          for (auto e : c.examples)
            out += std::string{e} + "\n";
          out += "```\n";
        }
      }
  }
  return out;
}

std::string bash_completion() {
  auto words = [](const std::vector<std::string_view>& list) {
    std::string out;
    for (auto w : list)
      out += (out.empty() ? "" : " ") + std::string{w};
    return out;
  };
  std::vector<std::string_view> first;
  for (auto& c : command_table()) {
    auto w = c.path.substr(0, c.path.find(' '));
    if (std::find(first.begin(), first.end(), w) == first.end())
      first.push_back(w);
  }
  std::string out
    = "# bash completion for openhinge (generated: openhinge completion "
      "bash)\n"
      "_openhinge() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" "
      "prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      "  local path flags\n"
      "  COMPREPLY=()\n"
      "  if [[ $COMP_CWORD -eq 1 ]]; then\n"
      "    COMPREPLY=($(compgen -W \""
      + words(first)
      + "\" -- \"$cur\"))\n"
        "    return\n"
        "  fi\n"
        "  case \"${COMP_WORDS[1]}\" in\n";
  for (auto g : command_groups()) {
    auto list = commands_in(g);
    if (list.empty())
      continue;
    std::vector<std::string_view> second;
    for (auto* c : list)
      second.push_back(c->path.substr(g.size() + 1));
    out += "    " + std::string{g}
           + ")\n"
             "      if [[ $COMP_CWORD -eq 2 ]]; then\n"
             "        COMPREPLY=($(compgen -W \""
           + words(second)
           + "\" -- \"$cur\"))\n"
             "        return\n"
             "      fi\n"
             "      path=\"${COMP_WORDS[1]} ${COMP_WORDS[2]}\" ;;\n";
  }
  out += "    *) path=\"${COMP_WORDS[1]}\" ;;\n  esac\n";
  // Values of flags with choices, and files for path-valued flags.
  out += "  case \"$path|$prev\" in\n";
  for (auto& c : command_table())
    for (auto* f : accepted_flags(c))
      if (!f->choices.empty()) {
        std::vector<std::string_view> choices{f->choices.begin(),
                                              f->choices.end()};
        out += "    \"" + std::string{c.path} + "|" + std::string{f->name}
               + "\") COMPREPLY=($(compgen -W \"" + words(choices)
               + "\" -- \"$cur\")); return ;;\n";
      }
  out += "  esac\n  case \"$prev\" in\n";
  std::vector<std::string_view> file_flags;
  for (auto& c : command_table())
    for (auto* f : accepted_flags(c))
      if ((f->value == "FILE" || f->value == "PATH" || f->value == "DIR")
          && std::find(file_flags.begin(), file_flags.end(), f->name)
               == file_flags.end())
        file_flags.push_back(f->name);
  for (auto f : file_flags)
    out += "    " + std::string{f}
           + ") COMPREPLY=($(compgen -f -- \"$cur\")); "
             "return ;;\n";
  out += "  esac\n  case \"$path\" in\n";
  for (auto& c : command_table()) {
    std::vector<std::string_view> names;
    for (auto* f : accepted_flags(c))
      names.push_back(f->name);
    names.push_back("--help");
    out += "    \"" + std::string{c.path} + "\") flags=\"" + words(names)
           + "\" ;;\n";
  }
  out
    += "  esac\n"
       "  if [[ $cur == -* ]]; then\n"
       "    COMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n"
       "  elif [[ $path == help ]]; then\n"
       "    COMPREPLY=($(compgen -W \""
       + words(first)
       + "\" -- \"$cur\"))\n"
         "  elif [[ $path == completion ]]; then\n"
         "    COMPREPLY=($(compgen -W \"bash\" -- \"$cur\"))\n"
         "  elif [[ $path == \"provider login\" ]]; then\n"
         "    COMPREPLY=($(compgen -W \"claude openai gemini\" -- \"$cur\"))\n"
         "  fi\n"
         "}\n"
         "complete -F _openhinge openhinge\n";
  return out;
}

} // namespace oh::cli
