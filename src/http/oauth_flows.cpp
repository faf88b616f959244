#include "http/oauth_flows.hpp"

#include "core/clock.hpp"
#include "core/json.hpp"

namespace oh::http {

void oauth_flow_book::sweep(int64_t now) {
  for (auto it = flows_.begin(); it != flows_.end();) {
    auto& f = it->second;
    if ((f.status == "pending" || f.status == "exchanging")
        && now >= f.expires_ms) {
      // An exchange under way finishes on its own; a pending one is over.
      if (f.status == "pending") {
        f.status = "expired";
        f.error = "the login was not completed within 5 minutes";
      }
    }
    bool ended = f.status != "pending" && f.status != "exchanging";
    if (ended && now - f.created_ms > 60 * 60 * 1000)
      it = flows_.erase(it);
    else
      ++it;
  }
}

void oauth_flow_book::add(oauth_flow f) {
  std::lock_guard guard{mutex_};
  sweep(f.created_ms);
  latest_id_ = f.id;
  flows_[f.id] = std::move(f);
}

std::optional<oauth_flow> oauth_flow_book::get(const std::string& id,
                                               int64_t now) {
  std::lock_guard guard{mutex_};
  sweep(now);
  auto it = flows_.find(id);
  if (it == flows_.end())
    return std::nullopt;
  return it->second;
}

std::optional<oauth_flow> oauth_flow_book::latest(int64_t now) {
  std::lock_guard guard{mutex_};
  sweep(now);
  auto it = flows_.find(latest_id_);
  if (it == flows_.end())
    return std::nullopt;
  return it->second;
}

std::optional<oauth_flow> oauth_flow_book::by_state(const std::string& state,
                                                    int64_t now) {
  std::lock_guard guard{mutex_};
  sweep(now);
  for (auto& [id, f] : flows_)
    if (f.state == state)
      return f;
  return std::nullopt;
}

bool oauth_flow_book::claim(const std::string& id, int64_t now,
                            std::string& why) {
  std::lock_guard guard{mutex_};
  sweep(now);
  auto it = flows_.find(id);
  if (it == flows_.end()) {
    why = "no such login";
    return false;
  }
  auto& f = it->second;
  if (f.status != "pending") {
    why = f.status == "exchanging"  ? "the login is being completed already"
          : f.status == "expired"   ? "the login expired: start again"
          : f.status == "cancelled" ? "the login was cancelled"
                                    : "the login is over (" + f.status + ")";
    return false;
  }
  f.status = "exchanging";
  return true;
}

void oauth_flow_book::finish(const std::string& id, const std::string& status,
                             const std::string& error,
                             const std::string& provider_id,
                             const std::string& provider_name) {
  std::lock_guard guard{mutex_};
  auto it = flows_.find(id);
  if (it == flows_.end())
    return;
  it->second.status = status;
  it->second.error = error;
  it->second.provider_id = provider_id;
  it->second.provider_name = provider_name;
}

void oauth_flow_book::set_listening(const std::string& id, bool listening) {
  std::lock_guard guard{mutex_};
  if (auto it = flows_.find(id); it != flows_.end())
    it->second.listening = listening;
}

bool oauth_flow_book::cancel(const std::string& id, int64_t now) {
  std::lock_guard guard{mutex_};
  sweep(now);
  auto it = flows_.find(id);
  if (it == flows_.end() || it->second.status != "pending")
    return false;
  it->second.status = "cancelled";
  return true;
}

size_t oauth_flow_book::pending_on_port(uint16_t port, int64_t now) {
  std::lock_guard guard{mutex_};
  sweep(now);
  size_t n = 0;
  for (auto& [id, f] : flows_)
    if (f.callback_port == port
        && (f.status == "pending" || f.status == "exchanging"))
      ++n;
  return n;
}

std::string oauth_flow_book::to_json(const oauth_flow& f) {
  std::string out = "{\"flow_id\":";
  json::append_quoted(out, f.id);
  out += ",\"provider_type\":";
  json::append_quoted(out, f.type);
  out += ",\"status\":";
  json::append_quoted(out, f.status);
  out += ",\"redirect_uri\":";
  json::append_quoted(out, f.redirect_uri);
  out += ",\"callback_listening\":";
  out += f.listening ? "true" : "false";
  out += ",\"created_at\":";
  json::append_quoted(out, clock::format_iso(f.created_ms));
  out += ",\"expires_at\":";
  json::append_quoted(out, clock::format_iso(f.expires_ms));
  out += ",\"error\":";
  if (f.error.empty())
    out += "null";
  else
    json::append_quoted(out, f.error);
  out += ",\"provider\":";
  if (f.provider_id.empty()) {
    out += "null";
  } else {
    out += "{\"id\":";
    json::append_quoted(out, f.provider_id);
    out += ",\"name\":";
    json::append_quoted(out, f.provider_name);
    out += ",\"type\":";
    json::append_quoted(out, f.type);
    out += ",\"auth_mode\":\"oauth\"}";
  }
  return out + "}";
}

} // namespace oh::http
