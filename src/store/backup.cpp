#include "store/backup.hpp"

#include <chrono>
#include <filesystem>

#include <sqlite3.h>

#include "store/database.hpp"
#include "store/statement.hpp"

namespace oh::store {

namespace {

int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch())
    .count();
}

} // namespace

expected<backup_result> backup_database(const std::string& source_path,
                                        const std::string& dest_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dest_path, ec))
    return fail(errc::conflict, dest_path + " exists already");
  if (!fs::exists(source_path, ec))
    return fail(errc::not_found, "no database at " + source_path);
  auto parent = fs::path(dest_path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec))
    return fail(errc::invalid_value, parent.string() + " is not a directory");
  std::string partial = dest_path + ".partial";
  fs::remove(partial, ec);
  auto started = steady_ms();
  backup_result out;
  out.path = dest_path;
  try {
    database source{source_path};
    {
      database dest{partial};
      auto* b
        = sqlite3_backup_init(dest.handle(), "main", source.handle(), "main");
      if (b == nullptr)
        return fail(errc::store_failure,
                    std::string{"backup: "} + sqlite3_errmsg(dest.handle()));
      // One step: a single read transaction, so the copy is one snapshot
      // and writes made meanwhile (to the WAL) never restart it.
      int rc = sqlite3_backup_step(b, -1);
      out.pages = sqlite3_backup_pagecount(b);
      sqlite3_backup_finish(b);
      if (rc != SQLITE_DONE) {
        fs::remove(partial, ec);
        return fail(errc::store_failure,
                    std::string{"backup: "} + sqlite3_errstr(rc));
      }
      // The copy stands alone: its WAL folded in before it is moved.
      dest.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      statement check{dest, "PRAGMA integrity_check"};
      check.step();
      if (check.text(0) != "ok") {
        auto why = check.text(0);
        fs::remove(partial, ec);
        return fail(errc::store_failure,
                    "backup failed its integrity check: " + why);
      }
    }
    for (auto* suffix : {"-wal", "-shm"})
      fs::remove(partial + suffix, ec);
    fs::rename(partial, dest_path);
  } catch (const std::exception& e) {
    fs::remove(partial, ec);
    return fail(errc::store_failure, std::string{"backup: "} + e.what());
  }
  out.bytes = static_cast<int64_t>(fs::file_size(dest_path, ec));
  out.millis = steady_ms() - started;
  return out;
}

} // namespace oh::store
