#pragma once

// Starts the real openhinge binary as a child process for integration
// tests: its own data dir, port 0, output captured to a file, killed by PID.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace oh::test {

class child_process {
public:
  /// Starts `binary args...` with `env` added to a minimal environment;
  /// stdout and stderr go to `log_path`.
  child_process(const std::string& binary, const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env,
                const std::string& log_path);
  ~child_process();

  int pid() const {
    return pid_;
  }
  bool running();
  void signal(int sig);
  /// Waits for exit; returns the exit status, or -1 on timeout (then kills).
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));

private:
  int pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

/// Polls for a file containing a port number; throws after `timeout`.
uint16_t wait_for_port_file(const std::string& path, child_process& child,
                            std::chrono::milliseconds timeout
                            = std::chrono::seconds(30));

/// A loopback port nothing listens on right now (for listeners a test
/// starts: the public one, the login callback).
uint16_t free_port();

} // namespace oh::test
