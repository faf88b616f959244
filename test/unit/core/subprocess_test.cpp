// Children the gateway starts (cloudflared): argv without a shell, the
// environment it is given, output read without blocking, the end noticed,
// and SIGTERM then SIGKILL.

#include "core/subprocess.hpp"

#include <chrono>
#include <csignal>
#include <thread>

#include <sys/wait.h>

#include <gtest/gtest.h>

namespace oh {
namespace {

/// Reads lines until the child ends (bounded: fails after 10 s).
std::vector<std::string> run_to_end(subprocess& p, int& status) {
  std::vector<std::string> lines;
  for (int i = 0; i < 1000; ++i) {
    p.read_lines(lines);
    if (auto st = p.poll_exit()) {
      status = *st;
      p.read_lines(lines);
      return lines;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "the child did not end within 10 s";
  return lines;
}

TEST(Subprocess, ArgvIsPassedAsIsWithoutAShell) {
  // Characters a shell would expand arrive untouched.
  auto p = subprocess::spawn({"printf", {"%s\\n", "$HOME; echo x", "a b"}, {}});
  ASSERT_TRUE(p) << p.error().message;
  int status = -1;
  auto lines = run_to_end(*p, status);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"$HOME; echo x", "a b"}));
}

TEST(Subprocess, TheGivenEnvironmentReplacesTheParents) {
  ::setenv("OH_SUBPROCESS_TEST", "parent", 1);
  auto p = subprocess::spawn(
    {"env", {}, {{"OH_SUBPROCESS_TEST", "child"}, {"TUNNEL_TOKEN", "t0k"}}});
  ASSERT_TRUE(p);
  int status = -1;
  auto lines = run_to_end(*p, status);
  int seen = 0;
  for (auto& l : lines) {
    if (l.starts_with("OH_SUBPROCESS_TEST=")) {
      EXPECT_EQ(l, "OH_SUBPROCESS_TEST=child");
      ++seen;
    }
    if (l == "TUNNEL_TOKEN=t0k")
      ++seen;
  }
  EXPECT_EQ(seen, 2);
  ::unsetenv("OH_SUBPROCESS_TEST");
}

TEST(Subprocess, AMissingProgramIsNotFound) {
  auto p = subprocess::spawn({"/nonexistent/cloudflared", {}, {}});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, errc::not_found);
  auto q = subprocess::spawn({"oh-no-such-program-anywhere", {}, {}});
  ASSERT_FALSE(q);
  EXPECT_NE(q.error().message.find("in PATH"), std::string::npos);
  EXPECT_EQ(find_executable("/etc/passwd"), "") << "not executable";
  EXPECT_NE(find_executable("sleep"), "");
}

TEST(Subprocess, ExitStatusesAreDescribed) {
  auto p = subprocess::spawn({"false", {}, {}});
  ASSERT_TRUE(p);
  int status = -1;
  run_to_end(*p, status);
  EXPECT_EQ(describe_wait_status(status), "exit status 1");
}

TEST(Subprocess, TerminateSendsSigtermThenSigkillAfterTheGrace) {
  // Ends on SIGTERM: the first signal is enough.
  auto polite = subprocess::spawn({"sleep", {"30"}, {}});
  ASSERT_TRUE(polite);
  auto status = polite->terminate(5'000);
  EXPECT_EQ(describe_wait_status(status), "killed by signal 15 (SIGTERM)");
  // Ignores SIGTERM (the stand-in cloudflared told to hang): SIGKILL once
  // the grace has passed.
  auto stubborn = subprocess::spawn(
    {OH_FAKE_CLOUDFLARED,
     {"tunnel", "--no-autoupdate", "run"},
     {{"TUNNEL_TOKEN",
       "eyJhIjoiMGExYjJjM2Q0ZTVmNjA3MTgyOTNhNGI1YzZkN2U4ZjkiLCJ0IjoiZjc1MmE2YjE"
       "tODBhOS00YjI4LTkzNTktYzA0NTY3ZWMwM2MyIiwicyI6ImMyVmpjbVYwYzJWamNtVjBjMl"
       "ZqY21WMGMyVmpjbVYwIn0="},
      {"FAKE_CLOUDFLARED_IGNORE_SIGTERM", "1"}}});
  ASSERT_TRUE(stubborn) << stubborn.error().message;
  std::this_thread::sleep_for(std::chrono::milliseconds(200)); // handler set
  auto begin = std::chrono::steady_clock::now();
  status = stubborn->terminate(300);
  auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(took, std::chrono::milliseconds(300));
  EXPECT_EQ(describe_wait_status(status), "killed by signal 9 (SIGKILL)");
}

} // namespace
} // namespace oh
