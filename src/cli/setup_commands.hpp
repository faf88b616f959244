#pragma once

// `openhinge init` (data directory, secrets, database, without serving) and
// `openhinge migrate` (pending migrations, then exit), as the original's CLI
// had them (issue #20 item 5).

#include "core/config.hpp"

namespace oh::cli {

/// Exit status: 0 done, 2 configuration or database error.
int run_init(const config& cfg);
int run_migrate(const config& cfg);

} // namespace oh::cli
