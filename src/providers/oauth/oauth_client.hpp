#pragma once

// The vendors' OAuth facts (reference §3.2) and the pure steps of an
// authorization-code flow with PKCE S256 and of a refresh: URLs, request
// bodies, answers, the ChatGPT id_token's account id, a pasted redirect.
// No I/O: the gateway sends what these build (docs/subscriptions.md).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace oh::providers::oauth {

struct client_facts {
  std::string_view type;          // claude | openai | gemini
  std::string_view provider_name; // the account's name when created
  std::string_view authorize_url;
  std::string_view token_url;
  std::string_view client_id;
  std::string_view redirect_uri;
  uint16_t redirect_port;
  std::string_view callback_path;
  std::string_view scope;
  std::string_view extra_params; // appended to the authorize URL
  bool json_body;                // Claude's token endpoint takes JSON
};

/// The facts of a type; nullptr for a type without browser login.
const client_facts* facts_for(std::string_view type);

/// `url` with its scheme and host replaced by `endpoint_base` (tests point
/// every vendor URL at the fake this way); `url` itself when empty.
std::string rebased(std::string_view url, std::string_view endpoint_base);

struct pkce_pair {
  std::string verifier;  // 32 random bytes, base64url
  std::string challenge; // base64url(SHA-256(verifier))
};
pkce_pair make_pkce();
std::string challenge_for(std::string_view verifier);
/// 16 random bytes as hex.
std::string new_state();

/// Google's installed-app client (the Gemini CLI's) is not ours to ship:
/// the id and secret come from the environment.
struct client_secrets {
  std::string client_id;     // overrides the facts' id when set
  std::string client_secret; // sent when set
  /// Overrides the facts' redirect URI when set (oauth.callback_port: the
  /// listener on another port, for tests).
  std::string redirect_uri;
};

std::string authorize_url(const client_facts& f, std::string_view state,
                          std::string_view challenge,
                          const client_secrets& secrets,
                          std::string_view endpoint_base);

/// A token endpoint call: POST `url` with `content_type` and `body`.
struct token_call {
  std::string url;
  std::string content_type;
  std::string body;
};

token_call exchange_call(const client_facts& f, std::string_view code,
                         std::string_view verifier, std::string_view state,
                         const client_secrets& secrets,
                         std::string_view endpoint_base);

/// A refresh for an account of `type` (client id/secret from the stored
/// credential when it has them, else the facts').
token_call refresh_call(std::string_view type, std::string_view refresh_token,
                        std::string_view client_id,
                        std::string_view client_secret,
                        std::string_view endpoint_base);

struct token_answer {
  std::string access_token;
  std::string refresh_token; // empty: the endpoint kept the old one
  std::string id_token;
  int64_t expires_in_s = 0; // 0: not given
};

/// A token endpoint's answer; the failure carries the endpoint's
/// `error_description`/`error` (never a token).
expected<token_answer> read_token_answer(unsigned status,
                                         std::string_view body);

/// The ChatGPT account id inside an id_token (JWT payload claim
/// `https://api.openai.com/auth`.`chatgpt_account_id`). The signature is
/// not checked: the token came straight from the token endpoint over TLS,
/// and only this routing hint is read from it.
expected<std::string> chatgpt_account_id(std::string_view id_token);

/// What a browser was redirected to, pasted by the user: the whole URL, its
/// query, or the bare code (Claude shows `code#state`).
struct redirect_parts {
  std::string code;
  std::string state; // empty when the paste had none
  std::string error; // the provider's error, with its description
};
expected<redirect_parts> read_redirect(std::string_view pasted);

/// Decodes `%XX` and `+` of a query value.
std::string url_decode(std::string_view s);
/// Encodes a query value.
std::string url_encode(std::string_view s);

} // namespace oh::providers::oauth
