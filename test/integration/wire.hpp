#pragma once

// Reading answers in integration tests: JSON bodies and SSE payloads.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/json.hpp"

namespace oh::test {

/// The body as JSON; a test failure (and an empty document) if it is not.
inline json::document parse(const std::string& body) {
  auto doc = json::parse(body);
  EXPECT_TRUE(doc) << body;
  return doc ? std::move(*doc) : json::document{};
}

/// The `data:` payloads of an SSE body, in order.
inline std::vector<std::string> sse_data(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = body.find("data: ", pos)) != std::string::npos) {
    auto end = body.find("\n\n", pos);
    out.push_back(body.substr(pos + 6, end - pos - 6));
    pos = end;
  }
  return out;
}

} // namespace oh::test
