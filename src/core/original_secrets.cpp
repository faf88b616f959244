#include "core/original_secrets.hpp"

#include <memory>

#include <openssl/evp.h>

#include "core/crypto.hpp"
#include "core/password.hpp"

namespace oh::original {

namespace {

// Node's crypto.scrypt defaults, which the original used everywhere.
constexpr uint64_t scrypt_n = 16384;
constexpr uint64_t scrypt_r = 8;
constexpr uint64_t scrypt_p = 1;

struct parts {
  crypto::bytes salt, iv, tag, ct;
};

expected<parts> split(std::string_view sealed) {
  parts out;
  crypto::bytes* fields[] = {&out.salt, &out.iv, &out.tag, &out.ct};
  for (int i = 0; i < 4; ++i) {
    auto colon = sealed.find(':');
    if ((colon == std::string_view::npos) != (i == 3))
      return fail(errc::invalid_value, "not salt:iv:tag:ciphertext");
    auto hex = sealed.substr(0, colon);
    auto decoded = crypto::from_hex(hex);
    if (!decoded)
      return fail(errc::invalid_value, "not hex");
    *fields[i] = std::move(*decoded);
    if (i < 3)
      sealed.remove_prefix(colon + 1);
  }
  if (out.salt.size() != 16 || out.iv.size() != 16 || out.tag.size() != 16)
    return fail(errc::invalid_value, "salt, iv and tag must be 16 bytes");
  return out;
}

} // namespace

bool looks_sealed(std::string_view sealed) {
  return static_cast<bool>(split(sealed));
}

expected<std::string> open_credentials(std::string_view sealed,
                                       std::string_view passphrase) {
  auto p = split(sealed);
  if (!p)
    return p.error();
  auto key = password::scrypt(
    passphrase,
    std::string_view{reinterpret_cast<const char*>(p->salt.data()),
                     p->salt.size()},
    scrypt_n, scrypt_r, scrypt_p, 32);
  if (!key)
    return fail(errc::internal, "scrypt failed");
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{
    EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
  std::string out(p->ct.size(), '\0');
  int len = 0;
  int total = 0;
  bool ok = ctx
            && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                                  nullptr, nullptr)
                 == 1
            // The original's 16-byte IV (GCM's usual is 12).
            && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN,
                                   static_cast<int>(p->iv.size()), nullptr)
                 == 1
            && EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key->data(),
                                  p->iv.data())
                 == 1
            && EVP_DecryptUpdate(
                 ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                 p->ct.data(), static_cast<int>(p->ct.size()))
                 == 1;
  total = len;
  ok = ok
       && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG,
                              static_cast<int>(p->tag.size()), p->tag.data())
            == 1
       && EVP_DecryptFinal_ex(
            ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + total,
            &len)
            == 1;
  if (!ok)
    return fail(errc::decrypt_failed,
                "the credentials do not decrypt with this encryption key");
  out.resize(static_cast<size_t>(total + len));
  return out;
}

bool verify_key_hash(std::string_view key, std::string_view stored) {
  auto colon = stored.find(':');
  if (colon == std::string_view::npos)
    return false;
  auto salt = crypto::from_hex(stored.substr(0, colon));
  auto want = crypto::from_hex(stored.substr(colon + 1));
  if (!salt || !want || want->empty())
    return false;
  auto got = password::scrypt(
    key,
    std::string_view{reinterpret_cast<const char*>(salt->data()), salt->size()},
    scrypt_n, scrypt_r, scrypt_p, want->size());
  if (!got)
    return false;
  return crypto::constant_time_equal(
    std::string_view{reinterpret_cast<const char*>(got->data()), got->size()},
    std::string_view{reinterpret_cast<const char*>(want->data()),
                     want->size()});
}

} // namespace oh::original
