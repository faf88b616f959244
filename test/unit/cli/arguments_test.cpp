// The command line against the command table: what runs, and what a
// person is told when the line is wrong.

#include "cli/arguments.hpp"

#include <gtest/gtest.h>

namespace oh::cli {
namespace {

parse_result parse(std::vector<std::string> args) {
  return parse_arguments(args);
}

TEST(CliArguments, NoCommandOrOnlyOptionsIsServe) {
  auto none = parse({});
  ASSERT_TRUE(none.call);
  EXPECT_EQ(none.call->command->path, "serve");
  auto options = parse({"--port", "0", "--data-dir", "d"});
  ASSERT_TRUE(options.call);
  EXPECT_EQ(options.call->command->path, "serve");
  EXPECT_EQ(options.call->raw_args,
            (std::vector<std::string>{"--port", "0", "--data-dir", "d"}));
}

TEST(CliArguments, TwoWordCommandsWithFlagsAndOperands) {
  auto r
    = parse({"key", "update", "abc", "--rpm", "10", "--name=ci", "--json"});
  ASSERT_TRUE(r.call) << r.error;
  EXPECT_EQ(r.call->command->path, "key update");
  EXPECT_EQ(r.call->operands, std::vector<std::string>{"abc"});
  EXPECT_EQ(r.call->get("--rpm"), "10");
  EXPECT_EQ(r.call->get("--name"), "ci");
  EXPECT_TRUE(r.call->has("--json"));
  EXPECT_FALSE(r.call->has("--tpm"));
}

TEST(CliArguments, GatewayOptionsMayComeBeforeTheCommand) {
  auto r = parse({"--url", "http://h:1", "--token=t", "--json", "key", "list"});
  ASSERT_TRUE(r.call) << r.error;
  EXPECT_EQ(r.call->command->path, "key list");
  EXPECT_EQ(r.call->get("--url"), "http://h:1");
  EXPECT_EQ(r.call->get("--token"), "t");
  EXPECT_TRUE(r.call->has("--json"));
}

TEST(CliArguments, TyposGetTheNearestCommandOrFlag) {
  auto r = parse({"provdier", "list"});
  EXPECT_FALSE(r.call);
  EXPECT_NE(r.error.find("Did you mean 'provider'?"), std::string::npos)
    << r.error;
  auto sub = parse({"provider", "lst"});
  EXPECT_NE(sub.error.find("Did you mean 'provider list'?"), std::string::npos)
    << sub.error;
  auto flag = parse({"key", "create", "--name", "x", "--daily-budgte", "5"});
  EXPECT_NE(flag.error.find("Did you mean '--daily-budget'?"),
            std::string::npos)
    << flag.error;
  auto far = parse({"kubectl"});
  EXPECT_EQ(far.error.find("Did you mean"), std::string::npos) << far.error;
  EXPECT_NE(far.error.find("openhinge help"), std::string::npos);
}

TEST(CliArguments, MissingPiecesAreNamed) {
  auto group = parse({"provider"});
  EXPECT_NE(group.error.find("'provider' needs a command: list, show"),
            std::string::npos)
    << group.error;
  auto operand = parse({"key", "show"});
  EXPECT_NE(operand.error.find("'key show' needs <id>"), std::string::npos)
    << operand.error;
  auto required = parse({"provider", "add", "--name", "x"});
  EXPECT_NE(required.error.find("needs --type TYPE"), std::string::npos)
    << required.error;
  auto value = parse({"key", "create", "--name"});
  EXPECT_NE(value.error.find("--name needs a value (NAME)"), std::string::npos)
    << value.error;
  auto extra = parse({"key", "list", "surplus"});
  EXPECT_NE(extra.error.find("takes no operands"), std::string::npos)
    << extra.error;
  auto switch_value = parse({"key", "list", "--json=yes"});
  EXPECT_NE(switch_value.error.find("--json takes no value"), std::string::npos)
    << switch_value.error;
}

TEST(CliArguments, ChoicesAreChecked) {
  auto r = parse({"key", "create", "--name", "x", "--format", "opnai"});
  EXPECT_NE(r.error.find("--format must be one of openai, anthropic, openclaw"),
            std::string::npos)
    << r.error;
  EXPECT_NE(r.error.find("Did you mean 'openai'?"), std::string::npos);
  EXPECT_TRUE(parse({"cost", "--by", "model"}).call);
}

TEST(CliArguments, HelpAnywhere) {
  auto top = parse({"--help"});
  EXPECT_TRUE(top.wants_help);
  EXPECT_EQ(top.help_for, "");
  auto group = parse({"soul", "--help"});
  EXPECT_TRUE(group.wants_help);
  EXPECT_EQ(group.help_for, "soul");
  auto cmd = parse({"key", "create", "--rpm", "-h"});
  EXPECT_TRUE(cmd.wants_help);
  EXPECT_EQ(cmd.help_for, "key create");
}

TEST(CliArguments, DoubleDashEndsOptions) {
  auto r = parse({"soul", "show", "--", "--odd-slug"});
  ASSERT_TRUE(r.call) << r.error;
  EXPECT_EQ(r.call->operands, std::vector<std::string>{"--odd-slug"});
}

TEST(CliArguments, LocalCommandsKeepTheirArgumentsForTheConfigLoader) {
  auto r = parse({"backup", "/tmp/x.db", "--data-dir", "d"});
  ASSERT_TRUE(r.call);
  EXPECT_EQ(r.call->command->path, "backup");
  EXPECT_EQ(r.call->raw_args,
            (std::vector<std::string>{"/tmp/x.db", "--data-dir", "d"}));
  auto show = parse({"config", "show", "--port", "1"});
  ASSERT_TRUE(show.call);
  EXPECT_EQ(show.call->command->path, "config show");
}

TEST(CliCommandTable, EveryCommandCanRunAndExplainsItself) {
  for (auto& c : command_table()) {
    EXPECT_FALSE(c.summary.empty()) << c.path;
    EXPECT_FALSE(c.examples.empty()) << c.path << " has no example";
    for (auto e : c.examples) {
      EXPECT_TRUE(e.starts_with("openhinge " + std::string{c.path})
                  || e.find("| openhinge " + std::string{c.path})
                       != std::string_view::npos)
        << c.path << ": " << e;
    }
    bool local_main = c.kind == command_kind::local && c.run == nullptr;
    if (local_main) {
      EXPECT_TRUE(c.path == "serve" || c.path == "init" || c.path == "migrate"
                  || c.path == "import" || c.path == "backup"
                  || c.path == "config show")
        << c.path << " has no handler";
    }
    // No flag is spelled twice for one command (the first would win).
    auto flags = accepted_flags(c);
    for (size_t i = 0; i < flags.size(); ++i)
      for (size_t j = i + 1; j < flags.size(); ++j)
        EXPECT_NE(flags[i]->name, flags[j]->name) << c.path;
  }
}

TEST(CliNearest, PrefixesAndSmallSlipsOnly) {
  std::vector<std::string_view> words{"provider", "soul", "key", "logs"};
  EXPECT_EQ(nearest("prov", words), "provider");
  EXPECT_EQ(nearest("sould", words), "soul");
  EXPECT_EQ(nearest("log", words), "logs");
  EXPECT_EQ(nearest("xyz", words), "");
}

} // namespace
} // namespace oh::cli
