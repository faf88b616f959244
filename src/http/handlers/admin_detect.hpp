#pragma once

// What this machine offers as provider accounts (SPEC §7 "Import from this
// machine"): a local Ollama and provider keys in the server's own
// environment. Secrets are never returned; import reads them server-side.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "core/json.hpp"
#include "http/app.hpp"
#include "http/http_types.hpp"

namespace oh::http::handlers {

/// The Ollama base URL from `OLLAMA_HOST` (Ollama's own variable: `host`,
/// `host:port` or a URL; 0.0.0.0 means this machine), default
/// http://127.0.0.1:11434.
std::string ollama_base_url(std::string_view ollama_host);

/// GET /admin/providers/detect: `{"data":[{source, type, found, …}]}`.
void handle_detect(const std::shared_ptr<app_context>& ctx, responder respond);

/// The `POST /admin/providers` body that imports `source` (`ollama` or
/// `env:<VARIABLE>`), or why it cannot.
expected<std::string> import_body(const json::value& request);

} // namespace oh::http::handlers
