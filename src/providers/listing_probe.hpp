#pragma once

// Runs one model listing against an upstream: the no-quota probe behind an
// account's health checks and behind `POST /admin/providers/probe`, which
// tests credentials before they are saved (SPEC §6.3, §9.2).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace oh::providers {

class upstream_client;

/// What one listing showed.
struct listing_outcome {
  bool ok = false;
  unsigned status = 0;
  int64_t latency_ms = 0;
  std::string error;
  /// Model ids the listing named (empty when it named none).
  std::vector<std::string> models;
};

struct listing_target {
  std::string type;
  std::string base_url;
  std::string api_key;
  /// A subscription account (SPEC §7): probed with its access token on its
  /// subscription wire: Claude's listing as Claude Code, Code Assist's
  /// loadCodeAssist, and for ChatGPT a token check only (the Codex backend
  /// has no call that spends no quota, SPEC §6.3).
  bool subscription = false;
  std::string access_token;
  int64_t connect_timeout_ms = 5'000;
  /// For the first byte and for each pause between bytes.
  int64_t answer_timeout_ms = 10'000;
  /// The whole listing, so a trickling answer cannot hold a probe open.
  int64_t total_timeout_ms = 15'000;
};

/// Starts the listing; `done` runs exactly once, on an I/O thread (or at
/// once, on the caller's, when the target cannot be asked at all).
void run_listing_probe(upstream_client& upstream, const listing_target& target,
                       std::function<void(listing_outcome)> done);

} // namespace oh::providers
