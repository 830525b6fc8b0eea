#pragma once

// A fresh directory for one test, removed afterwards. mkdtemp makes the name
// unique, so tests of two builds (or two engineers) running at once never
// share files.

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace sipas::test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "sipas-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace sipas::test
