#include "core/data_dir.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace oh::data_dir {

namespace fs = std::filesystem;

status prepare(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec)
      return fail(errc::bad_config,
                  "data dir " + dir + ": cannot create: " + ec.message());
    ::chmod(dir.c_str(), 0700);
  } else if (!fs::is_directory(dir, ec)) {
    return fail(errc::bad_config, "data dir " + dir + ": not a directory");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return fail(errc::bad_config, "data dir " + dir + ": not writable ("
                                    + std::strerror(errno) + ")");
  return ok();
}

expected<std::string> read_small_file(const std::string& path,
                                      size_t max_bytes) {
  struct stat info {};
  if (path.empty() || ::stat(path.c_str(), &info) != 0)
    return fail(errc::not_found, "no file at " + path);
  if (static_cast<size_t>(info.st_size) > max_bytes)
    return fail(errc::invalid_value, path + " is larger than "
                                       + std::to_string(max_bytes / 1024)
                                       + " KiB");
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return fail(errc::not_found, path + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

expected<std::string>
load_or_create_secret(const std::string& path,
                      const std::function<std::string()>& make, bool& created) {
  created = false;
  std::ifstream in{path};
  if (in) {
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.pop_back();
    if (line.empty())
      return fail(errc::bad_config, path + ": file is empty");
    return line;
  }
  auto secret = make();
  // O_EXCL: two processes starting at once must not overwrite each other.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail(errc::bad_config,
                path + ": cannot create: " + std::strerror(errno));
  std::string text = secret + "\n";
  bool written = ::write(fd, text.data(), text.size())
                 == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written)
    return fail(errc::bad_config, path + ": cannot write");
  created = true;
  return secret;
}

status write_file(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail(errc::bad_config, tmp + ": " + std::strerror(errno));
  bool written = ::write(fd, text.data(), text.size())
                 == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0)
    return fail(errc::bad_config, path + ": cannot write");
  return ok();
}

} // namespace oh::data_dir
