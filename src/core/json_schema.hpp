#pragma once

// A validator of the JSON Schema draft 2020-12 subset SPEC §5.4 names for
// structured output: `type` (one name or a list; "integer" is a number
// without a fraction), `properties`, `required`, `items`, `enum`,
// `additionalProperties` (boolean or schema), and `const`. Other keywords
// are annotations here, as JSON Schema treats unknown keywords. The walk is
// bounded by the documents' depth, which the parser limits (json::max_depth).

#include <optional>
#include <string_view>

#include "core/json.hpp"

namespace oh::json_schema {

/// Whether `instance` satisfies `schema`. `true` is the empty schema and
/// `false` refuses everything, as in draft 2020-12.
bool valid(const json::value& schema, const json::value& instance);

/// The `_openhinge.schema_valid` verdict for an answer's text: nothing for
/// an empty answer (or an unreadable schema), false when the text is not
/// JSON, else whether it satisfies the schema. Markdown code fences around
/// the JSON (```json … ```) are looked through: models add them.
std::optional<bool> check_text(std::string_view schema_json,
                               std::string_view answer_text);

} // namespace oh::json_schema
