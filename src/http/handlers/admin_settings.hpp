#pragma once

// /admin/settings (SPEC §2, §9.2): the database level of the configuration
// and the dashboard's own settings. Known groups and fields only; a value a
// flag, the environment or the config file fixes is shown read-only;
// secret fields are write-only (sealed like provider credentials).

#include <memory>
#include <string>

#include "core/json.hpp"

#include "http/app.hpp"
#include "http/http_types.hpp"
#include "http/router.hpp"

namespace oh::http::handlers {

void handle_settings(const std::shared_ptr<app_context>& ctx,
                     const route_result& route, http_request req,
                     const admin_principal& who, responder respond);

/// The groups that configure running actors (`routing`, `health`) as
/// stored rows of the database, applied at start (flags, env and the file
/// still win). Fails naming a bad stored value.
status apply_stored_settings(config& cfg, store::database& db);

/// A group's stored row (an empty object when there is none).
json::document stored_settings(store::database& db, const char* group);

/// Passes a stored `routing` or `health` group to the running actors (other
/// groups need nothing live). Flags, env and the file still win.
void apply_settings_live(const std::shared_ptr<app_context>& ctx,
                         const std::string& group,
                         const json::document& stored);

} // namespace oh::http::handlers
