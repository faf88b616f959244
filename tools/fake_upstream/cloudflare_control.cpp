// The `/_fake/cf/...` test hooks of `--flavor cloudflare` (the list with
// their syntax is in the header of main.cpp): what a test needs that the
// real API cannot do on demand — fail or stall a step, connect a tunnel,
// change the valid token — and what it reads back — calls per step and
// everything created.

#include "cloudflare.hpp"

#include <algorithm>
#include <array>

#include "cloudflare_wire.hpp"
#include "oauth.hpp"

namespace fake::cloudflare {

using wire::q;

namespace {

constexpr std::array<const char*, 16> steps
  = {"verify",       "accounts",      "zones",      "get_zone",
     "list_tunnels", "create_tunnel", "get_tunnel", "delete_tunnel",
     "put_config",   "get_config",    "token",      "list_dns",
     "get_dns",      "create_dns",    "update_dns", "delete_dns"};

bool known_step(std::string_view step) {
  return std::find(steps.begin(), steps.end(), step) != steps.end();
}

reply json(unsigned status, std::string body) {
  return {status, std::move(body), {}, 0};
}

reply hook_error(std::string message) {
  return json(400, R"({"error":)" + q(message) + "}");
}

int64_t number(const std::map<std::string, std::string>& p, const char* name,
               int64_t fallback) {
  auto it = p.find(name);
  if (it == p.end() || it->second.empty())
    return fallback;
  try {
    return std::stoll(it->second);
  } catch (...) {
    return fallback;
  }
}

} // namespace

reply api::control(const request& r) {
  auto target = std::string{r.target};
  auto path = target.substr(0, target.find('?'));
  auto p = oauth::query_of(target);
  auto name = path.substr(std::string_view{"/_fake/cf/"}.size());
  bool post = r.method == "POST";
  if (r.method == "GET" && name == "stats")
    return stats();
  if (r.method == "GET" && name == "state")
    return state();
  if (post && name == "fail") {
    auto step = p["step"];
    if (step == "none") {
      failures_.clear();
      return json(200, R"({"failures":0})");
    }
    if (step != "dns" && !known_step(step))
      return hook_error("unknown step \"" + step + "\"");
    failure f;
    f.remaining = p["times"] == "always" ? -1 : number(p, "times", 1);
    f.status = static_cast<unsigned>(number(p, "status", 500));
    // Cloudflare's own code and words for the usual statuses.
    f.code = f.status == 403 ? 10000 : f.status == 429 ? 971 : 10002;
    f.message = f.status == 403   ? "Authentication error"
                : f.status == 429 ? "Please wait and consider throttling your "
                                    "request speed"
                                  : "An unknown error has occurred";
    f.code = number(p, "code", f.code);
    if (p.contains("message"))
      f.message = p["message"];
    f.retry_after = number(p, "retry_after", -1);
    for (auto& s : step == "dns"
                     ? std::vector<std::string>{"create_dns", "update_dns"}
                     : std::vector<std::string>{step})
      failures_[s] = f;
    return json(200, R"({"step":)" + q(step) + R"(,"times":)"
                       + std::to_string(f.remaining) + "}");
  }
  if (post && name == "delay") {
    auto step = p["step"];
    if (step != "all" && !known_step(step))
      return hook_error("unknown step \"" + step + "\"");
    auto ms = number(p, "ms", 0);
    if (ms > 0)
      delays_[step] = ms;
    else
      delays_.erase(step);
    return json(200, R"({"step":)" + q(step) + R"(,"ms":)" + std::to_string(ms)
                       + "}");
  }
  if (post && (name == "connect" || name == "disconnect")) {
    // By id, or by name (the live tunnel of that name).
    auto key = p["tunnel"];
    auto it = std::find_if(tunnels_.begin(), tunnels_.end(), [&](auto& t) {
      return t.id == key || (t.name == key && t.deleted_at.empty());
    });
    if (it == tunnels_.end())
      return json(404, R"({"error":"no such tunnel"})");
    auto now = wire::now();
    it->connections.clear();
    if (name == "connect") {
      auto client = wire::uuid();
      static const char* colos[] = {"fra08", "ams01", "fra10", "ams08"};
      for (int64_t i = 0; i < std::clamp<int64_t>(number(p, "conns", 4), 1, 16);
           ++i)
        it->connections.push_back({wire::uuid(), client, now, colos[i % 4]});
      it->conns_active_at = now;
    } else {
      it->conns_inactive_at = now;
    }
    return json(200, tunnel_json(*it));
  }
  if (post && name == "token") {
    config.token = p["value"];
    return json(200, R"({"token":)" + q(config.token) + "}");
  }
  if (post && name == "reset") {
    tunnels_.clear();
    dns_.clear();
    calls_.clear();
    failures_.clear();
    delays_.clear();
    log_.clear();
    auth_failures_ = injected_ = 0;
    config.token = seeded_token_;
    seed();
    return json(200, R"({"reset":true})");
  }
  return json(404, R"({"error":"no such test hook"})");
}

reply api::stats() const {
  std::string calls = "{";
  for (auto* s : steps) {
    auto it = calls_.find(s);
    calls += (calls.size() > 1 ? "," : "") + q(s) + ":"
             + std::to_string(it == calls_.end() ? 0 : it->second);
  }
  std::string requests = "[";
  for (auto& l : log_)
    requests += (requests.size() > 1 ? "," : "") + std::string{R"({"method":)"}
                + q(l.method) + R"(,"path":)" + q(l.path) + R"(,"step":)"
                + q(l.step) + R"(,"status":)" + std::to_string(l.status) + "}";
  return json(200, R"({"calls":)" + calls + R"(},"auth_failures":)"
                     + std::to_string(auth_failures_)
                     + R"(,"injected_failures":)" + std::to_string(injected_)
                     + R"(,"requests":)" + requests + "]}");
}

reply api::state() const {
  std::string zones = "[";
  for (auto& z : zones_)
    zones += (zones.size() > 1 ? "," : "") + std::string{R"({"id":)"} + q(z.id)
             + R"(,"name":)" + q(z.name) + R"(,"status":)" + q(z.status) + "}";
  // Each tunnel as the API shows it, plus what only the fake knows.
  std::string tunnels = "[";
  for (auto& t : tunnels_) {
    auto j = tunnel_json(t);
    j.pop_back();
    tunnels += (tunnels.size() > 1 ? "," : "") + j + R"(,"config_src":)"
               + q(t.config_src) + R"(,"secret":)" + q(t.secret)
               + R"(,"token":)" + q(token_of(t)) + R"(,"config_version":)"
               + std::to_string(t.config_version) + R"(,"config":)"
               + (t.config.empty() ? "null" : t.config) + "}";
  }
  std::string records = "[";
  for (auto& d : dns_) {
    auto z = std::find_if(zones_.begin(), zones_.end(), [&](auto& each) {
      return each.id == d.zone_id;
    });
    records += (records.size() > 1 ? "," : "") + dns_json(d, *z);
  }
  return json(200, R"({"token":)" + q(config.token) + R"(,"account":{"id":)"
                     + q(config.account_id) + R"(,"name":)"
                     + q(config.account_name) + R"(},"zones":)" + zones
                     + R"(],"tunnels":)" + tunnels + R"(],"dns_records":)"
                     + records + "]}");
}

} // namespace fake::cloudflare
