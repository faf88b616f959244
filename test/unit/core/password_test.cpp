#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "core/failure_limiter.hpp"
#include "core/password.hpp"

using namespace oh;

TEST(Scrypt, MatchesTheRfc7914Vectors) {
  auto empty = password::scrypt("", "", 16, 1, 1, 64);
  ASSERT_TRUE(empty);
  EXPECT_EQ(crypto::to_hex(*empty),
            "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
            "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
  auto nacl = password::scrypt("password", "NaCl", 1024, 8, 16, 64);
  ASSERT_TRUE(nacl);
  EXPECT_EQ(crypto::to_hex(*nacl),
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
            "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
}

TEST(Password, HashesVerifyAndOnlyTheRightPasswordMatches) {
  auto stored = password::hash("correct horse battery");
  EXPECT_TRUE(stored.starts_with("scrypt$32768$8$1$")) << stored;
  EXPECT_TRUE(password::verify("correct horse battery", stored));
  EXPECT_FALSE(password::verify("correct horse batterY", stored));
  EXPECT_FALSE(password::needs_rehash(stored));
  // Two hashes of one password differ (a fresh salt each).
  EXPECT_NE(password::hash("correct horse battery"), stored);
}

TEST(Password, ReadsTheOriginalsFormsAndAsksToRewriteThem) {
  // The original: the salt's 32 hex characters used as text, N=16384.
  std::string salt = "00112233445566778899aabbccddeeff";
  auto derived = password::scrypt("hunter2hunter2", salt, 16384, 8, 1, 64);
  ASSERT_TRUE(derived);
  auto original = "scrypt:" + salt + ":" + crypto::to_hex(*derived);
  EXPECT_TRUE(password::verify("hunter2hunter2", original));
  EXPECT_FALSE(password::verify("hunter2hunter3", original));
  EXPECT_TRUE(password::needs_rehash(original));
  auto legacy = crypto::sha256_hex("old password");
  EXPECT_TRUE(password::verify("old password", legacy));
  EXPECT_FALSE(password::verify("old passwore", legacy));
  EXPECT_TRUE(password::needs_rehash(legacy));
}

TEST(Password, MalformedOrGreedyStoredValuesNeverMatch) {
  EXPECT_FALSE(password::verify("x", ""));
  EXPECT_FALSE(password::verify("x", "scrypt$"));
  EXPECT_FALSE(password::verify("x", "scrypt$1073741824$8$1$aa$bb"));
  EXPECT_FALSE(password::verify("x", "scrypt:onlysalt"));
}

TEST(FailureLimiter, FivePerClientThenWaitForTheOldestToAgeOut) {
  failure_limiter l{5, 30, 900'000};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(l.retry_after_ms("1.2.3.4", i * 1000), 0);
    l.record_failure("1.2.3.4", i * 1000);
  }
  // The first failure (t=0) ages out at 900 s.
  EXPECT_EQ(l.retry_after_ms("1.2.3.4", 10'000), 890'000);
  EXPECT_EQ(l.retry_after_ms("5.6.7.8", 10'000), 0);
  EXPECT_EQ(l.retry_after_ms("1.2.3.4", 900'000), 0);
}

TEST(FailureLimiter, ThirtyInAllStopEveryClient) {
  failure_limiter l{5, 30, 900'000};
  for (int i = 0; i < 30; ++i)
    l.record_failure("10.0.0." + std::to_string(i), 1000);
  EXPECT_EQ(l.retry_after_ms("192.168.1.1", 2000), 899'000);
  EXPECT_EQ(l.retry_after_ms("192.168.1.1", 901'000), 0);
}

TEST(SessionLife, SlidesTwelveHoursButNeverPastThirtyDays) {
  const int64_t h = 3600 * 1000;
  EXPECT_EQ(session_life::expires_at(0, 0), 12 * h);
  EXPECT_EQ(session_life::expires_at(0, 5 * h), 17 * h);
  EXPECT_FALSE(session_life::expired(0, 5 * h, 17 * h - 1));
  EXPECT_TRUE(session_life::expired(0, 5 * h, 17 * h));
  // Used every hour for a month: the absolute end still comes.
  int64_t thirty_days = 30 * 24 * h;
  EXPECT_EQ(session_life::expires_at(0, thirty_days - h), thirty_days);
  EXPECT_TRUE(session_life::expired(0, thirty_days - h, thirty_days));
}
