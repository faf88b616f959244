#include "core/password.hpp"

#include <charconv>
#include <vector>

#include <openssl/evp.h>

namespace oh::password {

namespace {

constexpr uint64_t cost_r = 8;
constexpr uint64_t cost_p = 1;
constexpr size_t hash_bytes = 64;

/// `text` split at every `sep`.
std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    auto at = text.find(sep, start);
    out.push_back(text.substr(start, at - start));
    if (at == std::string_view::npos)
      return out;
    start = at + 1;
  }
}

std::optional<uint64_t> number(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return v;
}

bool matches(std::string_view password, std::string_view salt, uint64_t n,
             uint64_t r, uint64_t p, std::string_view expected_hex) {
  // Bounds keep a stored value from asking for gigabytes.
  if (n < 2 || n > (1u << 20) || (n & (n - 1)) != 0 || r == 0 || r > 32
      || p == 0 || p > 16 || expected_hex.size() != 2 * hash_bytes)
    return false;
  auto derived = scrypt(password, salt, n, r, p, hash_bytes);
  if (!derived)
    return false;
  return crypto::constant_time_equal(crypto::to_hex(*derived), expected_hex);
}

} // namespace

std::optional<crypto::bytes> scrypt(std::string_view password,
                                    std::string_view salt, uint64_t n,
                                    uint64_t r, uint64_t p, size_t length) {
  crypto::bytes out(length);
  // 128 * r * N bytes of work memory, and some room: OpenSSL's default cap
  // (32 MiB) is just below what N = 2^15, r = 8 needs.
  uint64_t maxmem = 128 * r * n + 2 * 1024 * 1024 + 128 * r * p;
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()),
                     salt.size(), n, r, p, maxmem, out.data(), out.size())
      != 1)
    return std::nullopt;
  return out;
}

std::string hash(std::string_view password) {
  auto salt = crypto::to_hex(crypto::random_bytes(16));
  auto derived = scrypt(password, salt, cost_n, cost_r, cost_p, hash_bytes);
  return "scrypt$" + std::to_string(cost_n) + "$" + std::to_string(cost_r) + "$"
         + std::to_string(cost_p) + "$" + salt + "$"
         + crypto::to_hex(derived ? *derived : crypto::bytes{});
}

bool verify(std::string_view password, std::string_view stored) {
  if (stored.starts_with("scrypt$")) {
    auto parts = split(stored, '$');
    if (parts.size() != 6)
      return false;
    auto n = number(parts[1]);
    auto r = number(parts[2]);
    auto p = number(parts[3]);
    if (!n || !r || !p)
      return false;
    return matches(password, parts[4], *n, *r, *p, parts[5]);
  }
  if (stored.starts_with("scrypt:")) {
    // The original: scrypt(password, salt text, 64) with Node's defaults.
    auto parts = split(stored, ':');
    if (parts.size() != 3)
      return false;
    return matches(password, parts[1], 16384, 8, 1, parts[2]);
  }
  if (stored.size() == 64) // the original's legacy bare SHA-256
    return crypto::constant_time_equal(crypto::sha256_hex(password), stored);
  return false;
}

bool needs_rehash(std::string_view stored) {
  return !stored.starts_with("scrypt$");
}

} // namespace oh::password
