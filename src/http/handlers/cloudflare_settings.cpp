#include "http/handlers/cloudflare_settings.hpp"

#include "core/json.hpp"
#include "store/settings_repo.hpp"

namespace oh::http::handlers {

namespace {

std::string text_of(const json::value& doc, const char* name) {
  return json::get_string(doc, name).value_or("");
}

std::string secret_of(const json::value& doc, const char* name,
                      const store::credential_vault& vault) {
  auto sealed = text_of(doc, name);
  if (sealed.empty())
    return {};
  auto plain = vault.unseal(sealed);
  return plain ? *plain : std::string{};
}

} // namespace

cloudflare_settings
read_cloudflare_settings(store::database& db,
                         const store::credential_vault& vault) {
  cloudflare_settings s;
  auto raw = store::settings_repo{db}.get_raw("cloudflare");
  if (!raw)
    return s;
  auto doc = json::parse(*raw);
  if (!doc || !doc->IsObject())
    return s;
  if (auto* e = json::find(*doc, "enabled"); e && e->IsBool())
    s.enabled = e->GetBool();
  s.api_token = secret_of(*doc, "api_token", vault);
  s.account_id = text_of(*doc, "account_id");
  s.zone_id = text_of(*doc, "zone_id");
  s.tunnel_id = text_of(*doc, "tunnel_id");
  s.tunnel_name = text_of(*doc, "tunnel_name");
  s.domain = text_of(*doc, "domain");
  s.hostname = text_of(*doc, "hostname");
  s.tunnel_token = secret_of(*doc, "tunnel_token", vault);
  auto port = json::get_int64(*doc, "public_port", 0);
  s.public_port = port > 0 && port < 65536 ? static_cast<uint32_t>(port) : 0;
  return s;
}

void write_cloudflare_settings(store::database& db,
                               const store::credential_vault& vault,
                               const cloudflare_settings& s) {
  std::string out = "{\"enabled\":";
  out += s.enabled ? "true" : "false";
  auto text = [&](const char* name, const std::string& v) {
    out += ",\"";
    out += name;
    out += "\":";
    json::append_quoted(out, v);
  };
  text("api_token", s.api_token.empty() ? "" : vault.seal(s.api_token));
  text("account_id", s.account_id);
  text("zone_id", s.zone_id);
  text("tunnel_id", s.tunnel_id);
  text("tunnel_name", s.tunnel_name);
  text("domain", s.domain);
  text("hostname", s.hostname);
  text("tunnel_token",
       s.tunnel_token.empty() ? "" : vault.seal(s.tunnel_token));
  out += ",\"public_port\":" + std::to_string(s.public_port) + "}";
  store::settings_repo{db}.put_raw("cloudflare", out);
}

} // namespace oh::http::handlers
