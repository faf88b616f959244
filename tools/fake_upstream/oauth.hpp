#pragma once

// The OAuth side of `fake_upstream --flavor oauth`: the authorize endpoint
// (authorization code with PKCE S256) and the three vendors' token endpoints
// (docs/subscriptions.md, reference §3.2 and §3.4), together with the tokens
// they issue, so the gateway's login, exchange, refresh and 401 handling meet
// a server as strict as the real ones. Pure bookkeeping: the networking is in
// main.cpp, which runs one thread, so nothing here locks.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fake::oauth {

using params = std::map<std::string, std::string>;

/// `a=1&b=x%20y` (query strings and form bodies; `+` is a space).
params decode_form(std::string_view text);
/// The query parameters of a request target.
params query_of(std::string_view target);

struct settings {
  bool reuse_refresh = false; // a used refresh token stays valid
  int64_t expiry_s = 3600;    // expires_in of every issued access token
  bool fail_refresh = false;  // every refresh answers invalid_grant
  std::string api_key;        // a bearer that is always valid
};

/// What an OAuth endpoint answers.
struct answer {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  bool refresh = false; // a refresh_token grant: --refresh-delay-ms applies
};

/// Why a bearer is or is not accepted (each vendor words its 401 itself).
enum class bearer { valid, missing, unknown, expired, revoked };

class issuer {
public:
  settings config;

  /// GET /oauth/authorize, /o/oauth2/v2/auth: 302 to the redirect URI.
  answer authorize(std::string_view target);
  /// POST /v1/oauth/token (Claude, JSON), /oauth/token (OpenAI, form),
  /// /token (Google, form with client_secret).
  answer token(std::string_view path, std::string_view content_type,
               std::string_view body);
  /// POST /_fake/tokens: tokens a test wrote into a credentials file.
  answer seed(std::string_view body);
  /// POST /_fake/revoke: every access token issued so far stops working.
  answer revoke();
  /// The `authorization` header's value against the issued tokens.
  bearer check(std::string_view authorization) const;
  /// `,"refreshes":N,...` for GET /_fake/stats.
  std::string stats_members() const;

private:
  using clock = std::chrono::steady_clock;
  enum class vendor { claude, openai, google };
  struct pending_code {
    std::string challenge;
    std::string client_id;
    std::string redirect_uri;
  };
  struct access_token {
    clock::time_point expires;
    bool revoked = false;
  };
  struct refresh_token {
    std::string client_id; // empty when seeded: any client may use it
    bool used = false;
  };

  answer exchange(vendor v, const params& p);
  answer refresh(vendor v, const params& p);
  answer issue(vendor v, const std::string& client_id);
  std::string new_access(vendor v, int64_t expires_in_s);

  std::map<std::string, pending_code> codes_;
  std::map<std::string, access_token, std::less<>> access_;
  std::map<std::string, refresh_token> refresh_;
  int64_t refreshes_ = 0;
  int64_t exchanges_ = 0;
  std::string last_refresh_body_;
};

} // namespace fake::oauth
