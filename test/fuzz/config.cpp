// The configuration loader (core/config.cpp): the JSON config file, and
// command-line values, over the built-in defaults (SPEC §2).
//
// Input: the config file's text, then NUL-separated command-line
// arguments (the file itself may hold no NUL: the JSON reader refuses one).
// The file is written to a memory file (memfd), so no disk is touched.
//
// Invariants: a load succeeds or fails with a bad_config failure whose
// message names where; a loaded configuration describes itself; every
// value it took renders as JSON (value_json) that check_value accepts for
// the same key, and applying that value from the database level changes
// nothing (a round trip).

#include <string>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include "core/config.hpp"
#include "fuzz_check.hpp"

namespace {

int file_fd() {
  static int fd = memfd_create("oh-fuzz-config", 0);
  OH_FUZZ_CHECK(fd >= 0, "memfd_create failed");
  return fd;
}

std::string write_file(std::string_view text) {
  int fd = file_fd();
  OH_FUZZ_CHECK(ftruncate(fd, 0) == 0, "ftruncate");
  OH_FUZZ_CHECK(pwrite(fd, text.data(), text.size(), 0)
                  == static_cast<ssize_t>(text.size()),
                "pwrite");
  return "/proc/self/fd/" + std::to_string(fd);
}

void check_loaded(const oh::config& cfg) {
  (void)oh::describe(cfg);
  for (auto& [key, source] : cfg.sources) {
    if (source == "default")
      continue;
    auto text = oh::value_json(cfg, key);
    oh::fuzz::check_json_text(text, "value_json");
    auto value = oh::json::parse(text);
    auto checked = oh::check_value(key, *value);
    OH_FUZZ_CHECK(checked, key + " = " + text + " does not check: "
                             + (checked ? "" : checked.error().message));
    // The database level applies only over defaults: back to a default
    // copy, the value applies and renders the same.
    auto fresh = oh::default_config();
    auto applied = oh::apply_database_value(fresh, key, *value);
    OH_FUZZ_CHECK(applied, key + " = " + text + " does not apply");
    OH_FUZZ_CHECK(oh::value_json(fresh, key) == text,
                  key + " = " + text + " renders as "
                    + oh::value_json(fresh, key));
  }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  oh::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto input = oh::fuzz::as_text(data, size);
  auto nul = input.find('\0');
  auto file = input.substr(0, nul);
  std::vector<std::string> args{"--config", write_file(file)};
  if (nul != std::string_view::npos) {
    auto rest = input.substr(nul + 1);
    while (!rest.empty() && args.size() < 16) {
      auto end = rest.find('\0');
      auto arg = rest.substr(0, end);
      // Another file could be /dev/zero or a pipe: only ours is read.
      if (arg.starts_with("--config"))
        return 0;
      args.emplace_back(arg);
      rest = end == std::string_view::npos ? "" : rest.substr(end + 1);
    }
  }
  // No environment: the values come from the file and the flags.
  auto none = [](const char*) -> std::optional<std::string> {
    return std::nullopt;
  };
  auto cfg = oh::load_config(args, none);
  if (!cfg) {
    OH_FUZZ_CHECK(cfg.error().code == oh::errc::bad_config,
                  cfg.error().message);
    oh::fuzz::check_failure(cfg.error());
    return 0;
  }
  check_loaded(*cfg);
  return 0;
}
