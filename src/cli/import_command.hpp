#pragma once

// `openhinge import --from DIR [--db FILE] [--apply] [--merge]` (SPEC
// §11.3): takes over a Node OpenHinge install. Dry run by default.

#include <string>
#include <vector>

#include "core/config.hpp"

namespace oh::cli {

/// Splits the import's own flags off `args` (the rest are the usual
/// configuration flags); a usage error is a message.
struct import_args {
  std::string from_dir;
  std::string db_path;
  bool apply = false;
  bool merge = false;
};
expected<import_args> take_import_args(std::vector<std::string>& args);

/// Runs the import into the configured data directory; the exit status
/// (0 done, 1 the source or the target refused, 2 configuration).
int run_import(const config& cfg, const import_args& a);

} // namespace oh::cli
