#include "cloudflare.hpp"

#include <algorithm>
#include <cctype>

#include "cloudflare_wire.hpp"
#include "core/crypto.hpp"
#include "core/json.hpp"
#include "oauth.hpp"

namespace fake::cloudflare {

using wire::fail;
using wire::ok;
using wire::q;

namespace {

// Cloudflare's page sizes per listing (API reference): default, maximum.
constexpr int64_t zones_default = 20, zones_max = 50;
constexpr int64_t accounts_default = 20, accounts_max = 50;
constexpr int64_t tunnels_default = 20, tunnels_max = 1000;
constexpr int64_t dns_default = 100, dns_max = 5000000;

std::string lower(std::string_view text) {
  std::string out{text};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string get(const std::map<std::string, std::string>& m, const char* name) {
  auto it = m.find(name);
  return it == m.end() ? std::string{} : it->second;
}

std::string null_or(const std::string& text) {
  return text.empty() ? "null" : q(text);
}

/// The answer for an id of the wrong shape: Cloudflare routes on the shape
/// of each path segment, so a zone name where an id belongs never routes.
reply no_route(std::string_view path) {
  return fail(400, {{7003,
                     "Could not route to " + std::string{path}
                       + ", perhaps your object identifier is invalid?",
                     {}},
                    {7000, "No route for that URI", {}}});
}

reply authentication_error() {
  return fail(403, 10000, "Authentication error");
}

/// The parsed JSON object body of a write, or the refusal.
bool parse_body(std::string_view body, oh::json::document& doc, reply& out) {
  auto parsed = oh::json::parse(body);
  if (!parsed || !parsed->IsObject()) {
    out = fail(400, 9207, "Request body is invalid.");
    return false;
  }
  doc = std::move(*parsed);
  return true;
}

/// Cloudflare's ingress rules as cloudflared validates them; empty when
/// the list is valid.
std::string ingress_problem(const oh::json::value& config) {
  const char* prefix = "Bad Configuration: Validation failed: ";
  auto* ingress = oh::json::find(config, "ingress");
  if (ingress == nullptr || !ingress->IsArray() || ingress->Empty())
    return std::string{prefix} + "No ingress rules were defined";
  auto rules = ingress->GetArray();
  for (rapidjson::SizeType i = 0; i < rules.Size(); ++i) {
    auto n = "Rule #" + std::to_string(i + 1);
    if (!rules[i].IsObject())
      return prefix + n + " is not an object";
    auto service = oh::json::get_string(rules[i], "service").value_or("");
    if (service.empty())
      return prefix + n + " is missing the required field 'service'";
    static const char* schemes[]
      = {"http://", "https://", "unix:",  "unix+tls:",   "tcp://",
         "ssh://",  "rdp://",   "smb://", "http_status:"};
    bool known
      = service == "hello_world" || service == "bastion" || service == "socks5";
    for (auto* s : schemes)
      known = known || service.starts_with(s);
    if (!known)
      return prefix + n + ": \"" + service + "\" is not a valid origin service";
    auto host = oh::json::get_string(rules[i], "hostname").value_or("");
    auto path = oh::json::get_string(rules[i], "path").value_or("");
    bool catch_all = (host.empty() || host == "*") && path.empty();
    bool last = i + 1 == rules.Size();
    if (last && !catch_all)
      return std::string{prefix}
             + "The last ingress rule must match all URLs (i.e. it should not "
               "have a hostname or path filter)";
    if (!last && catch_all)
      return prefix + n
             + " matches all URLs, so the rules after it can never match";
  }
  return {};
}

} // namespace

void api::seed() {
  seeded_token_ = config.token;
  zones_.clear();
  auto created = wire::now();
  for (auto& spec : config.zones) {
    auto colon = spec.find(':');
    zone z;
    z.name = lower(spec.substr(0, colon));
    z.status = colon == std::string::npos ? "active" : spec.substr(colon + 1);
    // Stable ids, so a test can name a zone across restarts.
    z.id = oh::crypto::sha256_hex("zone:" + z.name).substr(0, 32);
    z.created_on = created;
    zones_.push_back(std::move(z));
  }
}

reply api::serve(const request& r) {
  auto target = std::string{r.target};
  auto path = target.substr(0, target.find('?'));
  auto query = oauth::query_of(target);
  segments s;
  for (size_t at = std::string_view{"/client/v4/"}.size(); at <= path.size();) {
    auto end = std::min(path.find('/', at), path.size());
    if (end > at)
      s.push_back(path.substr(at, end - at));
    at = end + 1;
  }
  std::string step;
  auto out = route(r, s, query, step);
  log_.push_back({std::string{r.method}, path, step, out.status});
  if (log_.size() > 200)
    log_.pop_front();
  return out;
}

reply api::route(const request& r, const segments& s, const params& query,
                 std::string& step) {
  auto m = r.method;
  auto n = s.size();
  auto is = [&](size_t i, const char* text) {
    return i < n && s[i] == text;
  };
  // Which call this is, before anything is checked: counters and injected
  // failures are per call.
  if (n == 3 && is(0, "user") && is(1, "tokens") && is(2, "verify"))
    step = m == "GET" ? "verify" : "";
  else if (n == 1 && is(0, "accounts"))
    step = m == "GET" ? "accounts" : "";
  else if (n == 1 && is(0, "zones"))
    step = m == "GET" ? "zones" : "";
  else if (n == 2 && is(0, "zones"))
    step = m == "GET" ? "get_zone" : "";
  else if (n == 3 && is(0, "zones") && is(2, "dns_records"))
    step = m == "GET" ? "list_dns" : m == "POST" ? "create_dns" : "";
  else if (n == 4 && is(0, "zones") && is(2, "dns_records"))
    step = m == "GET"                   ? "get_dns"
           : m == "PUT" || m == "PATCH" ? "update_dns"
           : m == "DELETE"              ? "delete_dns"
                                        : "";
  else if (n == 3 && is(0, "accounts") && is(2, "cfd_tunnel"))
    step = m == "GET" ? "list_tunnels" : m == "POST" ? "create_tunnel" : "";
  else if (n == 4 && is(0, "accounts") && is(2, "cfd_tunnel"))
    step = m == "GET" ? "get_tunnel" : m == "DELETE" ? "delete_tunnel" : "";
  else if (n == 5 && is(0, "accounts") && is(2, "cfd_tunnel")
           && is(4, "configurations"))
    step = m == "GET" ? "get_config" : m == "PUT" ? "put_config" : "";
  else if (n == 5 && is(0, "accounts") && is(2, "cfd_tunnel") && is(4, "token"))
    step = m == "GET" ? "token" : "";
  else
    return fail(400, 7000, "No route for that URI");
  if (step.empty())
    return fail(405, 10405, "Method not allowed for this route");
  calls_[step] += 1;

  // The token, as the real API checks it.
  auto& a = r.authorization;
  if (a.empty()) {
    ++auth_failures_;
    return fail(400, 9106,
                "Missing X-Auth-Key, X-Auth-Email or Authorization headers");
  }
  if (!a.starts_with("Bearer ") || a.size() == 7
      || a.find_first_of(" \t", 7) != std::string_view::npos) {
    ++auth_failures_;
    return fail(400,
                {{6003,
                  "Invalid request headers",
                  {{6111, "Invalid format for Authorization header", {}}}}});
  }
  if (config.token.empty() || a.substr(7) != config.token) {
    ++auth_failures_;
    return step == "verify" ? fail(401, 1000, "Invalid API Token")
                            : authentication_error();
  }
  bool writes = m == "POST" || m == "PUT" || m == "PATCH";
  if (writes && !r.content_type.starts_with("application/json"))
    return fail(400, {{6003,
                       "Invalid request headers",
                       {{6105,
                         "Invalid Content-Type header, valid values are "
                         "application/json,multipart/form-data",
                         {}}}}});

  reply out;
  if (auto it = failures_.find(step);
      it != failures_.end() && it->second.remaining != 0) {
    auto& f = it->second;
    if (f.remaining > 0)
      f.remaining -= 1;
    ++injected_;
    out = fail(f.status, f.code, f.message);
    if (f.retry_after >= 0)
      out.headers.emplace_back("retry-after", std::to_string(f.retry_after));
  } else if (step == "verify") {
    out = ok(
      R"({"id":)"
        + q(oh::crypto::sha256_hex("token:" + config.token).substr(0, 32))
        + R"(,"status":"active"})",
      {}, 200,
      R"([{"code":10000,"message":"This API Token is valid and active","type":null}])");
  } else if (step == "accounts") {
    out = accounts(query);
  } else if (step == "zones") {
    out = zones(query);
  } else if (s[0] == "zones") {
    if (!wire::is_tag(s[1]))
      return no_route("/client/v4/zones/" + s[1]);
    auto* z = find_zone(s[1]);
    if (z == nullptr)
      return authentication_error();
    dns_record* d = nullptr;
    if (n == 4) {
      if (!wire::is_tag(s[3]))
        return no_route("/client/v4/zones/" + s[1] + "/dns_records/" + s[3]);
      auto it = std::find_if(dns_.begin(), dns_.end(), [&](auto& rec) {
        return rec.id == s[3] && rec.zone_id == z->id;
      });
      if (it == dns_.end())
        return fail(404, 81044, "Record does not exist.");
      d = &*it;
    }
    if (step == "get_zone")
      out = ok(zone_json(*z));
    else if (step == "list_dns")
      out = list_dns(*z, query);
    else if (step == "get_dns")
      out = ok(dns_json(*d, *z));
    else if (step == "delete_dns") {
      auto id = d->id;
      std::erase_if(dns_, [&](auto& rec) {
        return rec.id == id;
      });
      out = ok(R"({"id":)" + q(id) + "}");
    } else
      out = write_dns(*z, d, m == "PATCH", r.body);
  } else {
    if (!wire::is_tag(s[1]))
      return no_route("/client/v4/accounts/" + s[1] + "/cfd_tunnel");
    if (s[1] != config.account_id)
      return authentication_error();
    if (step == "list_tunnels")
      out = list_tunnels(query);
    else if (step == "create_tunnel")
      out = create_tunnel(r.body);
    else {
      if (!wire::is_uuid(s[3]))
        return no_route("/client/v4/accounts/" + s[1] + "/cfd_tunnel/" + s[3]);
      auto* t = find_tunnel(s[3]);
      if (t == nullptr)
        return fail(404, 1003, "Tunnel not found");
      if (step == "get_tunnel") {
        out = ok(tunnel_json(*t));
      } else if (step == "delete_tunnel") {
        if (t->deleted_at.empty())
          t->deleted_at = wire::now();
        t->connections.clear();
        out = ok(tunnel_json(*t));
      } else if (step == "put_config") {
        out = put_config(*t, r.body);
      } else if (step == "get_config") {
        out
          = ok(R"({"account_id":)" + q(config.account_id) + R"(,"tunnel_id":)"
               + q(t->id) + R"(,"version":)" + std::to_string(t->config_version)
               + R"(,"config":)" + (t->config.empty() ? "null" : t->config)
               + R"(,"source":"cloudflare","created_at":)"
               + null_or(t->config_at) + "}");
      } else {
        out = ok(q(token_of(*t)));
      }
    }
  }
  if (auto it = delays_.find(step); it != delays_.end())
    out.delay_ms = it->second;
  else if (auto all = delays_.find("all"); all != delays_.end())
    out.delay_ms = all->second;
  return out;
}

reply api::accounts(const params& query) {
  auto p = wire::paginate(query, 1, accounts_default, page_limit(accounts_max));
  std::string list = "[";
  if (p.count == 1)
    list += R"({"id":)" + q(config.account_id) + R"(,"name":)"
            + q(config.account_name)
            + R"(,"type":"standard","settings":{"enforce_twofactor":false,)"
              R"("api_access_enabled":null,"access_approval_expiry":null,)"
              R"("abuse_contact_email":null},"created_on":)"
            + q(zones_.empty() ? wire::now() : zones_[0].created_on) + "}";
  return ok(list + "]", p.info());
}

reply api::zones(const params& query) {
  std::vector<const zone*> hits;
  auto name = lower(get(query, "name"));
  auto status = get(query, "status");
  auto account = get(query, "account.id");
  for (auto& z : zones_)
    if ((name.empty() || z.name == name)
        && (status.empty() || z.status == status)
        && (account.empty() || account == config.account_id))
      hits.push_back(&z);
  auto p
    = wire::paginate(query, hits.size(), zones_default, page_limit(zones_max));
  std::string list = "[";
  for (size_t i = p.first; i < p.first + p.count; ++i)
    list += (i > p.first ? "," : "") + zone_json(*hits[i]);
  return ok(list + "]", p.info());
}

reply api::list_tunnels(const params& query) {
  std::vector<const tunnel*> hits;
  auto name = get(query, "name");
  auto id = get(query, "uuid");
  auto deleted = get(query, "is_deleted");
  for (auto& t : tunnels_)
    if ((name.empty() || t.name == name) && (id.empty() || t.id == id)
        && (deleted.empty() || (deleted == "true") == !t.deleted_at.empty()))
      hits.push_back(&t);
  auto p = wire::paginate(query, hits.size(), tunnels_default,
                          page_limit(tunnels_max));
  std::string list = "[";
  for (size_t i = p.first; i < p.first + p.count; ++i)
    list += (i > p.first ? "," : "") + tunnel_json(*hits[i]);
  return ok(list + "]", p.info());
}

reply api::create_tunnel(std::string_view body) {
  oh::json::document doc;
  reply refusal;
  if (!parse_body(body, doc, refusal))
    return refusal;
  auto name = oh::json::get_string(doc, "name").value_or("");
  if (name.empty())
    return fail(400, 1001, "Tunnel name is required");
  auto source = oh::json::get_string(doc, "config_src").value_or("local");
  if (source != "local" && source != "cloudflare")
    return fail(400, 1001, "config_src must be \"local\" or \"cloudflare\"");
  for (auto& t : tunnels_)
    if (t.name == name && t.deleted_at.empty())
      return fail(409, 1013,
                  "You already have a tunnel with this name. Delete the "
                  "existing tunnel, or choose a different name for your new "
                  "tunnel");
  tunnel t;
  t.id = wire::uuid();
  t.name = name;
  t.created_at = wire::now();
  t.conns_inactive_at = t.created_at;
  t.config_src = source;
  auto secret = oh::json::get_string(doc, "tunnel_secret");
  auto raw = oh::crypto::random_bytes(32);
  t.secret
    = secret && !secret->empty()
        ? *secret
        : wire::base64({reinterpret_cast<const char*>(raw.data()), raw.size()});
  tunnels_.push_back(t);
  // The create answer alone carries the credentials and the token.
  auto json = tunnel_json(t);
  json.pop_back();
  json += R"(,"credentials_file":{"AccountTag":)" + q(config.account_id)
          + R"(,"TunnelID":)" + q(t.id) + R"(,"TunnelName":)" + q(t.name)
          + R"(,"TunnelSecret":)" + q(t.secret) + "}";
  return ok(json + R"(,"token":)" + q(token_of(t)) + "}");
}

reply api::put_config(tunnel& t, std::string_view body) {
  oh::json::document doc;
  reply refusal;
  if (!parse_body(body, doc, refusal))
    return refusal;
  auto* config_value = oh::json::find(doc, "config");
  if (config_value == nullptr || !config_value->IsObject())
    return fail(400, 1055,
                "Bad Configuration: Validation failed: config is required");
  if (auto problem = ingress_problem(*config_value); !problem.empty())
    return fail(400, 1055, problem);
  t.config = oh::json::to_string(*config_value);
  t.config_version += 1;
  t.config_at = wire::now();
  return ok(R"({"account_id":)" + q(config.account_id) + R"(,"tunnel_id":)"
            + q(t.id) + R"(,"version":)" + std::to_string(t.config_version)
            + R"(,"config":)" + t.config
            + R"(,"source":"cloudflare","created_at":)" + q(t.config_at) + "}");
}

std::string api::token_of(const tunnel& t) const {
  // What cloudflared decodes: base64 of {"a": account, "t": tunnel, "s":
  // secret}.
  return wire::base64(R"({"a":)" + q(config.account_id) + R"(,"t":)" + q(t.id)
                      + R"(,"s":)" + q(t.secret) + "}");
}

reply api::list_dns(const zone& z, const params& query) {
  std::vector<const dns_record*> hits;
  auto type = get(query, "type");
  auto name = lower(get(query, "name"));
  auto content = get(query, "content");
  for (auto& d : dns_)
    if (d.zone_id == z.id && (type.empty() || d.type == type)
        && (name.empty() || d.name == name)
        && (content.empty() || d.content == content))
      hits.push_back(&d);
  auto p = wire::paginate(query, hits.size(), dns_default, page_limit(dns_max));
  std::string list = "[";
  for (size_t i = p.first; i < p.first + p.count; ++i)
    list += (i > p.first ? "," : "") + dns_json(*hits[i], z);
  return ok(list + "]", p.info());
}

reply api::write_dns(const zone& z, dns_record* existing, bool patch,
                     std::string_view body) {
  oh::json::document doc;
  reply refusal;
  if (!parse_body(body, doc, refusal))
    return refusal;
  auto invalid = [](int64_t code, std::string message) {
    return fail(400, {{1004, "DNS Validation Error", {{code, message, {}}}}});
  };
  dns_record d = existing != nullptr && patch ? *existing : dns_record{};
  auto field = [&](const char* name, std::string& into) {
    if (auto v = oh::json::get_string(doc, name))
      into = *v;
  };
  field("type", d.type);
  field("name", d.name);
  field("content", d.content);
  field("comment", d.comment);
  if (auto* v = oh::json::find(doc, "proxied"); v != nullptr && v->IsBool())
    d.proxied = v->GetBool();
  d.ttl = oh::json::get_int64(doc, "ttl", d.ttl);
  // A relative name or `@` is in the zone, as Cloudflare reads it.
  d.name = lower(d.name);
  if (d.name.ends_with("."))
    d.name.pop_back();
  if (d.name == "@")
    d.name = z.name;
  if (!d.name.empty() && d.name != z.name && !d.name.ends_with("." + z.name))
    d.name += "." + z.name;
  if (d.type.empty())
    return invalid(9004, "DNS record type is invalid.");
  if (d.name.empty() || d.name.find_first_of(" /:") != std::string::npos)
    return invalid(9000, "DNS name is invalid.");
  if (d.content.empty())
    return invalid(9007, "Content for " + d.type + " record is invalid.");
  bool address = d.type == "A" || d.type == "AAAA" || d.type == "CNAME";
  if (d.proxied && !address)
    return invalid(9004, "This record type cannot be proxied.");
  if (d.ttl != 1 && (d.ttl < 30 || d.ttl > 86400))
    return invalid(9021, "Invalid TTL. Must be between 30 and 86400 seconds, "
                         "or 1 for Automatic.");
  for (auto& other : dns_) {
    if (&other == existing || other.zone_id != z.id || other.name != d.name)
      continue;
    if (other.type == d.type && other.content == d.content)
      return fail(400, 81058, "An identical record already exists.");
    bool other_address
      = other.type == "A" || other.type == "AAAA" || other.type == "CNAME";
    if ((d.type == "CNAME" && other_address)
        || (address && other.type == "CNAME"))
      return fail(400, 81053,
                  "An A, AAAA, or CNAME record with that host already exists.");
  }
  d.zone_id = z.id;
  d.modified_on = wire::now();
  if (existing != nullptr) {
    d.id = existing->id;
    d.created_on = existing->created_on;
    *existing = d;
  } else {
    d.id = wire::hex_id();
    d.created_on = d.modified_on;
    dns_.push_back(d);
  }
  return ok(dns_json(d, z));
}

std::string api::tunnel_json(const tunnel& t) const {
  std::string conns = "[";
  for (auto& c : t.connections)
    conns += (conns.size() > 1 ? "," : "") + std::string{R"({"id":)"} + q(c.id)
             + R"(,"uuid":)" + q(c.id) + R"(,"client_id":)" + q(c.client_id)
             + R"(,"client_version":"2025.4.0","colo_name":)" + q(c.colo)
             + R"(,"is_pending_reconnect":false,"opened_at":)" + q(c.opened_at)
             + R"(,"origin_ip":"198.51.100.7"})";
  // Cloudflare's statuses: never connected, connected, was connected.
  auto status = !t.connections.empty()       ? "healthy"
                : !t.conns_active_at.empty() ? "down"
                                             : "inactive";
  return R"({"id":)" + q(t.id) + R"(,"account_tag":)" + q(config.account_id)
         + R"(,"created_at":)" + q(t.created_at) + R"(,"deleted_at":)"
         + null_or(t.deleted_at) + R"(,"name":)" + q(t.name)
         + R"(,"connections":)" + conns + R"(],"conns_active_at":)"
         + null_or(t.conns_active_at) + R"(,"conns_inactive_at":)"
         + null_or(t.connections.empty() ? t.conns_inactive_at : "")
         + R"(,"tun_type":"cfd_tunnel","metadata":{},"status":)" + q(status)
         + R"(,"remote_config":)"
         + (t.config_src == "cloudflare" ? "true" : "false") + "}";
}

std::string api::zone_json(const zone& z) const {
  return R"({"id":)" + q(z.id) + R"(,"name":)" + q(z.name) + R"(,"status":)"
         + q(z.status)
         + R"(,"paused":false,"type":"full","development_mode":0,)"
           R"("name_servers":["ada.ns.cloudflare.com","bob.ns.cloudflare.com"],)"
           R"("original_name_servers":null,"original_registrar":null,)"
           R"("original_dnshost":null,"created_on":)"
         + q(z.created_on) + R"(,"modified_on":)" + q(z.created_on)
         + R"(,"activated_on":)" + q(z.created_on)
         + R"(,"owner":{"id":null,"type":"user","email":null},"account":{"id":)"
         + q(config.account_id) + R"(,"name":)" + q(config.account_name)
         + R"(},"permissions":["#dns_records:edit","#dns_records:read",)"
           R"("#zone:read"],"plan":{"id":"0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee",)"
           R"("name":"Free Website","price":0,"currency":"USD",)"
           R"("frequency":"","is_subscribed":false,"can_subscribe":false,)"
           R"("legacy_id":"free","legacy_discount":false,)"
           R"("externally_managed":false}})";
}

std::string api::dns_json(const dns_record& d, const zone& z) {
  bool address = d.type == "A" || d.type == "AAAA" || d.type == "CNAME";
  return R"({"id":)" + q(d.id) + R"(,"zone_id":)" + q(z.id) + R"(,"zone_name":)"
         + q(z.name) + R"(,"name":)" + q(d.name) + R"(,"type":)" + q(d.type)
         + R"(,"content":)" + q(d.content) + R"(,"proxiable":)"
         + (address ? "true" : "false") + R"(,"proxied":)"
         + (d.proxied ? "true" : "false") + R"(,"ttl":)" + std::to_string(d.ttl)
         + R"(,"settings":{},"meta":{},"comment":)" + null_or(d.comment)
         + R"(,"tags":[],"created_on":)" + q(d.created_on)
         + R"(,"modified_on":)" + q(d.modified_on) + "}";
}

api::zone* api::find_zone(std::string_view id) {
  auto it = std::find_if(zones_.begin(), zones_.end(), [&](auto& z) {
    return z.id == id;
  });
  return it == zones_.end() ? nullptr : &*it;
}

api::tunnel* api::find_tunnel(std::string_view id) {
  auto it = std::find_if(tunnels_.begin(), tunnels_.end(), [&](auto& t) {
    return t.id == id;
  });
  return it == tunnels_.end() ? nullptr : &*it;
}

int64_t api::page_limit(int64_t cloudflare_max) const {
  return config.max_per_page > 0 ? std::min(config.max_per_page, cloudflare_max)
                                 : cloudflare_max;
}

} // namespace fake::cloudflare
