#include "core/http_head.hpp"

#include "core/http_message.hpp"

namespace oh::http_head {

namespace {

bool framing_header(std::string_view name) {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding")
         || iequals(name, "connection");
}

/// Whether a header of this name comes later in the list: the last one
/// wins, as with a header map's set().
bool repeated_later(const header_list& headers, size_t i) {
  for (size_t j = i + 1; j < headers.size(); ++j)
    if (iequals(headers[i].first, headers[j].first))
      return true;
  return false;
}

bool has_header(const header_list& headers, std::string_view name) {
  for (auto& h : headers)
    if (iequals(h.first, name))
      return true;
  return false;
}

void append_clean(std::string& out, std::string_view text) {
  for (char c : text)
    out.push_back(c == '\r' || c == '\n' || c == '\0' ? ' ' : c);
}

void append_headers(std::string& out, const header_list& headers) {
  for (size_t i = 0; i < headers.size(); ++i) {
    auto& [name, value] = headers[i];
    if (framing_header(name) || iequals(name, "host")
        || repeated_later(headers, i))
      continue;
    append_line(out, name, value);
  }
}

} // namespace

void append_line(std::string& out, std::string_view name,
                 std::string_view value) {
  append_clean(out, name);
  out.append(": ");
  append_clean(out, value);
  out.append("\r\n");
}

std::string_view unsupported_transfer_coding(std::string_view value) {
  while (!value.empty()) {
    auto comma = value.find(',');
    auto item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view{}
                                            : value.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
      item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
      item.remove_suffix(1);
    if (item.empty())
      continue; // empty list elements are allowed (RFC 9110 §5.6.1)
    if (!iequals(item, "chunked"))
      return item;
  }
  return {};
}

bool has_body(unsigned status) {
  return status >= 200 && status != 204 && status != 304;
}

std::string_view reason(unsigned status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 499:
      return "Client Closed Request";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 529:
      return "Site Overloaded";
    default:
      return "Unknown";
  }
}

std::string response(unsigned status, std::string_view content_type,
                     const header_list& headers, bool keep_alive,
                     std::optional<size_t> content_length,
                     std::string_view head_lines) {
  std::string out;
  out.reserve(256 + headers.size() * 48 + head_lines.size());
  out.append("HTTP/1.1 ")
    .append(std::to_string(status))
    .append(" ")
    .append(reason(status))
    .append("\r\n");
  if (!content_type.empty())
    out.append("Content-Type: ").append(content_type).append("\r\n");
  append_headers(out, headers);
  out.append(head_lines);
  out.append(keep_alive ? "Connection: keep-alive\r\n"
                        : "Connection: close\r\n");
  if (!has_body(status))
    ; // 1xx, 204 and 304 carry neither a body nor its length
  else if (content_length)
    out.append("Content-Length: ")
      .append(std::to_string(*content_length))
      .append("\r\n");
  else
    out.append("Transfer-Encoding: chunked\r\n");
  out.append("\r\n");
  return out;
}

std::string request(std::string_view method, std::string_view target,
                    std::string_view host, std::string_view user_agent,
                    const header_list& headers, size_t body_length) {
  std::string out;
  out.reserve(192 + headers.size() * 64);
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  out.append("Host: ").append(host).append("\r\n");
  if (!has_header(headers, "user-agent"))
    out.append("User-Agent: ").append(user_agent).append("\r\n");
  append_headers(out, headers);
  bool body_method = method == "POST" || method == "PUT" || method == "PATCH";
  if (body_length > 0 || body_method)
    out.append("Content-Length: ")
      .append(std::to_string(body_length))
      .append("\r\n");
  out.append("\r\n");
  return out;
}

} // namespace oh::http_head
