#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/crypto.hpp"

using namespace oh;

TEST(Crypto, Sha256MatchesKnownVector) {
  EXPECT_EQ(crypto::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, Base64UrlHasNoPaddingAndUrlAlphabet) {
  const uint8_t data[] = {0xfb, 0xff, 0xbf, 0x01};
  EXPECT_EQ(crypto::base64url(data, 3), "-_-_");
  EXPECT_EQ(crypto::base64url(data, 4), "-_-_AQ");
  EXPECT_EQ(crypto::base64url(data, 1), "-w");
}

TEST(Crypto, HexRoundTripsAndRejectsBadInput) {
  auto b = crypto::from_hex("00ff10Ab");
  ASSERT_TRUE(b);
  EXPECT_EQ(crypto::to_hex(*b), "00ff10ab");
  EXPECT_FALSE(crypto::from_hex("abc"));
  EXPECT_FALSE(crypto::from_hex("zz"));
}

TEST(Crypto, HkdfMatchesRfc5869TestCase1) {
  std::string ikm(22, '\x0b');
  auto salt = *crypto::from_hex("000102030405060708090a0b0c");
  auto info = *crypto::from_hex("f0f1f2f3f4f5f6f7f8f9");
  auto okm = crypto::hkdf_sha256(
    ikm, salt,
    std::string_view{reinterpret_cast<const char*>(info.data()), info.size()},
    42);
  EXPECT_EQ(crypto::to_hex(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
            "34007208d5b887185865");
}

TEST(Crypto, SealOpensWithTheSameKey) {
  auto key = crypto::random_bytes(32);
  auto sealed = crypto::seal(key, R"({"api_key":"sk-secret"})");
  EXPECT_TRUE(sealed.starts_with("v2:"));
  EXPECT_EQ(sealed.find("sk-secret"), std::string::npos);
  auto opened = crypto::open(key, sealed);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, R"({"api_key":"sk-secret"})");
}

TEST(Crypto, SealUsesAFreshNonceEachTime) {
  auto key = crypto::random_bytes(32);
  EXPECT_NE(crypto::seal(key, "same"), crypto::seal(key, "same"));
}

TEST(Crypto, OpenDetectsTamperingAndWrongKeys) {
  auto key = crypto::random_bytes(32);
  auto sealed = crypto::seal(key, "payload");
  // Flip one hex digit in every position of nonce, ciphertext and tag.
  for (size_t i = 3; i < sealed.size(); ++i) {
    if (sealed[i] == ':')
      continue;
    auto bad = sealed;
    bad[i] = bad[i] == '0' ? '1' : '0';
    auto opened = crypto::open(key, bad);
    EXPECT_FALSE(opened) << "position " << i;
    if (!opened) {
      EXPECT_EQ(opened.error().code, errc::decrypt_failed);
    }
  }
  EXPECT_FALSE(crypto::open(crypto::random_bytes(32), sealed));
  EXPECT_FALSE(crypto::open(key, "v2:zz:yy"));
  EXPECT_FALSE(crypto::open(key, "salt:iv:tag:ct"));
  EXPECT_FALSE(crypto::open(key, sealed.substr(0, sealed.size() - 2)));
}

TEST(Crypto, ApiKeysAreOhkPlus43Base64UrlCharacters) {
  auto k = crypto::new_api_key();
  ASSERT_EQ(k.size(), 47u);
  EXPECT_TRUE(k.starts_with("ohk_"));
  for (char c : k.substr(4))
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-'
                || c == '_');
  EXPECT_NE(k, crypto::new_api_key());
  EXPECT_TRUE(crypto::new_admin_token().starts_with("oha_"));
  EXPECT_EQ(crypto::new_id().size(), 16u);
}

TEST(Crypto, IdsAreHexFromRandomBitsWithNoTimeOrCountInThem) {
  // SPEC §3: 16 hex; SPEC §9.2: 64 random bits, so an id tells neither when
  // it was made nor how many came before. Made in a row, they never repeat,
  // share no time prefix and do not sort in the order they were made.
  std::vector<std::string> ids;
  for (int i = 0; i < 5000; ++i)
    ids.push_back(crypto::new_id());
  for (auto& id : ids) {
    ASSERT_EQ(id.size(), 16u);
    for (char c : id)
      EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(c))
                  && !std::isupper(static_cast<unsigned char>(c)));
  }
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  std::set<std::string> prefixes;
  for (auto& id : ids)
    prefixes.insert(id.substr(0, 8));
  EXPECT_GT(prefixes.size(), 4990u) << "ids made together share a prefix";
  EXPECT_FALSE(std::is_sorted(ids.begin(), ids.end()));
}

TEST(Crypto, ConstantTimeEqualComparesContentAndLength) {
  EXPECT_TRUE(crypto::constant_time_equal("abc", "abc"));
  EXPECT_FALSE(crypto::constant_time_equal("abc", "abd"));
  EXPECT_FALSE(crypto::constant_time_equal("abc", "abcd"));
}

TEST(Crypto, Sha256ReusesItsContextCorrectlyAcrossCallsAndThreads) {
  // The same thread hashes one input after another (the context is reused).
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(
      crypto::sha256_hex(""),
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(
      crypto::sha256_hex("abc"),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
  std::string other;
  std::thread t{[&] {
    other = crypto::sha256_hex("abc");
  }};
  t.join();
  EXPECT_EQ(other,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
