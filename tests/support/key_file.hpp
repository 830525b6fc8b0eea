#pragma once

// Key files as sipas serve wants them: readable by their owner only.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace sipas::test {

// Writes `text` to `path` with mode 0600 (the server refuses a key file that
// others may read).
inline void write_key_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), S_IRUSR | S_IWUSR);
}

}  // namespace sipas::test
