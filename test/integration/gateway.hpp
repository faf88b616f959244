#pragma once

// Starts the real openhinge binary on port 0 with its own data dir.

#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace oh::test {

class gateway {
public:
  explicit gateway(const std::string& data_dir,
                   std::map<std::string, std::string> env = {},
                   std::vector<std::string> extra_args = {})
    : data_dir_(data_dir) {
    std::vector<std::string> args{
      "--port",       "0",    "--data-dir", data_dir,
      "--log-format", "json", "--threads",  "2"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    env.emplace("OPENHINGE_CONFIG", "");
    // A data dir the gateway has yet to create gets its log beside it.
    log_path_ = std::filesystem::is_directory(data_dir)
                  ? data_dir + "/gateway.log"
                  : data_dir + ".log";
    child_ = std::make_unique<child_process>(OH_BINARY, args, env, log_path_);
    port_ = wait_for_port_file(data_dir + "/port", *child_);
  }

  gateway(const gateway&) = delete;
  gateway& operator=(const gateway&) = delete;
  /// A failed test shows why: a gateway that died on its own (a sanitizer's
  /// report, a crash) or anything the test saw go wrong prints its log.
  ~gateway() {
    bool died = child_ && !stopped_ && !child_->running();
    if (died || ::testing::Test::HasFailure())
      std::cerr << "gateway log ("
                << (died ? "the gateway had exited" : "test failed") << "):\n"
                << log() << std::endl;
  }

  uint16_t port() const {
    return port_;
  }
  std::string admin_token() const {
    auto t = read_file(data_dir_ + "/admin.token");
    while (!t.empty() && t.back() == '\n')
      t.pop_back();
    return t;
  }
  http_reply admin(const std::string& method, const std::string& path,
                   const std::string& body = {}) const {
    return http_request(port_, method, path, body,
                        "Authorization: Bearer " + admin_token());
  }
  /// SIGTERM and wait; returns the exit status.
  int stop(int sig = 15) {
    stopped_ = true;
    child_->signal(sig);
    int code = child_->wait();
    if (code == 66) // a sanitizer's exit code: its report is in the log
      std::cerr << "gateway log:\n" << log() << std::endl;
    return code;
  }
  child_process& process() {
    return *child_;
  }
  std::string log() const {
    return read_file(log_path_);
  }
  const std::string& log_path() const {
    return log_path_;
  }

private:
  std::string data_dir_;
  std::string log_path_;
  std::unique_ptr<child_process> child_;
  uint16_t port_ = 0;
  bool stopped_ = false;
};

} // namespace oh::test
