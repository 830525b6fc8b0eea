#pragma once

// One run of `sipas demo` on a small province, shared by the demo tests of a
// process (the run takes most of their time). With umask 0 (inherited by the
// demo), a file with personal data is 0600 only because the demo made it so.

#include <sys/stat.h>

#include <filesystem>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::test {

struct SmallDemo {
  TempDir dir{"sipas-demo-e2e"};
  ProcessResult result;

  std::filesystem::path file(const std::string& name) const { return dir.path() / name; }
};

inline const SmallDemo& small_demo() {
  static SmallDemo demo;  // its folder is removed when the process ends
  static const bool ran = [] {
    const mode_t old_umask = ::umask(0);
    demo.result = sipas({"demo", "--out", demo.dir.path().string(), "--citizens", "8000",
                         "--districts", "4", "--clients", "4", "--seed", "11"});
    ::umask(old_umask);
    return true;
  }();
  (void)ran;
  return demo;
}

}  // namespace sipas::test
