// fake_cloudflared: a stand-in for `cloudflared tunnel --no-autoupdate run`
// (SPEC §12), so the gateway's tunnel supervisor is tested without the real
// binary or the network. It behaves as the real one does where the
// supervisor can see it: the same command line, the token only from
// TUNNEL_TOKEN (a base64 {"a":account,"t":tunnel,"s":secret}, as the API's
// GET …/cfd_tunnel/{id}/token returns), cloudflared's log lines on stderr
// (`2025-04-08T13:01:02Z INF Registered tunnel connection connIndex=0 …`),
// the token never printed, running until SIGTERM or SIGINT, then
// `INF Initiating graceful shutdown due to signal terminated ...` and exit 0.
//
//   fake_cloudflared --version | -v | version
//       prints `cloudflared version 2025.4.0 (built 2025-04-08-1301 UTC)`
//   fake_cloudflared tunnel [flags] --no-autoupdate [flags] run [flags]
//       anything else is `Incorrect Usage: …` and exit 1; `--token` anywhere
//       is refused with exit 1 (the gateway must pass it in the environment
//       only, never in argv, where /proc/<pid>/cmdline shows it)
//   TUNNEL_TOKEN missing: the real error text, exit 1; not a token:
//       `Provided Tunnel token is not valid.`, exit 1
//
// Test controls (environment):
//   FAKE_CLOUDFLARED_CRASH_AFTER_MS=N   N ms after the start: ERR lines and
//                                       exit FAKE_CLOUDFLARED_EXIT_CODE (1)
//   FAKE_CLOUDFLARED_IGNORE_SIGTERM=1   SIGTERM is logged and then ignored
//                                       (a shutdown that hangs: only SIGKILL
//                                       or SIGINT ends it)
//   FAKE_CLOUDFLARED_STATE_FILE=PATH    appends one line per start:
//                                       `start pid=P at=TIME tunnel=ID
//                                       argv=ARGS` (counts restarts)
//   FAKE_CLOUDFLARED_CONNS=N            connections registered (4)
//   FAKE_CLOUDFLARED_REGISTER_DELAY_MS=N  wait before registering (0)
//   FAKE_CLOUDFLARED_VERSION=V          the version printed (2025.4.0)
//   FAKE_CLOUDFLARED_API=http://127.0.0.1:PORT  the fake Cloudflare API
//       (`fake_upstream --flavor cloudflare`): registering calls
//       POST /_fake/cf/connect?tunnel=ID&conns=N there and stopping or
//       crashing /_fake/cf/disconnect, so the tunnel shows connected the
//       way the real edge reports it.
// Plain POSIX and the standard library: nothing here needs the gateway.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::string env(const char* name, std::string fallback = {}) {
  auto* v = std::getenv(name);
  return v != nullptr ? std::string{v} : fallback;
}

long env_number(const char* name, long fallback) {
  auto text = env(name);
  if (text.empty())
    return fallback;
  char* end = nullptr;
  auto v = std::strtol(text.c_str(), &end, 10);
  return end != nullptr && *end == '\0' && v >= 0 ? v : fallback;
}

std::string utc_now(bool millis = false) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  std::tm tm{};
  gmtime_r(&ts.tv_sec, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (millis) {
    std::snprintf(buf, sizeof(buf), ".%03ld", ts.tv_nsec / 1000000);
    out += buf;
  }
  return out + "Z";
}

long monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/// One line in cloudflared's console format (zerolog): time, level, text.
void log(const char* level, const std::string& text) {
  auto line = utc_now() + " " + level + " " + text + "\n";
  // One write per line, so lines of concurrent writers never interleave.
  auto rc = ::write(STDERR_FILENO, line.data(), line.size());
  (void)rc;
}

std::string uuid() {
  static std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  auto a = rng();
  auto b = rng();
  std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-%04x-%012llx",
                static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF),
                static_cast<unsigned>(a & 0xFFF),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3FFF)),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return buf;
}

std::string base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z')
      return c - 'A';
    if (c >= 'a' && c <= 'z')
      return c - 'a' + 26;
    if (c >= '0' && c <= '9')
      return c - '0' + 52;
    if (c == '+' || c == '-')
      return 62;
    if (c == '/' || c == '_')
      return 63;
    return -1;
  };
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=')
      break;
    auto v = value(c);
    if (v < 0)
      return {};
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

/// A string member of the token's flat JSON object; enough for the three
/// members cloudflared reads.
std::string member(const std::string& json, const char* name) {
  auto key = std::string{"\""} + name + "\":\"";
  auto at = json.find(key);
  if (at == std::string::npos)
    return {};
  at += key.size();
  auto end = json.find('"', at);
  return end == std::string::npos ? std::string{} : json.substr(at, end - at);
}

bool looks_like_uuid(const std::string& id) {
  if (id.size() != 36)
    return false;
  for (size_t i = 0; i < id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (id[i] == '-'))
      return false;
  }
  return true;
}

/// POST <api><path> with an empty body; the answer is not read beyond its
/// status line. Failures are only logged: the tunnel runs without it.
void notify_api(const std::string& api, const std::string& path) {
  if (api.empty())
    return;
  constexpr std::string_view scheme = "http://";
  auto hostport = api.starts_with(scheme) ? api.substr(scheme.size()) : api;
  hostport = hostport.substr(0, hostport.find('/'));
  auto colon = hostport.rfind(':');
  auto host = hostport.substr(0, colon);
  if (host == "localhost")
    host = "127.0.0.1";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(
    colon == std::string::npos ? 80 : std::atoi(hostport.c_str() + colon + 1)));
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool ok
    = fd >= 0 && inet_pton(AF_INET, host.c_str(), &addr.sin_addr) == 1
      && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  if (ok) {
    auto req = "POST " + path + " HTTP/1.1\r\nHost: " + hostport
               + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    ok
      = ::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size());
    char buf[64] = {};
    ok = ok && ::read(fd, buf, sizeof(buf) - 1) > 12
         && std::string_view{buf}.substr(9, 3) == "200";
  }
  if (fd >= 0)
    ::close(fd);
  if (!ok)
    log("WRN", "fake_cloudflared: could not reach FAKE_CLOUDFLARED_API "
               "error=\"POST "
                 + path + " failed\"");
}

int usage(const std::string& why) {
  std::fprintf(stderr,
               "Incorrect Usage: %s\n\n"
               "NAME:\n   cloudflared tunnel run - Proxy a local web server by "
               "running the given tunnel\n\nUSAGE:\n   cloudflared tunnel "
               "[tunnel command options] run [subcommand options] [TUNNEL]\n",
               why.c_str());
  return 1;
}

// Tunnel flags that take a value, so `--loglevel debug` is not read as a
// stray positional argument.
bool takes_value(std::string_view flag) {
  for (auto* f : {"--loglevel",
                  "--logfile",
                  "--log-directory",
                  "--metrics",
                  "--protocol",
                  "--edge-ip-version",
                  "--region",
                  "--grace-period",
                  "--origincert",
                  "--config",
                  "--pidfile",
                  "--label",
                  "--retries",
                  "--ha-connections",
                  "--transport-loglevel",
                  "--edge-bind-address",
                  "--url",
                  "--credentials-file",
                  "--cred-file",
                  "--tag"})
    if (flag == f)
      return true;
  return false;
}

/// Checks `tunnel … --no-autoupdate … run …`; an error text, or empty.
std::string check_args(const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "tunnel")
    return args.empty() ? "no command given"
                        : "unknown command \"" + args[0] + "\"";
  bool run = false;
  bool no_autoupdate = false;
  for (size_t i = 1; i < args.size(); ++i) {
    auto& a = args[i];
    auto name = a.substr(0, a.find('='));
    if (name == "--token" || name == "-token")
      return "fake_cloudflared: --token on the command line is refused; the "
             "token must come only through TUNNEL_TOKEN (SPEC §12)";
    if (a == "run" && !run) {
      if (!no_autoupdate)
        return "fake_cloudflared: expected `tunnel --no-autoupdate run`";
      run = true;
    } else if (a == "--no-autoupdate") {
      if (run)
        return "flag provided but not defined: -no-autoupdate";
      no_autoupdate = true;
    } else if (a.starts_with("-")) {
      if (a.find('=') == std::string::npos && takes_value(a)) {
        if (i + 1 >= args.size())
          return "flag needs an argument: " + a;
        ++i;
      }
    } else {
      return "unexpected argument \"" + a
             + "\" (the tunnel comes from TUNNEL_TOKEN)";
    }
  }
  return run ? "" : "fake_cloudflared: expected `tunnel --no-autoupdate run`";
}

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto version = env("FAKE_CLOUDFLARED_VERSION", "2025.4.0");
  if (args.size() == 1
      && (args[0] == "--version" || args[0] == "-v" || args[0] == "version")) {
    std::printf("cloudflared version %s (built 2025-04-08-1301 UTC)\n",
                version.c_str());
    return 0;
  }
  if (auto why = check_args(args); !why.empty())
    return usage(why);

  // Block the signals before anything else, so none is lost between now and
  // the wait loop below.
  // A parent that ignores SIGTERM would make the blocked signal vanish.
  std::signal(SIGTERM, SIG_DFL);
  std::signal(SIGINT, SIG_DFL);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigprocmask(SIG_BLOCK, &signals, nullptr);

  auto token = env("TUNNEL_TOKEN");
  if (token.empty()) {
    std::fprintf(stderr,
                 "\"cloudflared tunnel run\" requires the ID or name of the "
                 "tunnel to run as the last command line argument or in the "
                 "configuration file.\nSee 'cloudflared tunnel run --help'.\n");
    return 1;
  }
  auto decoded = base64_decode(token);
  auto tunnel_id = member(decoded, "t");
  if (!looks_like_uuid(tunnel_id) || member(decoded, "a").empty()
      || member(decoded, "s").empty()) {
    std::fprintf(stderr, "Provided Tunnel token is not valid.\n");
    return 1;
  }

  if (auto path = env("FAKE_CLOUDFLARED_STATE_FILE"); !path.empty()) {
    std::string joined;
    for (auto& a : args)
      joined += (joined.empty() ? "" : " ") + a;
    auto line = "start pid=" + std::to_string(::getpid())
                + " at=" + utc_now(true) + " tunnel=" + tunnel_id
                + " argv=" + joined + "\n";
    int fd
      = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      auto rc = ::write(fd, line.data(), line.size());
      (void)rc;
      ::close(fd);
    }
  }

  auto api = env("FAKE_CLOUDFLARED_API");
  auto conns = env_number("FAKE_CLOUDFLARED_CONNS", 4);
  auto crash_after = env_number("FAKE_CLOUDFLARED_CRASH_AFTER_MS", -1);
  bool ignore_term = env("FAKE_CLOUDFLARED_IGNORE_SIGTERM") == "1";
  auto register_at
    = monotonic_ms() + env_number("FAKE_CLOUDFLARED_REGISTER_DELAY_MS", 0);
  auto crash_at = crash_after >= 0 ? monotonic_ms() + crash_after : -1;

  log("INF", "Starting tunnel tunnelID=" + tunnel_id);
  log("INF", "Version " + version
               + " (Checksum "
                 "0000000000000000000000000000000000000000000000000000000000000"
                 "000)");
  log("INF", "GOOS: linux, GOVersion: go1.22.5, GoArch: amd64");
  log("INF", "Settings: map[no-autoupdate:true token:*****]");
  log("INF", "cloudflared will not automatically update if installed by a "
             "package manager.");
  log("INF", "Generated Connector ID: " + uuid());
  log("INF", "Initial protocol quic");
  log("INF", "Starting metrics server on 127.0.0.1:20241/metrics");

  static const char* edges[]
    = {"198.41.192.7", "198.41.200.13", "198.41.192.47", "198.41.200.53"};
  static const char* colos[] = {"fra08", "ams01", "fra10", "ams08"};
  bool registered = false;
  bool terminating = false;
  for (;;) {
    auto now = monotonic_ms();
    if (!registered && now >= register_at) {
      for (long i = 0; i < conns; ++i)
        log("INF", "Registered tunnel connection connIndex=" + std::to_string(i)
                     + " connection=" + uuid() + " event=0 ip=" + edges[i % 4]
                     + " location=" + colos[i % 4] + " protocol=quic");
      notify_api(api, "/_fake/cf/connect?tunnel=" + tunnel_id
                        + "&conns=" + std::to_string(conns));
      registered = true;
    }
    if (crash_at >= 0 && now >= crash_at) {
      log("ERR", "Serve tunnel error error=\"connection with edge closed: "
                 "fake crash\" connIndex=0 event=0 ip=198.41.192.7");
      log("ERR", "no more connections active and exiting");
      if (registered)
        notify_api(api, "/_fake/cf/disconnect?tunnel=" + tunnel_id);
      return static_cast<int>(env_number("FAKE_CLOUDFLARED_EXIT_CODE", 1));
    }
    // Sleep until the next timed event or a signal.
    long next = 1000;
    if (!registered)
      next = std::min(next, register_at - now);
    if (crash_at >= 0)
      next = std::min(next, crash_at - now);
    timespec wait{next / 1000, (next % 1000) * 1000000};
    int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig < 0)
      continue; // timeout or EINTR
    const char* name = sig == SIGTERM ? "terminated" : "interrupt";
    if (sig == SIGTERM && ignore_term) {
      // A shutdown that never completes: the supervisor must SIGKILL.
      if (!terminating)
        log("INF", std::string{"Initiating graceful shutdown due to signal "}
                     + name + " ...");
      terminating = true;
      continue;
    }
    log("INF", std::string{"Initiating graceful shutdown due to signal "} + name
                 + " ...");
    if (registered) {
      for (long i = 0; i < conns; ++i)
        log("INF", "Unregistered tunnel connection connIndex="
                     + std::to_string(i) + " event=0 ip=" + edges[i % 4]);
      notify_api(api, "/_fake/cf/disconnect?tunnel=" + tunnel_id);
    }
    log("INF", "Tunnel server stopped");
    log("INF", "Metrics server stopped");
    return 0;
  }
}
