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

/// The CORS and identification headers every /v1 response carries.
void add_v1_headers(http_response& res, const std::string& request_id);

} // namespace oh::http::handlers
