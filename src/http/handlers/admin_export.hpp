#pragma once

// GET /admin/cost/logs/export?format=csv|ndjson (SPEC §8): the log search's
// filters, every matching row, streamed as it is read.

#include <memory>

#include "http/app.hpp"
#include "http/http_types.hpp"

namespace oh::http::handlers {

/// Streams the export to `sink` from a thread of its own with its own read
/// connection (the store actor stays free), one row at a time and never
/// more than ~1 MiB ahead of the client; a client that goes away (or a
/// drain) stops the query. `head` carries the admin headers to send.
void handle_export(const std::shared_ptr<app_context>& ctx,
                   const http_request& req, sink_ptr sink, http_response head);

} // namespace oh::http::handlers
