#include "http/handlers/admin_json.hpp"

#include <cmath>

#include "core/circuit_breaker.hpp"
#include "core/clock.hpp"

namespace oh::http::admin {

namespace {

void append_opt(std::string& out, const std::optional<std::string>& v) {
  if (v)
    json::append_quoted(out, *v);
  else
    out += "null";
}

void append_opt(std::string& out, const std::optional<int64_t>& v) {
  out += v ? std::to_string(*v) : "null";
}

void append_bool(std::string& out, bool v) {
  out += v ? "true" : "false";
}

void append_ids(std::string& out, const std::vector<std::string>& ids) {
  out.push_back('[');
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0)
      out.push_back(',');
    json::append_quoted(out, ids[i]);
  }
  out.push_back(']');
}

/// Embeds stored JSON text, falling back to `fallback` if it is corrupt.
void append_raw_json(std::string& out, const std::string& text,
                     const char* fallback) {
  auto doc = json::parse(text);
  out += doc ? json::to_string(*doc) : fallback;
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g", v);
  return buf;
}

} // namespace

expected<json::document> body_object(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    json::document empty;
    empty.SetObject();
    return empty;
  }
  auto parsed = json::parse(body);
  if (!parsed)
    return parsed.error();
  if (!parsed->IsObject())
    return fail(errc::invalid_value, "the request body must be a JSON object");
  return std::move(*parsed);
}

bool fields::present(const char* name) const {
  return obj_.IsObject() && obj_.HasMember(name);
}

const json::value* fields::raw(const char* name) {
  return json::find(obj_, name);
}

void fields::reject(const char* name, errc code, std::string message) {
  if (!error_)
    error_ = failure{code, path(name) + ": " + message, path(name)};
}

void fields::require(const char* name) {
  if (json::find(obj_, name) == nullptr)
    reject(name, errc::missing_field, "is required");
}

void fields::only(std::initializer_list<std::string_view> allowed) {
  if (!obj_.IsObject())
    return;
  for (auto& m : obj_.GetObject()) {
    std::string_view key{m.name.GetString(), m.name.GetStringLength()};
    bool known = false;
    for (auto a : allowed)
      known = known || a == key;
    if (!known) {
      std::string name = clip_echo(key);
      reject(name.c_str(), errc::invalid_value, "unknown field");
    }
  }
}

patch<std::string> fields::string(const char* name, size_t max_len) {
  if (!present(name))
    return std::nullopt;
  auto& v = obj_[name];
  if (v.IsNull())
    return std::optional<std::string>{};
  if (!v.IsString()) {
    reject(name, errc::invalid_value,
           std::string{"must be a string, got "} + json::type_name(v));
    return std::nullopt;
  }
  if (v.GetStringLength() > max_len) {
    reject(name, errc::invalid_value,
           "must be at most " + std::to_string(max_len) + " characters");
    return std::nullopt;
  }
  return std::optional<std::string>{
    std::string{v.GetString(), v.GetStringLength()}};
}

patch<int64_t> fields::integer(const char* name, int64_t min, int64_t max) {
  if (!present(name))
    return std::nullopt;
  auto& v = obj_[name];
  if (v.IsNull())
    return std::optional<int64_t>{};
  int64_t n = 0;
  if (v.IsInt64()) {
    n = v.GetInt64();
  } else if (v.IsDouble() && std::floor(v.GetDouble()) == v.GetDouble()
             && std::fabs(v.GetDouble()) < 9e15) {
    n = static_cast<int64_t>(v.GetDouble());
  } else {
    reject(name, errc::invalid_value,
           std::string{"must be an integer, got "} + json::to_string(v));
    return std::nullopt;
  }
  if (n < min || n > max) {
    reject(name, errc::invalid_value,
           "must be between " + std::to_string(min) + " and "
             + std::to_string(max) + ", got " + std::to_string(n));
    return std::nullopt;
  }
  return std::optional<int64_t>{n};
}

patch<double> fields::number(const char* name, double min, double max) {
  if (!present(name))
    return std::nullopt;
  auto& v = obj_[name];
  if (v.IsNull())
    return std::optional<double>{};
  if (!v.IsNumber()) {
    reject(name, errc::invalid_value,
           std::string{"must be a number, got "} + json::type_name(v));
    return std::nullopt;
  }
  double d = v.GetDouble();
  if (!(d >= min && d <= max)) {
    reject(name, errc::invalid_value,
           "must be between " + format_number(min) + " and "
             + format_number(max) + ", got " + format_number(d));
    return std::nullopt;
  }
  return std::optional<double>{d};
}

patch<bool> fields::boolean(const char* name) {
  if (!present(name))
    return std::nullopt;
  auto& v = obj_[name];
  if (v.IsNull())
    return std::optional<bool>{};
  if (v.IsBool())
    return std::optional<bool>{v.GetBool()};
  if (v.IsInt() && (v.GetInt() == 0 || v.GetInt() == 1))
    return std::optional<bool>{v.GetInt() == 1};
  reject(name, errc::invalid_value,
         std::string{"must be true or false, got "} + json::to_string(v));
  return std::nullopt;
}

patch<std::vector<std::string>> fields::strings(const char* name) {
  if (!present(name))
    return std::nullopt;
  auto& v = obj_[name];
  if (v.IsNull())
    return std::optional<std::vector<std::string>>{};
  if (!v.IsArray()) {
    reject(name, errc::invalid_value,
           std::string{"must be an array of strings, got "}
             + json::type_name(v));
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (auto& item : v.GetArray()) {
    if (!item.IsString()) {
      reject(name, errc::invalid_value, "must be an array of strings");
      return std::nullopt;
    }
    out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return std::optional<std::vector<std::string>>{std::move(out)};
}

std::string wrap_data(const std::string& item_json) {
  return "{\"data\":" + item_json + "}";
}

std::string wrap_list(const std::vector<std::string>& items_json) {
  std::string out = "{\"data\":[";
  for (size_t i = 0; i < items_json.size(); ++i) {
    if (i > 0)
      out.push_back(',');
    out += items_json[i];
  }
  return out + "]}";
}

std::string provider_json(const store::provider_record& r,
                          const actors::account_health_cell* cell) {
  std::string out = "{\"id\":";
  json::append_quoted(out, r.id);
  out += ",\"name\":";
  json::append_quoted(out, r.name);
  out += ",\"type\":";
  json::append_quoted(out, r.type);
  out += ",\"base_url\":";
  append_opt(out, r.base_url);
  out += ",\"auth_mode\":";
  json::append_quoted(out, r.auth_mode);
  out += ",\"priority\":" + std::to_string(r.priority);
  out += ",\"is_enabled\":";
  append_bool(out, r.is_enabled);
  out += ",\"config\":";
  append_raw_json(out, r.config_json, "{}");
  // Which credential fields are set, never their values (SPEC §7).
  out += ",\"credentials_set\":[";
  if (auto creds = json::parse(r.credentials_json);
      creds && creds->IsObject()) {
    bool first = true;
    for (auto& m : creds->GetObject()) {
      if (m.value.IsNull())
        continue;
      if (!first)
        out.push_back(',');
      first = false;
      json::append_quoted(out, m.name.GetString());
    }
  }
  out += "],\"token_expires_at\":";
  append_opt(out, r.token_expires_at);
  out += ",\"health\":{\"status\":";
  if (cell != nullptr) {
    auto t = cell->read();
    auto circuit = static_cast<circuit_state>(cell->circuit.load());
    json::append_quoted(out, t.status);
    out += ",\"circuit\":";
    json::append_quoted(out, to_string(circuit));
    out += ",\"failures\":" + std::to_string(t.failures);
    out += ",\"limited_until\":";
    auto limited = cell->limited_until_ms.load();
    if (limited > 0) // on the accounts' steady clock
      json::append_quoted(
        out, clock::format_iso_from_steady(limited, clock::steady_now_ms()));
    else
      out += "null";
    out += ",\"last_check\":";
    append_opt(out, t.last_check ? t.last_check : r.last_health_check);
    out += ",\"last_error\":";
    append_opt(out, t.last_error);
    out += ",\"latency_ms\":";
    append_opt(out, t.latency_ms);
    out += "}";
  } else {
    json::append_quoted(out, r.health_status);
    out += ",\"circuit\":\"closed\",\"failures\":0,\"limited_until\":null,"
           "\"last_check\":";
    append_opt(out, r.last_health_check);
    out += ",\"last_error\":null,\"latency_ms\":null}";
  }
  out += ",\"models\":";
  append_raw_json(out, r.models_json, "[]");
  out += ",\"in_flight\":"
         + std::to_string(cell != nullptr ? cell->in_flight.load() : 0)
         + ",\"created_at\":";
  json::append_quoted(out, r.created_at);
  out += ",\"updated_at\":";
  json::append_quoted(out, r.updated_at);
  out += "}";
  return out;
}

std::string soul_json(const store::soul_record& r) {
  std::string out = "{\"id\":";
  json::append_quoted(out, r.id);
  out += ",\"name\":";
  json::append_quoted(out, r.name);
  out += ",\"slug\":";
  json::append_quoted(out, r.slug);
  out += ",\"description\":";
  append_opt(out, r.description);
  out += ",\"system_prompt\":";
  json::append_quoted(out, r.system_prompt);
  out += ",\"provider_id\":";
  append_opt(out, r.provider_id);
  out += ",\"fallback_chain\":";
  append_ids(out, r.fallback_chain);
  out += ",\"model\":";
  append_opt(out, r.model);
  out += ",\"temperature\":";
  out += r.temperature ? format_number(*r.temperature) : "null";
  out += ",\"max_tokens\":";
  append_opt(out, r.max_tokens);
  out += ",\"response_schema\":";
  append_opt(out, r.response_schema);
  out += ",\"strict_chain\":";
  append_bool(out, r.strict_chain);
  out += ",\"version\":" + std::to_string(r.version);
  out += ",\"is_enabled\":";
  append_bool(out, r.is_enabled);
  out += ",\"endpoint\":";
  json::append_quoted(out, "/v1/souls/" + r.slug + "/chat/completions");
  out += ",\"created_at\":";
  json::append_quoted(out, r.created_at);
  out += ",\"updated_at\":";
  json::append_quoted(out, r.updated_at);
  out += "}";
  return out;
}

std::string key_json(const store::api_key_record& r,
                     const store::key_spend& spend, const std::string* secret) {
  std::string out = "{\"id\":";
  json::append_quoted(out, r.id);
  out += ",\"name\":";
  json::append_quoted(out, r.name);
  out += ",\"key_prefix\":";
  json::append_quoted(out, r.key_prefix);
  out += ",\"last4\":";
  json::append_quoted(out, r.last4);
  out += ",\"soul_ids\":";
  append_ids(out, r.soul_ids);
  out += ",\"api_format\":";
  json::append_quoted(out, r.api_format);
  out += ",\"rate_limit_rpm\":" + std::to_string(r.rate_limit_rpm);
  out += ",\"rate_limit_tpm\":";
  append_opt(out, r.rate_limit_tpm);
  out += ",\"max_concurrency\":";
  append_opt(out, r.max_concurrency);
  out += ",\"daily_budget_cents\":";
  append_opt(out, r.daily_budget_cents);
  out += ",\"monthly_budget_cents\":";
  append_opt(out, r.monthly_budget_cents);
  out += ",\"spent_today_cents\":" + format_number(spend.today_cents);
  out += ",\"spent_month_cents\":" + format_number(spend.month_cents);
  out += ",\"expires_at\":";
  append_opt(out, r.expires_at);
  out += ",\"is_enabled\":";
  append_bool(out, r.is_enabled);
  out += ",\"last_used_at\":";
  append_opt(out, r.last_used_at);
  out += ",\"total_requests\":" + std::to_string(r.total_requests);
  out += ",\"created_at\":";
  json::append_quoted(out, r.created_at);
  out += ",\"updated_at\":";
  json::append_quoted(out, r.updated_at);
  if (secret != nullptr) {
    out += ",\"key\":";
    json::append_quoted(out, *secret);
  }
  out += "}";
  return out;
}

std::string slug_from_name(std::string_view name) {
  std::string out;
  bool dash = false;
  for (unsigned char c : name) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (dash && !out.empty())
        out.push_back('-');
      dash = false;
      out.push_back(static_cast<char>(c));
    } else if (c >= 'A' && c <= 'Z') {
      if (dash && !out.empty())
        out.push_back('-');
      dash = false;
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      dash = true;
    }
  }
  return out;
}

bool is_valid_slug(std::string_view slug) {
  if (slug.empty() || slug.size() > 64 || slug.front() == '-'
      || slug.back() == '-')
    return false;
  for (char c : slug)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      return false;
  return true;
}

} // namespace oh::http::admin
