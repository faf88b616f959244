#include "actors/tunnel_supervisor.hpp"

#include <chrono>
#include <csignal>

#include <sys/wait.h>

#include "actors/introspection.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/logging.hpp"

namespace oh::actors {

namespace {

using self_ptr = tunnel_supervisor_actor::stateful_pointer<tunnel_state>;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

std::string status_json(const tunnel_state& st) {
  std::string out = "{\"state\":";
  json::append_quoted(out, st.phase);
  out += ",\"running\":";
  out += st.child ? "true" : "false";
  out += ",\"pid\":";
  out += st.child ? std::to_string(st.child->pid()) : "null";
  out += ",\"restarts\":" + std::to_string(st.restarts);
  out += ",\"connections\":" + std::to_string(st.connections);
  out += ",\"uptime_s\":";
  out += st.child && st.phase == "running"
           ? std::to_string((steady_ms() - st.started_ms) / 1000)
           : "null";
  out += ",\"next_start_in_ms\":";
  out
    += st.phase == "backoff"
         ? std::to_string(std::max<int64_t>(0, st.next_start_ms - steady_ms()))
         : "null";
  out += ",\"last_error\":";
  if (st.last_error.empty())
    out += "null";
  else
    json::append_quoted(out, st.last_error);
  out += ",\"cloudflared_path\":";
  json::append_quoted(out, st.launch.cloudflared_path);
  return out + "}";
}

void ensure_ticking(self_ptr self) {
  auto& st = self->state;
  if (st.ticking)
    return;
  st.ticking = true;
  self->delayed_send(self, std::chrono::milliseconds(st.timing.tick_ms),
                     tick_atom::value);
}

/// A line of cloudflared's output into our log; the token never, even if
/// a future cloudflared printed it.
void log_line(tunnel_state& st, std::string line) {
  if (!st.launch.token.empty())
    for (size_t at; (at = line.find(st.launch.token)) != std::string::npos;)
      line.replace(at, st.launch.token.size(), "[redacted]");
  if (line.find("Registered tunnel connection") != std::string::npos)
    ++st.connections;
  OH_INFO("cloudflared: {}", line);
  st.last_line = std::move(line);
}

void launch_child(self_ptr self) {
  auto& st = self->state;
  spawn_options o;
  o.program = st.launch.cloudflared_path;
  o.args = {"tunnel", "--no-autoupdate", "run"};
  o.env = {{"TUNNEL_TOKEN", st.launch.token}};
  auto child = subprocess::spawn(o);
  if (!child) {
    st.phase = "failed";
    st.wanted = false;
    st.last_error = child.error().code == errc::not_found
                      ? cloudflared_missing(st.launch.cloudflared_path)
                      : child.error().message;
    OH_ERROR("tunnel: {}", st.last_error);
    return;
  }
  st.child.emplace(std::move(*child));
  st.phase = "running";
  st.started_ms = steady_ms();
  st.connections = 0;
  OH_INFO("tunnel: cloudflared started (pid {})", st.child->pid());
  ensure_ticking(self);
}

void on_child_exit(self_ptr self, int status) {
  auto& st = self->state;
  auto ran_ms = steady_ms() - st.started_ms;
  st.child.reset();
  st.connections = 0;
  auto how = describe_wait_status(status);
  if (st.replacing) { // it made way for a new launch: start that at once
    st.replacing = false;
    st.phase = "stopped";
    OH_INFO("tunnel: cloudflared stopped for a new launch ({})", how);
    return;
  }
  if (!st.wanted) {
    st.phase = "stopped";
    OH_INFO("tunnel: cloudflared stopped ({})", how);
    return;
  }
  // It ended on its own: try again later, later each time it fails fast.
  st.last_error = "cloudflared ended (" + how + ")"
                  + (st.last_line.empty() ? "" : ": " + st.last_line);
  if (ran_ms >= st.timing.stable_ms || st.backoff_ms == 0)
    st.backoff_ms = st.timing.first_backoff_ms;
  else
    st.backoff_ms = std::min(st.backoff_ms * 2, st.timing.max_backoff_ms);
  st.next_start_ms = steady_ms() + st.backoff_ms;
  st.phase = "backoff";
  OH_WARN("tunnel: {}; restarting in {} ms", st.last_error, st.backoff_ms);
}

void tick(self_ptr self) {
  auto& st = self->state;
  st.ticking = false;
  if (st.child) {
    std::vector<std::string> lines;
    st.child->read_lines(lines);
    for (auto& l : lines)
      log_line(st, std::move(l));
    if (auto status = st.child->poll_exit()) {
      lines.clear();
      st.child->read_lines(lines); // what it said last
      for (auto& l : lines)
        log_line(st, std::move(l));
      on_child_exit(self, *status);
    } else if (st.phase == "stopping" && steady_ms() >= st.stop_deadline_ms) {
      OH_WARN("tunnel: cloudflared ignored SIGTERM for {} ms; killing it",
              st.timing.stop_grace_ms);
      st.child->signal(SIGKILL);
    }
  }
  if (st.phase == "running" && st.child
      && steady_ms() - st.started_ms >= st.timing.stable_ms)
    st.backoff_ms = 0; // stable: the next failure starts the backoff anew
  if (!st.child && st.wanted
      && (st.phase != "backoff" || steady_ms() >= st.next_start_ms)) {
    if (st.phase == "backoff")
      ++st.restarts;
    launch_child(self);
  }
  if (st.child || (st.wanted && st.phase == "backoff"))
    ensure_ticking(self);
}

void begin_stop(self_ptr self) {
  auto& st = self->state;
  if (!st.child) {
    if (st.phase != "failed")
      st.phase = "stopped";
    return;
  }
  st.child->signal(SIGTERM);
  st.phase = "stopping";
  st.stop_deadline_ms = steady_ms() + st.timing.stop_grace_ms;
  ensure_ticking(self);
}

} // namespace

std::string cloudflared_missing(const std::string& path) {
  return "cloudflared is not installed (cloudflare.cloudflared_path is \""
         + path
         + "\"). Install it from Cloudflare's Debian repository "
           "(https://pkg.cloudflare.com: add the repository, then `sudo apt "
           "install cloudflared`) or point cloudflare.cloudflared_path at "
           "the binary. The gateway keeps serving without the tunnel.";
}

tunnel_state::~tunnel_state() {
  if (!child)
    return;
  auto pid = child->pid();
  auto status = child->terminate(static_cast<int>(timing.stop_grace_ms));
  OH_INFO("tunnel: cloudflared (pid {}) ended at shutdown ({})", pid,
          describe_wait_status(status));
}

tunnel_supervisor_actor::behavior_type
tunnel_supervisor(tunnel_supervisor_actor::stateful_pointer<tunnel_state> self,
                  tunnel_timing timing) {
  self->state.timing = timing;
  return {
    [=](start_atom, tunnel_launch& launch) -> std::string {
      auto& st = self->state;
      ++st.handled;
      if (st.child && st.wanted && !st.replacing
          && launch.token == st.launch.token
          && launch.cloudflared_path == st.launch.cloudflared_path)
        return status_json(st); // already running just so: nothing to do
      st.launch = std::move(launch);
      st.wanted = true;
      st.last_error.clear();
      st.backoff_ms = 0;
      st.restarts = 0;
      if (st.child) {
        // A new token or path: the running child makes way (the tick
        // starts the new one once it has ended).
        begin_stop(self);
        st.replacing = true;
      } else {
        launch_child(self);
      }
      return status_json(st);
    },
    [=](stop_atom) -> std::string {
      auto& st = self->state;
      ++st.handled;
      st.wanted = false;
      st.replacing = false;
      begin_stop(self);
      return status_json(st);
    },
    [=](tick_atom) {
      ++self->state.handled;
      tick(self);
    },
    [=](status_atom) -> std::string {
      auto& st = self->state;
      ++st.handled;
      // /admin/actors reads the mailbox fields first, like every actor's.
      auto body = status_json(st);
      return "{" + mailbox_fields(self, st.handled) + "," + body.substr(1);
    },
  };
}

} // namespace oh::actors
