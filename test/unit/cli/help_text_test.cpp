// Help, docs/cli.md and the completion script come from the command table;
// the committed reference must be what the binary prints.

#include "cli/help_text.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "cli/arguments.hpp"
#include "cli/command_spec.hpp"
#include "cli/output.hpp"

namespace oh::cli {
namespace {

TEST(CliHelp, TheCommittedReferenceIsCurrent) {
  std::ifstream file{std::string{OH_SOURCE_DIR} + "/docs/cli.md"};
  ASSERT_TRUE(file) << "docs/cli.md is missing: build/bin/openhinge help "
                       "--markdown > docs/cli.md";
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_TRUE(text.str() == markdown_reference())
    << "docs/cli.md is stale: regenerate it with 'openhinge help --markdown "
       "> docs/cli.md'";
}

TEST(CliHelp, EveryCommandIsInTheOverviewTheReferenceAndCompletion) {
  auto overview = overview_help();
  auto reference = markdown_reference();
  auto completion = bash_completion();
  for (auto& c : command_table()) {
    std::string path{c.path};
    EXPECT_NE(overview.find("  " + path + "  "), std::string::npos) << path;
    EXPECT_NE(reference.find("### `openhinge " + path + "`"), std::string::npos)
      << path;
    EXPECT_NE(completion.find("\"" + path + "\") flags=\""), std::string::npos)
      << path;
    for (auto* f : accepted_flags(c))
      EXPECT_NE(command_help(c.path).find(std::string{f->name}),
                std::string::npos)
        << path << " " << f->name;
  }
}

TEST(CliHelp, CommandHelpHasUsageOptionsExamplesAndExitCodes) {
  auto text = command_help("key create");
  EXPECT_TRUE(text.starts_with("Usage: openhinge key create --name NAME"));
  EXPECT_NE(text.find("--daily-budget DOLLARS"), std::string::npos);
  EXPECT_NE(text.find("Examples:\n  openhinge key create"), std::string::npos);
  EXPECT_NE(text.find("Exit codes: 0 ok"), std::string::npos);
  auto group = command_help("provider");
  EXPECT_NE(group.find("provider login"), std::string::npos);
}

TEST(CliTable, AlignsColumnsAndSaysWhenEmpty) {
  table t{{"ID", "NAME"}};
  EXPECT_EQ(t.render("Nothing."), "Nothing.\n");
  t.add({"1", "short"});
  t.add({"22", "a longer name"});
  t.add({"3", "tabs\tand\nnewlines"});
  // Not a terminal here: no colour, no fitting.
  EXPECT_EQ(t.render("Nothing."), "ID  NAME\n"
                                  "1   short\n"
                                  "22  a longer name\n"
                                  "3   tabs and newlines\n");
}

TEST(CliTable, CellsOfEveryJsonType) {
  auto doc = json::parse(
    R"({"s":"x","n":null,"t":true,"i":-4,"d":0.25,"a":["p","q"],"e":[],"o":{"k":1}})");
  ASSERT_TRUE(doc);
  EXPECT_EQ(cell(*doc, "s"), "x");
  EXPECT_EQ(cell(*doc, "n"), "-");
  EXPECT_EQ(cell(*doc, "missing"), "-");
  EXPECT_EQ(cell(*doc, "t"), "yes");
  EXPECT_EQ(cell(*doc, "i"), "-4");
  EXPECT_EQ(cell(*doc, "d"), "0.25");
  EXPECT_EQ(cell(*doc, "a"), "p,q");
  EXPECT_EQ(cell(*doc, "e"), "-");
  EXPECT_EQ(cell(*doc, "o"), R"({"k":1})");
  EXPECT_EQ(display_width("naïve…"), 6u);
}

} // namespace
} // namespace oh::cli
