#include "http/handlers/admin_connect.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.hpp"
#include "core/error_render.hpp"
#include "core/json.hpp"
#include "http/handlers/admin.hpp"
#include "http/handlers/admin_json.hpp"
#include "http/handlers/chat.hpp"
#include "http/handlers/openclaw_config.hpp"
#include "store/audit_repo.hpp"

namespace oh::http::handlers {

namespace {

/// OpenClaw's configuration files are small; a larger one is not one.
constexpr size_t max_file_bytes = 4 * 1024 * 1024;

std::string home_dir() {
  if (const char* home = std::getenv("HOME"); home && *home)
    return home;
  if (auto* pw = ::getpwuid(::getuid()); pw && pw->pw_dir)
    return pw->pw_dir;
  return ".";
}

std::string openclaw_path() {
  return home_dir() + "/.openclaw/openclaw.json";
}

/// The gateway's /v1 base as this machine reaches it: the configured host
/// (a wildcard listen address is reached on loopback) and the bound port.
std::string gateway_base_url(const app_context& ctx) {
  std::string host = ctx.listen_host;
  if (host.empty() || host == "0.0.0.0")
    host = "127.0.0.1";
  else if (host == "::" || host == "[::]")
    host = "[::1]";
  else if (host.find(':') != std::string::npos && host.front() != '[')
    host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(ctx.listen_port.load())
         + "/v1";
}

expected<std::string> read_text(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return fail(errc::not_found, "OpenClaw not found at " + path);
  std::ostringstream out;
  out << in.rdbuf();
  if (out.str().size() > max_file_bytes)
    return fail(errc::invalid_value, path + " is larger than 4 MiB");
  return out.str();
}

status write_exact(const std::string& path, const std::string& text,
                   mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return fail(errc::internal,
                "cannot write " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return fail(errc::internal,
                  "cannot write " + path + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  ::fchmod(fd, mode); // the umask must not narrow the user's own mode
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced)
    return fail(errc::internal, "cannot write " + path);
  return ok();
}

/// Copies the current file aside, then replaces it atomically with `text`
/// (same mode). Answers the backup's path.
expected<std::string> replace_file(const std::string& path,
                                   const std::string& old_text,
                                   const std::string& text) {
  struct stat st {};
  mode_t mode = 0600;
  if (::stat(path.c_str(), &st) == 0)
    mode = st.st_mode & 07777;
  auto stamp = clock::now_iso();
  std::erase(stamp, ':');
  std::erase(stamp, '-');
  std::string backup = path + ".openhinge-backup-" + stamp;
  if (auto s = write_exact(backup, old_text, mode); !s)
    return s.error();
  std::string tmp = path + ".openhinge-tmp";
  if (auto s = write_exact(tmp, text, mode); !s)
    return s.error();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return fail(errc::internal,
                "cannot replace " + path + ": " + std::strerror(err));
  }
  return backup;
}

expected<std::string> app_of(const json::value& body) {
  admin::fields f{body};
  f.require("app");
  auto app = f.string("app", 100);
  if (f.error())
    return *f.error();
  if (**app != "openclaw")
    return failure{errc::invalid_value,
                   "app: unknown app \"" + **app + "\" (known: openclaw)",
                   "app"};
  return **app;
}

actors::admin_reply error_reply(failure f) {
  actors::admin_reply r;
  r.error = std::move(f);
  return r;
}

} // namespace

void handle_connect(const std::shared_ptr<app_context>& ctx,
                    const route_result& route, http_request req,
                    const admin_principal& who, responder respond) {
  std::string path = openclaw_path();
  if (route.id == route_id::admin_connect_detect) {
    actors::store_job job = [path](actors::store_context&) {
      bool detected = ::access(path.c_str(), F_OK) == 0;
      auto text = detected ? read_text(path) : expected<std::string>{""};
      bool connected = text && openclaw::is_connected(*text);
      actors::admin_reply r;
      r.body = "{\"apps\":[{\"id\":\"openclaw\",\"name\":\"OpenClaw\","
               "\"detected\":"
               + std::string{detected ? "true" : "false"} + ",\"connected\":"
               + (connected ? "true" : "false") + ",\"configPath\":";
      json::append_quoted(r.body, path);
      r.body += "}]}";
      return r;
    };
    run_store_job(ctx, std::move(job), std::move(respond));
    return;
  }
  auto body = admin::body_object(req.body);
  if (!body) {
    respond(error_response(dialect::admin, body.error()));
    return;
  }
  auto app = app_of(*body);
  if (!app) {
    respond(error_response(dialect::admin, app.error()));
    return;
  }
  actors::store_job job;
  if (route.id == route_id::admin_connect) {
    admin::fields f{*body};
    f.only({"app", "api_key"});
    f.require("api_key");
    auto key = f.string("api_key", 200);
    if (f.error()) {
      respond(error_response(dialect::admin, *f.error()));
      return;
    }
    // OpenClaw will send this key with every request: it must be one the
    // gateway accepts now, or the app would fail later, far from here.
    auto snap = ctx->snapshot->load();
    auto found = look_up_key(*snap, **key);
    if (found.refused != nullptr) {
      respond(error_response(
        dialect::admin,
        fail(errc::invalid_value,
             std::string{"api_key: not a usable ohk_ key of this gateway ("}
               + found.refused + ")",
             "api_key")));
      return;
    }
    std::vector<std::string> models;
    for (auto& m : snap->models) {
      if (models.size() == openclaw::max_models)
        break;
      models.push_back(m.id);
    }
    job = [path, key = **key, models, base = gateway_base_url(*ctx),
           actor = who.actor](actors::store_context& sc) {
      auto text = read_text(path);
      if (!text)
        return error_reply(text.error());
      auto next = openclaw::connect(*text, base, key, models);
      if (!next)
        return error_reply(next.error());
      auto backup = replace_file(path, *text, *next);
      if (!backup)
        return error_reply(backup.error());
      store::audit_repo{sc.db}.record(actor, "connect", "app", "openclaw");
      actors::admin_reply r;
      r.body = "{\"ok\":true,\"models\":[";
      for (size_t i = 0; i < models.size(); ++i) {
        if (i > 0)
          r.body += ",";
        json::append_quoted(r.body, models[i]);
      }
      r.body += "],\"message\":\"Connected with "
                + std::to_string(models.size()) + " models\",\"base_url\":";
      json::append_quoted(r.body, base);
      r.body += ",\"backup\":";
      json::append_quoted(r.body, *backup);
      r.body += "}";
      return r;
    };
  } else {
    job = [path, actor = who.actor](actors::store_context& sc) {
      auto text = read_text(path);
      if (!text)
        return error_reply(text.error());
      auto next = openclaw::disconnect(*text);
      if (!next)
        return error_reply(next.error());
      actors::admin_reply r;
      if (next->empty()) {
        r.body = "{\"ok\":true}";
        return r;
      }
      auto backup = replace_file(path, *text, *next);
      if (!backup)
        return error_reply(backup.error());
      store::audit_repo{sc.db}.record(actor, "disconnect", "app", "openclaw");
      r.body = "{\"ok\":true,\"backup\":";
      json::append_quoted(r.body, *backup);
      r.body += "}";
      return r;
    };
  }
  run_store_job(ctx, std::move(job), std::move(respond));
}

} // namespace oh::http::handlers
