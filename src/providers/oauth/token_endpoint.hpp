#pragma once

// Calls a vendor's OAuth token endpoint (code exchange or refresh) and
// reads its answer.

#include <functional>

#include "core/expected.hpp"
#include "providers/oauth/oauth_client.hpp"

namespace oh::providers {
class upstream_client;
}

namespace oh::providers::oauth {

/// POSTs `call`; `done` runs exactly once, on an I/O thread.
void call_token_endpoint(upstream_client& upstream, const token_call& call,
                         std::function<void(expected<token_answer>)> done);

} // namespace oh::providers::oauth
