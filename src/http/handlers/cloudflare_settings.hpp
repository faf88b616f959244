#pragma once

// The stored `cloudflare` settings group read and written as one struct,
// its secrets (the API token, the tunnel's run token) sealed with the
// credential vault like provider credentials (SPEC §12, §14).

#include <cstdint>
#include <string>

#include "store/credential_vault.hpp"
#include "store/database.hpp"

namespace oh::http::handlers {

struct cloudflare_settings {
  bool enabled = false;
  std::string api_token; // plaintext in memory only
  std::string account_id;
  std::string zone_id;
  std::string tunnel_id;
  std::string tunnel_name;
  std::string domain;
  std::string hostname;
  std::string tunnel_token; // plaintext in memory only
  uint32_t public_port = 0;
};

/// The stored group; secrets that do not open (another key) read as unset.
cloudflare_settings
read_cloudflare_settings(store::database& db,
                         const store::credential_vault& vault);

/// Replaces the stored group with `s` (secrets sealed).
void write_cloudflare_settings(store::database& db,
                               const store::credential_vault& vault,
                               const cloudflare_settings& s);

} // namespace oh::http::handlers
