#include "core/crypto.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace oh::crypto {

namespace {

constexpr size_t nonce_size = 12;
constexpr size_t tag_size = 16;

struct cipher_ctx_deleter {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept {
    EVP_CIPHER_CTX_free(ctx);
  }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_deleter>;

std::string token_with_prefix(const char* prefix) {
  auto raw = random_bytes(32);
  return prefix + base64url(raw.data(), raw.size());
}

} // namespace

bytes random_bytes(size_t n) {
  bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return out;
}

std::string to_hex(const uint8_t* data, size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 0xF]);
  }
  return out;
}

expected<bytes> from_hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0)
    return fail(errc::invalid_value, "hex string has odd length");
  bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]);
    int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return fail(errc::invalid_value, "not a hex string");
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string base64url(const uint8_t* data, size_t n) {
  static constexpr char alphabet[]
    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((n * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = data[i] << 16 | data[i + 1] << 8 | data[i + 2];
    out.push_back(alphabet[v >> 18 & 63]);
    out.push_back(alphabet[v >> 12 & 63]);
    out.push_back(alphabet[v >> 6 & 63]);
    out.push_back(alphabet[v & 63]);
  }
  if (n - i == 1) {
    uint32_t v = data[i] << 16;
    out.push_back(alphabet[v >> 18 & 63]);
    out.push_back(alphabet[v >> 12 & 63]);
  } else if (n - i == 2) {
    uint32_t v = data[i] << 16 | data[i + 1] << 8;
    out.push_back(alphabet[v >> 18 & 63]);
    out.push_back(alphabet[v >> 12 & 63]);
    out.push_back(alphabet[v >> 6 & 63]);
  }
  return out;
}

expected<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-' || c == '+')
      v = 62;
    else if (c == '_' || c == '/')
      v = 63;
    else
      return fail(errc::invalid_value, "not base64url");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (bits >= 6)
    return fail(errc::invalid_value, "not base64url: truncated");
  return out;
}

std::array<uint8_t, 32> sha256(std::string_view data) {
  std::array<uint8_t, 32> out{};
  SHA256(reinterpret_cast<const uint8_t*>(data.data()), data.size(),
         out.data());
  return out;
}

std::string sha256_hex(std::string_view data) {
  // Every API request hashes its key. SHA256() fetches the algorithm and
  // allocates a context per call; one fetched digest for the process and
  // one context per thread, re-initialised, do the same work without that.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{
    EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  uint8_t digest[SHA256_DIGEST_LENGTH];
  unsigned int length = 0;
  if (sha256 == nullptr || !ctx
      || EVP_DigestInit_ex2(ctx.get(), sha256, nullptr) != 1
      || EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1
      || EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1
      || length != sizeof(digest))
    SHA256(reinterpret_cast<const uint8_t*>(data.data()), data.size(), digest);
  return to_hex(digest, sizeof(digest));
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bytes hkdf_sha256(std::string_view input_key, const bytes& salt,
                  std::string_view info, size_t length) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx{
    EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr), &EVP_PKEY_CTX_free};
  bytes out(length);
  size_t out_len = length;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0
      || EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) <= 0
      || EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), salt.data(),
                                     static_cast<int>(salt.size()))
           <= 0
      || EVP_PKEY_CTX_set1_hkdf_key(
           ctx.get(), reinterpret_cast<const uint8_t*>(input_key.data()),
           static_cast<int>(input_key.size()))
           <= 0
      || EVP_PKEY_CTX_add1_hkdf_info(
           ctx.get(), reinterpret_cast<const uint8_t*>(info.data()),
           static_cast<int>(info.size()))
           <= 0
      || EVP_PKEY_derive(ctx.get(), out.data(), &out_len) <= 0)
    throw std::runtime_error("HKDF derivation failed");
  return out;
}

std::string seal(const bytes& key, std::string_view plaintext) {
  if (key.size() != 32)
    throw std::invalid_argument("AES-256-GCM needs a 32-byte key");
  auto nonce = random_bytes(nonce_size);
  cipher_ctx ctx{EVP_CIPHER_CTX_new()};
  bytes out(plaintext.size() + tag_size);
  int len = 0;
  int total = 0;
  if (!ctx
      || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(),
                            nonce.data())
           != 1
      || EVP_EncryptUpdate(ctx.get(), out.data(), &len,
                           reinterpret_cast<const uint8_t*>(plaintext.data()),
                           static_cast<int>(plaintext.size()))
           != 1)
    throw std::runtime_error("AES-GCM encryption failed");
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + total, &len) != 1
      || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_size,
                             out.data() + total + len)
           != 1)
    throw std::runtime_error("AES-GCM finalisation failed");
  total += len;
  out.resize(total + tag_size);
  return "v2:" + to_hex(nonce) + ":" + to_hex(out);
}

expected<std::string> open(const bytes& key, std::string_view sealed) {
  auto bad = [] {
    return fail(errc::decrypt_failed,
                "credentials do not decrypt (wrong key or tampered data)");
  };
  if (key.size() != 32 || !sealed.starts_with("v2:"))
    return bad();
  auto rest = sealed.substr(3);
  auto colon = rest.find(':');
  if (colon == std::string_view::npos)
    return bad();
  auto nonce = from_hex(rest.substr(0, colon));
  auto body = from_hex(rest.substr(colon + 1));
  if (!nonce || !body || nonce->size() != nonce_size || body->size() < tag_size)
    return bad();
  size_t ct_len = body->size() - tag_size;
  cipher_ctx ctx{EVP_CIPHER_CTX_new()};
  std::string plain(ct_len, '\0');
  int len = 0;
  if (!ctx
      || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(),
                            nonce->data())
           != 1
      || EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(plain.data()),
                           &len, body->data(), static_cast<int>(ct_len))
           != 1
      || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_size,
                             body->data() + ct_len)
           != 1)
    return bad();
  int final_len = 0;
  if (EVP_DecryptFinal_ex(
        ctx.get(), reinterpret_cast<uint8_t*>(plain.data()) + len, &final_len)
      != 1)
    return bad();
  plain.resize(len + final_len);
  return plain;
}

std::string new_id() {
  // 64 random bits (SPEC §9.2): an id handed to a client or shown in the
  // dashboard says nothing about when it was made or how many came before,
  // and one cannot be guessed from another. The price is the log's
  // request_id index, which random ids fill at random pages instead of its
  // right edge; docs/decisions.md ("Ids") has the measured write rates.
  uint8_t raw[8];
  if (RAND_bytes(raw, sizeof(raw)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return to_hex(raw, sizeof(raw));
}

std::string new_api_key() {
  return token_with_prefix("ohk_");
}

std::string new_admin_token() {
  return token_with_prefix("oha_");
}

} // namespace oh::crypto
