#include "cloudflare_wire.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include <openssl/evp.h>

#include "core/crypto.hpp"
#include "core/json.hpp"

namespace fake::cloudflare::wire {

std::string q(std::string_view text) {
  std::string out;
  oh::json::append_quoted(out, text);
  return out;
}

reply ok(std::string result, std::string result_info, unsigned status,
         std::string messages) {
  std::string body = R"({"success":true,"errors":[],"messages":)" + messages
                     + R"(,"result":)" + result;
  if (!result_info.empty())
    body += R"(,"result_info":)" + result_info;
  return {status, body + "}", {}, 0};
}

namespace {

std::string errors_json(const std::vector<error>& errors) {
  std::string out = "[";
  for (auto& e : errors) {
    if (out.size() > 1)
      out += ",";
    out += R"({"code":)" + std::to_string(e.code) + R"(,"message":)"
           + q(e.message);
    if (!e.chain.empty())
      out += R"(,"error_chain":)" + errors_json(e.chain);
    out += "}";
  }
  return out + "]";
}

int64_t number_or(const std::map<std::string, std::string>& query,
                  const char* name, int64_t fallback) {
  auto it = query.find(name);
  if (it == query.end() || it->second.empty())
    return fallback;
  int64_t value = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9' || value > 100000000)
      return fallback;
    value = value * 10 + (c - '0');
  }
  return value;
}

} // namespace

reply fail(unsigned status, std::vector<error> errors) {
  return {status,
          R"({"success":false,"errors":)" + errors_json(errors)
            + R"(,"messages":[],"result":null})",
          {},
          0};
}

std::string page::info() const {
  auto pages = per_page > 0 ? (total + per_page - 1) / per_page : 0;
  return R"({"page":)" + std::to_string(number) + R"(,"per_page":)"
         + std::to_string(per_page) + R"(,"count":)" + std::to_string(count)
         + R"(,"total_count":)" + std::to_string(total) + R"(,"total_pages":)"
         + std::to_string(pages) + "}";
}

page paginate(const std::map<std::string, std::string>& query, size_t total,
              int64_t default_per_page, int64_t max_per_page) {
  page p;
  p.total = static_cast<int64_t>(total);
  p.number = std::max<int64_t>(1, number_or(query, "page", 1));
  p.per_page = std::clamp<int64_t>(
    number_or(query, "per_page", std::min(default_per_page, max_per_page)), 1,
    max_per_page);
  auto first = (p.number - 1) * p.per_page;
  if (first < p.total) {
    p.first = static_cast<size_t>(first);
    p.count = static_cast<size_t>(std::min(p.per_page, p.total - first));
  }
  return p;
}

std::string now() {
  using namespace std::chrono;
  auto t = system_clock::now();
  auto secs = system_clock::to_time_t(t);
  auto micros
    = duration_cast<microseconds>(t.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<long long>(micros));
  return buf;
}

std::string hex_id() {
  return oh::crypto::to_hex(oh::crypto::random_bytes(16));
}

std::string uuid() {
  auto b = oh::crypto::random_bytes(16);
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40); // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80); // RFC 4122 variant
  auto hex = oh::crypto::to_hex(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4)
         + "-" + hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string base64(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(raw.data()),
                           static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

namespace {

bool hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
         || (c >= 'A' && c <= 'F');
}

} // namespace

bool is_tag(std::string_view id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), hex_digit);
}

bool is_uuid(std::string_view id) {
  if (id.size() != 36)
    return false;
  for (size_t i = 0; i < id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !hex_digit(id[i]))
      return false;
  }
  return true;
}

} // namespace fake::cloudflare::wire
