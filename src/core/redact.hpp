#pragma once

// Upstream text made safe to keep. Upstreams echo what they were sent: a
// proxy's 401 may quote the Authorization header, a local server's 500 the
// whole request. Before such text reaches the admin API, a log line or the
// database, every credential value the account holds and every token that
// looks like a key is replaced (SPEC §3). Clients never get upstream text
// except an upstream's own complaint about their request, redacted too.

#include <string>
#include <string_view>
#include <vector>

namespace oh {

/// What replaces a secret.
inline constexpr std::string_view redaction_mark = "[redacted]";

/// `text` with each of `secrets` (values of 8 bytes or more) and every
/// bearer/key-shaped token replaced by [redacted], cut to `max_bytes`
/// (whole UTF-8 characters, invalid bytes replaced) so a huge upstream body
/// never becomes a huge log row.
std::string redact_secrets(std::string_view text,
                           const std::vector<std::string>& secrets,
                           size_t max_bytes = 1024);

/// True when `token` (a run of token characters) has the shape of a
/// credential: a known key prefix (sk-, ohk_, AIza, ya29., eyJ, ...) with
/// enough after it, or 32+ characters mixing letters and digits.
bool looks_like_secret(std::string_view token) noexcept;

} // namespace oh
