#include "cli/arguments.hpp"

#include <algorithm>

namespace oh::cli {

namespace {

/// Edits between two words, a swap of neighbours counting as one
/// ("shwo" → "show"), as people mistype.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t change = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min(
        {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + change});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string did_you_mean(std::string_view word,
                         const std::vector<std::string_view>& candidates,
                         std::string_view prefix = {}) {
  auto n = nearest(word, candidates);
  return n.empty() ? std::string{}
                   : " Did you mean '" + std::string{prefix} + n + "'?";
}

std::vector<std::string_view> second_words(std::string_view group) {
  std::vector<std::string_view> out;
  for (auto* c : commands_in(group))
    out.push_back(c->path.substr(group.size() + 1));
  return out;
}

std::string join(const std::vector<std::string_view>& words) {
  std::string out;
  for (auto& w : words)
    out += (out.empty() ? "" : ", ") + std::string{w};
  return out;
}

bool is_group(std::string_view word) {
  auto groups = command_groups();
  return std::find(groups.begin(), groups.end(), word) != groups.end()
         && !find_command(word);
}

} // namespace

/// The command words and their arguments, once leading options moved.
parse_result parse_command(const std::vector<std::string>& args, bool help);

std::string nearest(std::string_view word,
                    const std::vector<std::string_view>& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (auto c : candidates) {
    auto d = edit_distance(word, c);
    // A prefix is as good as a typo: "prov" → "provider".
    if (c.size() > word.size() && word.size() >= 3 && c.starts_with(word))
      d = std::min<size_t>(d, 1);
    if (d < best_distance) {
      best_distance = d;
      best = std::string{c};
    }
  }
  // Close enough to be a slip of the finger, not a different word.
  size_t allowed = std::max<size_t>(1, word.size() / 3);
  return best_distance <= allowed ? best : std::string{};
}

std::vector<const command_spec*> commands_in(std::string_view group) {
  std::vector<const command_spec*> out;
  for (auto& c : command_table())
    if (c.path.size() > group.size() && c.path.starts_with(group)
        && c.path[group.size()] == ' ')
      out.push_back(&c);
  return out;
}

const command_spec* find_command(std::string_view path) {
  for (auto& c : command_table())
    if (c.path == path)
      return &c;
  return nullptr;
}

std::vector<const flag_spec*> accepted_flags(const command_spec& c) {
  std::vector<const flag_spec*> out;
  for (auto& f : c.flags)
    out.push_back(&f);
  if (c.kind == command_kind::client)
    for (auto& f : client_flags())
      out.push_back(&f);
  if (c.config_flags)
    for (auto& f : config_flags())
      if (std::none_of(out.begin(), out.end(), [&](const flag_spec* have) {
            return have->name == f.name;
          }))
        out.push_back(&f);
  return out;
}

parse_result parse_arguments(const std::vector<std::string>& args) {
  bool help = std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a == "--help" || a == "-h";
  });
  // Gateway and configuration options may come before the command
  // (`openhinge --url U key list`); they are moved behind it.
  std::vector<std::string> moved;
  size_t i = 0;
  while (i < args.size() && args[i].starts_with("--")) {
    auto name = args[i].substr(0, args[i].find('='));
    const flag_spec* known = nullptr;
    for (auto* list : {&client_flags(), &config_flags()})
      for (auto& f : *list)
        if (f.name == name)
          known = &f;
    if (known == nullptr)
      break;
    moved.push_back(args[i++]);
    if (!known->value.empty() && moved.back().find('=') == std::string::npos
        && i < args.size())
      moved.push_back(args[i++]);
  }
  if (i == args.size() || args[i].starts_with("-")) {
    i = 0; // only options: they belong to serve
    moved.clear();
  }
  std::vector<std::string> rest(args.begin() + static_cast<long>(i),
                                args.end());
  rest.insert(rest.end(), moved.begin(), moved.end());
  return parse_command(rest, help);
}

parse_result parse_command(const std::vector<std::string>& args, bool help) {
  parse_result r;
  // The command words: leading arguments that are not flags.
  size_t i = 0;
  std::string path;
  const command_spec* command = nullptr;
  if (i < args.size() && !args[i].starts_with("-")) {
    const auto& first = args[i];
    if (auto* c = find_command(first)) {
      command = c;
      path = first;
      ++i;
    } else if (is_group(first)) {
      ++i;
      if (i >= args.size() || args[i].starts_with("-")) {
        if (help) {
          r.wants_help = true;
          r.help_for = first;
          return r;
        }
        r.error = "'" + first
                  + "' needs a command: " + join(second_words(first))
                  + ". See 'openhinge help " + first + "'.";
        return r;
      }
      auto full = first + " " + args[i];
      command = find_command(full);
      if (command == nullptr) {
        r.error = "unknown command '" + full + "'."
                  + did_you_mean(args[i], second_words(first), first + " ")
                  + " The '" + first
                  + "' commands are: " + join(second_words(first)) + ".";
        return r;
      }
      path = full;
      ++i;
    } else {
      std::vector<std::string_view> names;
      for (auto& c : command_table())
        if (c.path.find(' ') == std::string_view::npos)
          names.push_back(c.path);
      for (auto g : command_groups())
        if (!find_command(g))
          names.push_back(g);
      r.error = "unknown command '" + first + "'." + did_you_mean(first, names)
                + " See 'openhinge help'.";
      return r;
    }
  } else {
    if (help) {
      r.wants_help = true; // `openhinge --help`: the overview
      return r;
    }
    command = find_command("serve");
    path = "serve";
  }
  if (help) {
    r.wants_help = true;
    r.help_for = path;
    return r;
  }

  invocation in;
  in.command = command;
  in.raw_args.assign(args.begin() + static_cast<long>(i), args.end());
  if (command->kind == command_kind::local && command->run == nullptr) {
    // serve, init, ...: their options are the configuration loader's,
    // which checks them itself.
    r.call = std::move(in);
    return r;
  }
  auto accepted = accepted_flags(*command);
  auto usage = [&](const std::string& what) {
    r.error = what + " See 'openhinge help " + path + "'.";
    return r;
  };
  bool operands_only = false;
  for (; i < args.size(); ++i) {
    const auto& a = args[i];
    if (operands_only || !a.starts_with("-") || a == "-") {
      in.operands.push_back(a);
      continue;
    }
    if (a == "--") {
      operands_only = true;
      continue;
    }
    auto eq = a.find('=');
    std::string name = a.substr(0, eq);
    auto it
      = std::find_if(accepted.begin(), accepted.end(), [&](const flag_spec* f) {
          return f->name == name;
        });
    if (it == accepted.end()) {
      std::vector<std::string_view> names;
      for (auto* f : accepted)
        names.push_back(f->name);
      return usage("'" + path + "' has no option " + name + "."
                   + did_you_mean(name, names));
    }
    const flag_spec& f = **it;
    std::string value;
    if (f.value.empty()) {
      if (eq != std::string::npos)
        return usage(name + " takes no value.");
    } else if (eq != std::string::npos) {
      value = a.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return usage(name + " needs a value (" + std::string{f.value} + ").");
    }
    if (!f.choices.empty()
        && std::find(f.choices.begin(), f.choices.end(), value)
             == f.choices.end()) {
      std::vector<std::string_view> choices{f.choices.begin(), f.choices.end()};
      return usage(name + " must be one of " + join(choices) + ", not '" + value
                   + "'." + did_you_mean(value, choices));
    }
    in.flags[name].push_back(std::move(value));
  }
  for (auto* f : accepted)
    if (f->required && !in.has(f->name))
      return usage("'" + path + "' needs " + std::string{f->name} + " "
                   + std::string{f->value} + ".");
  auto n = static_cast<int>(in.operands.size());
  if (n < command->min_operands)
    return usage("'" + path + "' needs " + std::string{command->operands}
                 + ".");
  if (command->max_operands >= 0 && n > command->max_operands)
    return usage(command->max_operands == 0
                   ? "'" + path + "' takes no operands, but got '"
                       + in.operands[0] + "'."
                   : "'" + path + "' takes " + std::string{command->operands}
                       + ", but got " + std::to_string(n) + " operands.");
  r.call = std::move(in);
  return r;
}

} // namespace oh::cli
