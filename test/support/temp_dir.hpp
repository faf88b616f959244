#pragma once

#include <string>

namespace oh::test {

/// A fresh directory under $TMPDIR, removed with its contents on destruction.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const {
    return path_;
  }
  std::string file(const std::string& name) const {
    return path_ + "/" + name;
  }

private:
  std::string path_;
};

/// Reads a whole file ("" when missing).
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

} // namespace oh::test
