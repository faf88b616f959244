#pragma once

// A child process started with an argv vector (never a shell, SPEC §14),
// its stdout and stderr merged into one pipe read without blocking, and
// its end noticed without blocking: what the tunnel supervisor needs to
// run cloudflared. POSIX only.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

#include "core/expected.hpp"

namespace oh {

struct spawn_options {
  /// An absolute path, or a name looked up in PATH.
  std::string program;
  std::vector<std::string> args; // after the program name
  /// Added to (or replacing in) the parent's environment.
  std::vector<std::pair<std::string, std::string>> env;
};

class subprocess {
public:
  /// Starts the child. It gets an empty signal mask and default signal
  /// actions (the gateway blocks SIGTERM/SIGINT in its own threads), its
  /// own process group, and SIGTERM when the gateway dies, even by
  /// SIGKILL. Fails with errc::not_found when the program does not exist
  /// or is not executable.
  static expected<subprocess> spawn(const spawn_options& options);

  subprocess(subprocess&& other) noexcept;
  subprocess& operator=(subprocess&& other) noexcept;
  subprocess(const subprocess&) = delete;
  subprocess& operator=(const subprocess&) = delete;
  /// Closes the pipe; the child is not touched (see terminate).
  ~subprocess();

  pid_t pid() const {
    return pid_;
  }
  /// Appends the complete output lines that arrived so far (without
  /// their newline); a partial line waits for its end.
  void read_lines(std::vector<std::string>& lines);
  /// The wait status once the child ended (then it is reaped), else
  /// nothing. Does not block.
  std::optional<int> poll_exit();
  void signal(int sig) const;
  /// SIGTERM, then SIGKILL once `grace_ms` passed; blocks until the child
  /// is reaped. Returns its wait status.
  int terminate(int grace_ms);

private:
  subprocess(pid_t pid, int out_fd) : pid_(pid), out_fd_(out_fd) {}
  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool reaped_ = false;
  std::string partial_;
};

/// SIGKILL to every child still running (and its process group): the
/// gateway's last act when a second signal cuts the shutdown short, so no
/// child outlives it (PR_SET_PDEATHSIG's SIGTERM can be ignored).
void kill_all_children_now();

/// `name` found in PATH (or checked when it holds a '/'): an executable
/// file's path, or empty.
std::string find_executable(const std::string& name);

/// "exit status 1" / "killed by signal 9 (SIGKILL)".
std::string describe_wait_status(int status);

} // namespace oh
