#pragma once

// The rules of the three subscription wires `--flavor oauth` serves
// (docs/subscriptions.md): what a request must carry to be answered, each
// refusal in its vendor's shape, and Code Assist's project discovery. The
// real backends refuse requests that do not look like their own CLI's, so
// the fake does too, and a gateway that forgets a header fails its tests.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "oauth.hpp"
#include "wire.hpp"

namespace fake::subscription {

using headers = std::map<std::string, std::string>;

/// The identity `system` text a Claude subscription token requires.
inline constexpr std::string_view claude_identity
  = "You are Claude Code, Anthropic's official CLI for Claude.";

/// The 401 a vendor answers for a bearer that is not valid.
error_reply unauthorised(vendor wire, oauth::bearer why);

/// The header and body rules of a generation request (`claude`, `codex`,
/// `code_assist`); nothing when the request passes.
std::optional<error_reply> refusal(vendor wire, const headers& h,
                                   std::string_view body);

/// Whether the account has a Code Assist project (`--no-project`: not until
/// it is onboarded).
struct code_assist_state {
  bool no_project = false;
  bool onboarded = false; // onboardUser was called
};

/// `POST /v1internal:loadCodeAssist`, `POST /v1internal:onboardUser`,
/// `GET /v1internal/operations/op1`; 404 for any other `/v1internal` target.
error_reply discovery(code_assist_state& state, bool post,
                      std::string_view target, std::string_view body);

} // namespace fake::subscription
