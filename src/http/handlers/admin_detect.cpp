#include "http/handlers/admin_detect.hpp"

#include <array>
#include <cstdlib>

#include "providers/model_listing.hpp"
#include "providers/upstream_client.hpp"

namespace oh::http::handlers {

namespace {

struct env_source {
  const char* variable;
  const char* type;
};

/// Provider keys read from the server's environment (never other files).
constexpr std::array<env_source, 4> env_sources = {{
  {"ANTHROPIC_API_KEY", "claude"},
  {"OPENAI_API_KEY", "openai"},
  {"GEMINI_API_KEY", "gemini"},
  {"GOOGLE_API_KEY", "gemini"},
}};

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string{v} : std::string{};
}

/// Collects the /api/tags answer and answers the admin request.
class ollama_check final : public providers::upstream_handler {
public:
  ollama_check(std::string base, std::string env_json, responder respond)
    : base_(std::move(base)), env_json_(std::move(env_json)),
      respond_(std::move(respond)) {}
  void on_head(unsigned status, const providers::header_list&) override {
    status_ = status;
  }
  bool on_body(std::string_view bytes) override {
    if (body_.size() < 1024 * 1024)
      body_.append(bytes);
    return true;
  }
  void on_end() override {
    bool found = status_ >= 200 && status_ < 300;
    answer(found, found ? providers::parse_listing("ollama", body_)
                        : std::vector<std::string>{});
  }
  void on_fail(providers::upstream_failure, const std::string&) override {
    answer(false, {});
  }

private:
  void answer(bool found, const std::vector<std::string>& models) {
    std::string out = "{\"data\":[" + env_json_;
    if (!env_json_.empty())
      out += ",";
    out += "{\"source\":\"ollama\",\"type\":\"ollama\",\"mode\":\"api_key\","
           "\"base_url\":";
    json::append_quoted(out, base_);
    out += ",\"found\":";
    out += found ? "true" : "false";
    out += ",\"models\":[";
    for (size_t i = 0; i < models.size(); ++i) {
      if (i > 0)
        out += ",";
      json::append_quoted(out, models[i]);
    }
    out += "]}]}";
    http_response res;
    res.body = std::move(out);
    respond_(std::move(res));
  }

  std::string base_;
  std::string env_json_;
  responder respond_;
  unsigned status_ = 0;
  std::string body_;
};

} // namespace

std::string ollama_base_url(std::string_view host) {
  if (host.empty())
    return "http://127.0.0.1:11434";
  std::string url{host};
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    url = "http://" + url;
  auto scheme_end = url.find("://") + 3;
  auto rest = url.substr(scheme_end);
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  if (rest.starts_with(":"))
    rest = "127.0.0.1" + rest;
  if (rest.starts_with("0.0.0.0"))
    rest = "127.0.0.1" + rest.substr(7);
  if (rest.find(':') == std::string::npos
      && rest.find('/') == std::string::npos)
    rest += ":11434";
  return url.substr(0, scheme_end) + rest;
}

void handle_detect(const std::shared_ptr<app_context>& ctx, responder respond) {
  std::string env_json;
  for (auto& s : env_sources) {
    if (env_or_empty(s.variable).empty())
      continue;
    if (!env_json.empty())
      env_json += ",";
    env_json += std::string{"{\"source\":\"env:"} + s.variable
                + "\",\"type\":\"" + s.type
                + "\",\"mode\":\"api_key\",\"found\":true}";
  }
  auto base = ollama_base_url(env_or_empty("OLLAMA_HOST"));
  auto check = std::make_shared<ollama_check>(base, env_json, respond);
  auto req = providers::listing_request("ollama", base, "");
  if (!req || ctx->services == nullptr || ctx->services->upstream == nullptr) {
    check->on_fail(providers::upstream_failure::connect, "no upstream client");
    return;
  }
  // A local server answers at once; do not hold the admin request long.
  req->connect_timeout = std::chrono::milliseconds(3'000);
  req->first_byte_timeout = std::chrono::milliseconds(3'000);
  req->idle_timeout = std::chrono::milliseconds(3'000);
  req->total_timeout = std::chrono::milliseconds(3'000);
  ctx->services->upstream->start(std::move(*req), check);
}

expected<std::string> import_body(const json::value& request) {
  auto source = json::get_string(request, "source");
  if (!source)
    return fail(errc::missing_field, "source: is required", "source");
  auto name = json::get_string(request, "name");
  std::string body = "{\"name\":";
  if (*source == "ollama") {
    json::append_quoted(body, name.value_or("ollama"));
    body += ",\"type\":\"ollama\",\"base_url\":";
    json::append_quoted(body, ollama_base_url(env_or_empty("OLLAMA_HOST")));
    return body + "}";
  }
  for (auto& s : env_sources) {
    if (*source != std::string{"env:"} + s.variable)
      continue;
    auto secret = env_or_empty(s.variable);
    if (secret.empty())
      return fail(errc::invalid_value,
                  std::string{"source: "} + s.variable
                    + " is not set in the gateway's environment",
                  "source");
    json::append_quoted(body, name.value_or(std::string{s.type} + "-env"));
    body += ",\"type\":\"" + std::string{s.type}
            + "\",\"auth_mode\":\"api_key\",\"credentials\":{\"api_key\":";
    json::append_quoted(body, secret);
    return body + "}}";
  }
  return fail(errc::invalid_value,
              "source: must be ollama or env:ANTHROPIC_API_KEY, "
              "env:OPENAI_API_KEY, env:GEMINI_API_KEY or env:GOOGLE_API_KEY",
              "source");
}

} // namespace oh::http::handlers
