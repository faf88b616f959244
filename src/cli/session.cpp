#include "cli/session.hpp"

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "core/config.hpp"
#include "core/data_dir.hpp"
#include "core/defaults.hpp"
#include "providers/oauth/oauth_client.hpp"

namespace oh::cli {

namespace {

struct resolved_target {
  std::string url;
  std::string token;
  /// Where a missing token was looked for, for the message.
  std::string token_file;
};

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0')
    return std::nullopt;
  return std::string{v};
}

std::string first_line(std::string text) {
  auto nl = text.find_first_of("\r\n");
  if (nl != std::string::npos)
    text.resize(nl);
  return text;
}

resolved_target resolve(const invocation& in) {
  resolved_target t;
  std::vector<std::string> config_args;
  for (auto* name : {"--config", "--data-dir", "--port"})
    if (in.has(name)) {
      config_args.emplace_back(name);
      config_args.push_back(in.get(name));
    }
  // The configuration is read only to find the gateway; nothing is
  // created (a client must not leave a data directory behind).
  auto cfg = load_config(config_args, process_env());
  if (!cfg)
    usage_failure(cfg.error().message);
  if (in.has("--url"))
    t.url = in.get("--url");
  else if (auto u = env("OPENHINGE_URL"))
    t.url = *u;
  else {
    auto host = cfg->host;
    if (host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]")
      host = "127.0.0.1";
    if (host.find(':') != std::string::npos && host.front() != '[')
      host = "[" + host + "]";
    auto port = std::to_string(cfg->port);
    // The running gateway's port file wins over the configured port (it
    // may listen on a port given by a flag, or on a free one: port 0).
    if (!in.has("--port")) {
      auto file = cfg->data_dir + "/" + defaults::port_file;
      if (auto text = data_dir::read_small_file(file, 64)) {
        auto p = first_line(*text);
        if (!p.empty()
            && p.find_first_not_of("0123456789") == std::string::npos)
          port = p;
      }
    }
    t.url = "http://" + host + ":" + port;
  }
  while (!t.url.empty() && t.url.back() == '/')
    t.url.pop_back();
  if (in.has("--token"))
    t.token = in.get("--token");
  else if (auto tok = env("OPENHINGE_ADMIN_TOKEN"))
    t.token = *tok;
  else if (!cfg->admin_token.empty())
    t.token = cfg->admin_token;
  else {
    t.token_file = cfg->data_dir + "/" + defaults::admin_token_file;
    auto text = data_dir::read_small_file(t.token_file, 4096);
    if (text)
      t.token = first_line(*text);
    else if (std::filesystem::exists(t.token_file))
      usage_failure("cannot read the admin token in " + t.token_file + " ("
                    + text.error().message
                    + "); pass --token or set OPENHINGE_ADMIN_TOKEN");
  }
  if (t.token.empty())
    usage_failure(
      "no admin token: pass --token, set OPENHINGE_ADMIN_TOKEN, "
      "or run where the gateway's data directory is (looked for "
      + (t.token_file.empty() ? std::string{"admin.token"} : t.token_file)
      + "; --data-dir names another)");
  return t;
}

endpoint endpoint_of(const std::string& url) {
  auto e = parse_url(url);
  if (!e)
    usage_failure("--url / OPENHINGE_URL: " + e.error().message);
  return *e;
}

} // namespace

void usage_failure(std::string message) {
  throw cli_failure{exit_status::usage, std::move(message)};
}

std::string url_encode(std::string_view text) {
  return providers::oauth::url_encode(text);
}

session::session(const invocation& in) : client_(endpoint{}) {
  auto t = resolve(in);
  url_ = t.url;
  token_ = t.token;
  json_ = in.has("--json");
  if (in.has("--client-timeout")) {
    auto text = in.get("--client-timeout");
    char* end = nullptr;
    double s = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(s > 0) || s > 86400)
      usage_failure("--client-timeout must be a number of seconds above 0");
    timeout_ = std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
  }
  client_ = http_client{endpoint_of(url_)};
}

http_call session::make(const std::string& method, const std::string& target,
                        const std::string& body) const {
  http_call c;
  c.method = method;
  c.target = target;
  c.body = body;
  c.timeout = timeout_;
  c.headers.emplace_back("Authorization", "Bearer " + token_);
  return c;
}

void session::fail_on(const http_reply& reply) const {
  if (reply.status < 400)
    return;
  std::string message;
  if (auto doc = json::parse(reply.body); doc && doc->IsObject()) {
    if (auto* e = json::find(*doc, "error")) {
      if (e->IsObject())
        message = json::get_string(*e, "message").value_or("");
      else if (e->IsString())
        message = e->GetString();
    }
  }
  if (message.empty())
    message = "the gateway answered HTTP " + std::to_string(reply.status);
  // The hint only where the token was refused (a wrong current password
  // is a 401 too, with its own message).
  if (reply.status == 401 && message.find("admin token") != std::string::npos)
    message += " (check the admin token: --token, OPENHINGE_ADMIN_TOKEN or "
               "<data-dir>/admin.token)";
  std::string body = reply.body;
  if (!json::parse(body))
    body.clear();
  throw cli_failure{exit_status::api_error, message, body};
}

json::document session::call(const std::string& method,
                             const std::string& target,
                             const std::string& body) {
  return send(make(method, target, body));
}

json::document session::call_as(const std::string& token,
                                const std::string& method,
                                const std::string& target,
                                const std::string& body) {
  auto c = make(method, target, body);
  c.headers.clear();
  c.headers.emplace_back("Authorization", "Bearer " + token);
  return send(std::move(c));
}

json::document session::send(http_call call) {
  http_reply reply;
  transport_error error;
  if (!client_.send(call, reply, error)) {
    if (error.kind == transport_failure::connect)
      throw cli_failure{exit_status::unreachable,
                        "no gateway answers at " + url_ + " (" + error.message
                          + "). Start it with 'openhinge serve', or point "
                            "--url / OPENHINGE_URL at it."};
    if (error.kind == transport_failure::timeout)
      throw cli_failure{exit_status::unreachable,
                        "the gateway at " + url_ + " did not answer within "
                          + std::to_string(timeout_.count() / 1000)
                          + " s (--client-timeout gives it longer)"};
    throw cli_failure{exit_status::unreachable,
                      "talking to " + url_ + " failed: " + error.message};
  }
  fail_on(reply);
  if (reply.body.empty()) {
    json::document empty;
    empty.SetObject();
    return empty;
  }
  auto doc = json::parse(reply.body);
  if (!doc)
    throw cli_failure{exit_status::api_error,
                      "the gateway's answer is not JSON (" + doc.error().message
                        + "); is " + url_ + " an OpenHinge gateway?"};
  return std::move(*doc);
}

json::document session::get(const std::string& target) {
  return call("GET", target, {});
}
json::document session::post(const std::string& target,
                             const std::string& body) {
  return call("POST", target, body);
}
json::document session::patch(const std::string& target,
                              const std::string& body) {
  return call("PATCH", target, body);
}
json::document session::put(const std::string& target,
                            const std::string& body) {
  return call("PUT", target, body);
}
json::document session::del(const std::string& target) {
  return call("DELETE", target, {});
}

void session::stream(const std::string& target,
                     const std::function<void(std::string_view)>& sink) {
  http_reply reply;
  transport_error error;
  bool failed_status = false;
  std::string error_body;
  auto on_chunk = [&](std::string_view bytes) {
    if (reply.status >= 400) {
      failed_status = true;
      error_body.append(bytes);
    } else {
      sink(bytes);
    }
  };
  auto c = make("GET", target, {});
  c.timeout = std::chrono::hours(24); // an export may take long
  if (!client_.send(c, reply, error, on_chunk))
    throw cli_failure{
      error.kind == transport_failure::connect ? exit_status::unreachable
                                               : exit_status::api_error,
      "no gateway answers at " + url_ + " (" + error.message + ")"};
  if (failed_status || reply.status >= 400) {
    reply.body = error_body;
    fail_on(reply);
  }
}

} // namespace oh::cli
