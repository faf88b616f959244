#pragma once

// Plain rows of the configuration tables. The actors receive these as
// messages, so they stay cheap to copy and free of database handles.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace oh::store {

struct provider_record {
  std::string id;
  std::string name;
  std::string type;
  std::optional<std::string> base_url;
  std::string auth_mode = "api_key";
  std::string config_json = "{}";
  /// Decrypted credentials JSON; lives only in memory, never rendered.
  std::string credentials_json = "{}";
  int64_t priority = 0;
  bool is_enabled = true;
  std::string health_status = "unknown";
  std::optional<std::string> last_health_check;
  std::string models_json = "[]";
  std::optional<std::string> token_expires_at;
  std::string created_at;
  std::string updated_at;
};

struct soul_record {
  std::string id;
  std::string name;
  std::string slug;
  std::optional<std::string> description;
  std::string system_prompt;
  std::optional<std::string> provider_id;
  std::vector<std::string> fallback_chain;
  std::optional<std::string> model;
  std::optional<double> temperature;
  std::optional<int64_t> max_tokens;
  std::optional<std::string> response_schema;
  bool strict_chain = false;
  int64_t version = 1;
  bool is_enabled = true;
  std::string created_at;
  std::string updated_at;
};

struct api_key_record {
  std::string id;
  std::string name;
  std::string key_hash;
  std::string hash_algo = "sha256";
  std::string key_prefix;
  std::string last4;
  std::string api_format = "openai";
  int64_t rate_limit_rpm = 60;
  std::optional<int64_t> rate_limit_tpm;
  std::optional<int64_t> max_concurrency;
  std::optional<int64_t> daily_budget_cents;
  std::optional<int64_t> monthly_budget_cents;
  std::optional<std::string> expires_at;
  bool is_enabled = true;
  std::optional<std::string> last_used_at;
  int64_t total_requests = 0;
  std::string created_at;
  std::string updated_at;
  std::vector<std::string> soul_ids;
};

} // namespace oh::store
