#pragma once

#include <memory>

#include "http/app.hpp"
#include "http/http_types.hpp"
#include "http/router.hpp"

namespace oh::http::handlers {

/// `POST /v1/chat/completions` and `/v1/souls/{slug}/chat/completions`:
/// authenticates the key against the lookup snapshot (no actor for unknown
/// keys) and spawns the request actor that does the rest.
void handle_chat(const std::shared_ptr<app_context>& ctx,
                 const route_result& route, http_request req, sink_ptr sink);

/// `GET /v1/models`: the models of every enabled account and the souls,
/// from the snapshot (no upstream call).
void handle_models(const std::shared_ptr<app_context>& ctx, http_request req,
                   sink_ptr sink);

/// A presented key looked up (SPEC §5.1): one hash, one lock-free lookup,
/// one constant-time compare. `refused` says why it may not be used:
/// "unknown", "revoked" or "expired" (nullptr: it may); `entry` is set for
/// every key the gateway knows.
struct key_lookup {
  const actors::key_entry* entry = nullptr;
  const char* refused = nullptr;
};

key_lookup look_up_key(const actors::lookup_snapshot& snap,
                       std::string_view key);

/// The CORS and identification headers every /v1 response carries.
void add_v1_headers(http_response& res, const std::string& request_id);

} // namespace oh::http::handlers
