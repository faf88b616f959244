#include "core/error_render.hpp"

#include "core/json.hpp"

namespace oh {

namespace {

struct wire_names {
  const char* openai_type;
  const char* openai_code;
  const char* anthropic_type;
  const char* admin_code;
};

wire_names names_for(errc code) {
  switch (code) {
    case errc::invalid_json:
      return {"invalid_request_error", "invalid_json", "invalid_request_error",
              "VALIDATION"};
    case errc::missing_field:
      return {"invalid_request_error", "missing_field", "invalid_request_error",
              "VALIDATION"};
    case errc::invalid_value:
      return {"invalid_request_error", "invalid_value", "invalid_request_error",
              "VALIDATION"};
    case errc::auth_required:
    case errc::auth_invalid:
      return {"authentication_error", "invalid_api_key", "authentication_error",
              "AUTH_REQUIRED"};
    case errc::forbidden:
      return {"permission_error", "permission_denied", "permission_error",
              "FORBIDDEN"};
    case errc::not_found:
      return {"invalid_request_error", "not_found", "not_found_error",
              "NOT_FOUND"};
    case errc::method_not_allowed:
      return {"invalid_request_error", "method_not_allowed",
              "invalid_request_error", "METHOD_NOT_ALLOWED"};
    case errc::conflict:
      return {"invalid_request_error", "conflict", "invalid_request_error",
              "CONFLICT"};
    case errc::too_large:
      return {"invalid_request_error", "request_too_large", "request_too_large",
              "TOO_LARGE"};
    case errc::headers_too_large:
      return {"invalid_request_error", "headers_too_large", "request_too_large",
              "HEADERS_TOO_LARGE"};
    case errc::length_required:
      return {"invalid_request_error", "length_required",
              "invalid_request_error", "LENGTH_REQUIRED"};
    case errc::not_implemented:
      return {"invalid_request_error", "not_implemented",
              "invalid_request_error", "NOT_IMPLEMENTED"};
    case errc::misdirected:
      return {"invalid_request_error", "misdirected_request",
              "invalid_request_error", "MISDIRECTED"};
    case errc::rate_limited:
      return {"rate_limit_error", "rate_limit_exceeded", "rate_limit_error",
              "RATE_LIMITED"};
    case errc::shutting_down:
      return {"service_unavailable", "shutting_down", "overloaded_error",
              "SHUTTING_DOWN"};
    case errc::soul_not_found:
      return {"invalid_request_error", "soul_not_found", "not_found_error",
              "NOT_FOUND"};
    case errc::model_not_found:
      return {"invalid_request_error", "model_not_found", "not_found_error",
              "NOT_FOUND"};
    case errc::soul_denied:
      return {"permission_error", "soul_access_denied", "permission_error",
              "FORBIDDEN"};
    case errc::budget_exceeded:
      return {"insufficient_quota", "budget_exceeded", "billing_error",
              "BUDGET_EXCEEDED"};
    case errc::no_providers:
      return {"service_unavailable", "no_providers", "overloaded_error",
              "NO_PROVIDERS"};
    case errc::upstream_failed:
      return {"upstream_error", "provider_error", "api_error",
              "PROVIDER_ERROR"};
    case errc::upstream_timeout:
      return {"timeout_error", "upstream_timeout", "api_error",
              "UPSTREAM_TIMEOUT"};
    default:
      return {"server_error", "internal_error", "api_error", "INTERNAL"};
  }
}

void append_nullable(std::string& out, std::string_view text) {
  if (text.empty())
    out += "null";
  else
    json::append_quoted(out, text);
}

} // namespace

unsigned status_for(errc code) {
  switch (code) {
    case errc::invalid_json:
    case errc::missing_field:
    case errc::invalid_value:
      return 400;
    case errc::auth_required:
    case errc::auth_invalid:
      return 401;
    case errc::forbidden:
    case errc::soul_denied:
      return 403;
    case errc::budget_exceeded:
      return 402;
    case errc::soul_not_found:
    case errc::model_not_found:
      return 404;
    case errc::no_providers:
      return 503;
    case errc::upstream_failed:
      return 502;
    case errc::upstream_timeout:
      return 504;
    case errc::not_found:
      return 404;
    case errc::method_not_allowed:
      return 405;
    case errc::conflict:
      return 409;
    case errc::length_required:
      return 411;
    case errc::too_large:
      return 413;
    case errc::misdirected:
      return 421;
    case errc::rate_limited:
      return 429;
    case errc::headers_too_large:
      return 431;
    case errc::shutting_down:
      return 503;
    case errc::not_implemented:
      return 501;
    default:
      return 500;
  }
}

std::string render_openai_error(const failure& f) {
  auto n = names_for(f.code);
  std::string out = "{\"error\":{\"message\":";
  json::append_quoted(out, f.message);
  out += ",\"type\":";
  json::append_quoted(out, n.openai_type);
  out += ",\"param\":";
  append_nullable(out, f.field);
  out += ",\"code\":";
  json::append_quoted(out, n.openai_code);
  out += "}}";
  return out;
}

std::string render_anthropic_error(const failure& f,
                                   std::string_view request_id) {
  auto n = names_for(f.code);
  std::string out = "{\"type\":\"error\",\"error\":{\"type\":";
  json::append_quoted(out, n.anthropic_type);
  out += ",\"message\":";
  json::append_quoted(out, f.message);
  out += "}";
  if (!request_id.empty()) {
    out += ",\"request_id\":";
    json::append_quoted(out, request_id);
  }
  out += "}";
  return out;
}

std::string render_admin_error(const failure& f) {
  auto n = names_for(f.code);
  std::string out = "{\"error\":{\"code\":";
  json::append_quoted(out, n.admin_code);
  out += ",\"message\":";
  json::append_quoted(out, f.message);
  if (!f.field.empty()) {
    out += ",\"field\":";
    json::append_quoted(out, f.field);
  }
  out += "}}";
  return out;
}

http_response error_response(dialect d, const failure& f,
                             std::string_view request_id) {
  http_response res;
  res.status = f.status != 0 ? f.status : status_for(f.code);
  switch (d) {
    case dialect::openai:
      res.body = render_openai_error(f);
      break;
    case dialect::anthropic:
      res.body = render_anthropic_error(f, request_id);
      break;
    case dialect::admin:
      res.body = render_admin_error(f);
      break;
  }
  return res;
}

std::string render_stream_error(dialect d, const failure& f) {
  if (d == dialect::anthropic)
    return "event: error\ndata: " + render_anthropic_error(f) + "\n\n";
  return "data: " + render_openai_error(f) + "\n\ndata: [DONE]\n\n";
}

} // namespace oh
