#pragma once

// Starts tools/fake_upstream on port 0 for integration tests.

#include <memory>
#include <string>

#include "core/json.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace oh::test {

class fake_upstream {
public:
  explicit fake_upstream(const std::string& dir,
                         std::vector<std::string> extra_args = {}) {
    std::vector<std::string> args{"--port-file", dir + "/fake.port"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    child_ = std::make_unique<child_process>(
      OH_FAKE_UPSTREAM, args, std::map<std::string, std::string>{},
      dir + "/fake.log");
    port_ = wait_for_port_file(dir + "/fake.port", *child_);
  }
  uint16_t port() const {
    return port_;
  }
  std::string base_url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }
  /// GET /_fake/stats as a document.
  json::document stats() const {
    auto r = http_request(port_, "GET", "/_fake/stats");
    auto doc = json::parse(r.body);
    return doc ? std::move(*doc) : json::document{};
  }

private:
  std::unique_ptr<child_process> child_;
  uint16_t port_ = 0;
};

} // namespace oh::test
