// Detection and import of accounts from this machine (SPEC §7).

#include <cstdlib>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "http/handlers/admin_detect.hpp"

using namespace oh;
using namespace oh::http::handlers;

TEST(OllamaHost, FollowsOllamasOwnVariable) {
  EXPECT_EQ(ollama_base_url(""), "http://127.0.0.1:11434");
  EXPECT_EQ(ollama_base_url("0.0.0.0"), "http://127.0.0.1:11434");
  EXPECT_EQ(ollama_base_url("0.0.0.0:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(ollama_base_url(":9000"), "http://127.0.0.1:9000");
  EXPECT_EQ(ollama_base_url("gpu-box"), "http://gpu-box:11434");
  EXPECT_EQ(ollama_base_url("https://ollama.example.com/"),
            "https://ollama.example.com:11434");
  EXPECT_EQ(ollama_base_url("http://10.0.0.2:11434"), "http://10.0.0.2:11434");
}

TEST(Import, BuildsTheCreateBodyServerSide) {
  auto req = json::parse(R"({"source":"ollama"})");
  ASSERT_TRUE(req);
  ::unsetenv("OLLAMA_HOST");
  auto body = import_body(*req);
  ASSERT_TRUE(body);
  auto doc = json::parse(*body);
  ASSERT_TRUE(doc);
  EXPECT_STREQ((*doc)["type"].GetString(), "ollama");
  EXPECT_STREQ((*doc)["base_url"].GetString(), "http://127.0.0.1:11434");

  ::setenv("ANTHROPIC_API_KEY", "sk-ant-from-env", 1);
  req = json::parse(R"({"source":"env:ANTHROPIC_API_KEY","name":"work"})");
  body = import_body(*req);
  ASSERT_TRUE(body);
  doc = json::parse(*body);
  EXPECT_STREQ((*doc)["name"].GetString(), "work");
  EXPECT_STREQ((*doc)["type"].GetString(), "claude");
  EXPECT_STREQ((*doc)["credentials"]["api_key"].GetString(), "sk-ant-from-env");
  ::unsetenv("ANTHROPIC_API_KEY");
  body = import_body(*req);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().field, "source");

  req = json::parse(R"({"source":"~/.ssh/id_rsa"})");
  body = import_body(*req);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, errc::invalid_value);
}
