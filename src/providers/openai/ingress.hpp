#pragma once

// An OpenAI Chat Completions request (already validated) read into the
// canonical form for a target of another dialect (SPEC §5.4, §10). Parts
// no translated target can take (audio, files, n > 1) are refused here.

#include <string_view>

#include "core/expected.hpp"
#include "core/json.hpp"
#include "providers/canonical.hpp"

namespace oh::providers::openai {

expected<canonical_request> to_canonical(const json::value& body,
                                         const soul_edits* soul,
                                         std::string_view model,
                                         std::string_view target_type);

} // namespace oh::providers::openai
