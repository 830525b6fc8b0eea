#pragma once

// A folder of the process's own for files that hold answers on their way
// through a library that reads and writes files (the analysis, the exports):
// made by mkdtemp (0700), removed with everything in it when it goes.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "io/error.hpp"

namespace sipas::app {

class PrivateFolder {
 public:
  // `prefix`: the start of the folder's name in the temporary directory.
  explicit PrivateFolder(std::string_view prefix) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw Error("io.write_failed", "cannot make a temporary folder in " +
                                         std::filesystem::temp_directory_path().string());
    }
    path_ = pattern;
  }
  ~PrivateFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  PrivateFolder(const PrivateFolder&) = delete;
  PrivateFolder& operator=(const PrivateFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sipas::app
