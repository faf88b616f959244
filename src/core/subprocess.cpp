#include "core/subprocess.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace oh {

namespace {

/// The children started and not reaped yet, for kill_all_children_now.
std::mutex live_mutex;
std::set<pid_t>& live_children() {
  static std::set<pid_t> pids;
  return pids;
}

void track(pid_t pid, bool alive) {
  std::lock_guard lock{live_mutex};
  if (alive)
    live_children().insert(pid);
  else
    live_children().erase(pid);
}

bool executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)
         && ::access(path.c_str(), X_OK) == 0;
}

} // namespace

void kill_all_children_now() {
  std::lock_guard lock{live_mutex};
  for (auto pid : live_children()) {
    ::kill(-pid, SIGKILL); // its group (it leads one) ...
    ::kill(pid, SIGKILL);  // ... and itself, had setpgid not run yet
  }
}

std::string find_executable(const std::string& name) {
  if (name.empty())
    return {};
  if (name.find('/') != std::string::npos)
    return executable_file(name) ? name : std::string{};
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    auto colon = dirs.find(':', start);
    auto dir = dirs.substr(start, colon == std::string::npos ? std::string::npos
                                                             : colon - start);
    auto candidate = (dir.empty() ? std::string{"."} : dir) + "/" + name;
    if (executable_file(candidate))
      return candidate;
    if (colon == std::string::npos)
      break;
    start = colon + 1;
  }
  return {};
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status))
    return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* name = sig == SIGKILL   ? " (SIGKILL)"
                       : sig == SIGTERM ? " (SIGTERM)"
                       : sig == SIGSEGV ? " (SIGSEGV)"
                       : sig == SIGABRT ? " (SIGABRT)"
                                        : "";
    return "killed by signal " + std::to_string(sig) + name;
  }
  return "wait status " + std::to_string(status);
}

expected<subprocess> subprocess::spawn(const spawn_options& options) {
  auto program = find_executable(options.program);
  if (program.empty())
    return fail(errc::not_found,
                options.program + " was not found"
                  + (options.program.find('/') == std::string::npos
                       ? " in PATH"
                       : std::string{})
                  + " or is not executable");
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls until exec.
  std::vector<std::string> argv_text{program};
  argv_text.insert(argv_text.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry{*e};
    bool replaced = false;
    for (auto& [k, v] : options.env)
      replaced = replaced
                 || (entry.size() > k.size() && entry.starts_with(k)
                     && entry[k.size()] == '=');
    if (!replaced)
      env_text.emplace_back(entry);
  }
  for (auto& [k, v] : options.env)
    env_text.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_text)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    return fail(errc::internal, std::string{"pipe: "} + std::strerror(errno));
  // Tells the parent why exec failed (closed by a successful exec).
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return fail(errc::internal, std::string{"pipe: "} + std::strerror(errno));
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out[0], out[1], report[0], report[1]})
      ::close(fd);
    return fail(errc::internal, std::string{"fork: "} + std::strerror(errno));
  }
  if (pid == 0) {
    // The child: own process group (a Ctrl-C at the gateway's terminal is
    // the supervisor's to pass on), SIGTERM if the gateway dies.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent)
      ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGCHLD})
      ::signal(sig, SIG_DFL);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0)
      ::dup2(devnull, STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(out[1], STDERR_FILENO);
    ::execve(program.c_str(), argv.data(), envp.data());
    int err = errno;
    [[maybe_unused]] auto n = ::write(report[1], &err, sizeof err);
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(report[1]);
  int err = 0;
  ssize_t got = 0;
  do
    got = ::read(report[0], &err, sizeof err);
  while (got < 0 && errno == EINTR);
  ::close(report[0]);
  if (got == sizeof err) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(out[0]);
    return fail(err == ENOENT || err == EACCES ? errc::not_found
                                               : errc::internal,
                "cannot run " + program + ": " + std::strerror(err));
  }
  int flags = ::fcntl(out[0], F_GETFL);
  ::fcntl(out[0], F_SETFL, flags | O_NONBLOCK);
  track(pid, true);
  return subprocess{pid, out[0]};
}

subprocess::subprocess(subprocess&& other) noexcept
  : pid_(std::exchange(other.pid_, -1)),
    out_fd_(std::exchange(other.out_fd_, -1)),
    reaped_(std::exchange(other.reaped_, true)),
    partial_(std::move(other.partial_)) {}

subprocess& subprocess::operator=(subprocess&& other) noexcept {
  if (this != &other) {
    if (out_fd_ >= 0)
      ::close(out_fd_);
    pid_ = std::exchange(other.pid_, -1);
    out_fd_ = std::exchange(other.out_fd_, -1);
    reaped_ = std::exchange(other.reaped_, true);
    partial_ = std::move(other.partial_);
  }
  return *this;
}

subprocess::~subprocess() {
  if (out_fd_ >= 0)
    ::close(out_fd_);
}

void subprocess::read_lines(std::vector<std::string>& lines) {
  if (out_fd_ < 0)
    return;
  char buf[4096];
  for (;;) {
    auto n = ::read(out_fd_, buf, sizeof buf);
    if (n > 0) {
      partial_.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) { // the child closed its end: what is left is a line too
      if (!partial_.empty() && partial_.back() != '\n')
        partial_ += '\n';
      ::close(out_fd_);
      out_fd_ = -1;
    }
    break; // EAGAIN or an error: nothing more now
  }
  size_t start = 0;
  for (;;) {
    auto nl = partial_.find('\n', start);
    if (nl == std::string::npos)
      break;
    auto line = partial_.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    lines.push_back(std::move(line));
    start = nl + 1;
  }
  partial_.erase(0, start);
  // One endless line must not grow without bound.
  if (partial_.size() > 64 * 1024) {
    lines.push_back(partial_.substr(0, 64 * 1024));
    partial_.clear();
  }
}

std::optional<int> subprocess::poll_exit() {
  if (reaped_ || pid_ <= 0)
    return std::nullopt;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    track(pid_, false);
    return status;
  }
  return std::nullopt;
}

void subprocess::signal(int sig) const {
  if (!reaped_ && pid_ > 0)
    ::kill(pid_, sig);
}

int subprocess::terminate(int grace_ms) {
  if (reaped_ || pid_ <= 0)
    return 0;
  signal(SIGTERM);
  auto deadline
    = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto st = poll_exit())
      return *st;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  signal(SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  reaped_ = true;
  track(pid_, false);
  return status;
}

} // namespace oh
