#pragma once

// The data directory and the secret files in it (SPEC §2, first run).

#include <functional>
#include <string>

#include "core/expected.hpp"

namespace oh::data_dir {

/// Creates `dir` (mode 0700) when missing and checks that it is writable.
status prepare(const std::string& dir);

/// A small local file's whole text (a CLI's credentials, a config):
/// errc::not_found when it is absent, errc::invalid_value when it is larger
/// than `max_bytes` (checked before reading).
expected<std::string> read_small_file(const std::string& path,
                                      size_t max_bytes = 1024 * 1024);

/// Reads a one-line secret file, or creates it with `make()` and mode 0600
/// when it does not exist. `created` tells which happened.
expected<std::string>
load_or_create_secret(const std::string& path,
                      const std::function<std::string()>& make, bool& created);

/// Writes `text` to `path` atomically (temp file + rename), mode 0600.
status write_file(const std::string& path, const std::string& text);

} // namespace oh::data_dir
