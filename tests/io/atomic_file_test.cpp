#include "io/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "io/csv_writer.hpp"
#include "io/file.hpp"

#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sipas::io::AtomicFile;
using sipas::io::FileAccess;

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir))
    ++n;
  return n;
}

// Sets the process's umask for one test and puts the old one back.
class Umask {
 public:
  explicit Umask(mode_t mask) : old_(::umask(mask)) {}
  ~Umask() { ::umask(old_); }
  Umask(const Umask&) = delete;
  Umask& operator=(const Umask&) = delete;

 private:
  mode_t old_;
};

// A file size limit of `bytes` for this process, with SIGXFSZ ignored, so a
// write past it fails with EFBIG as a full disk would fail with ENOSPC.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = old_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit old_{};
  void (*old_handler_)(int) = nullptr;
};

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = temp_.path(); }
  sipas::test::TempDir temp_;
  fs::path dir_;
};

// The mode is the final one from the first byte on, and owner-only files are
// 0600 whatever the umask: one of 0 cannot widen them, one of 0277 cannot take
// the owner's write away.
TEST_F(AtomicFileTest, OwnerOnlyIs0600WhateverTheUmask) {
  for (mode_t mask : {mode_t{022}, mode_t{0}, mode_t{077}, mode_t{0277}}) {
    Umask umask(mask);
    const auto target = dir_ / ("private-" + std::to_string(mask) + ".csv");
    AtomicFile file(target, FileAccess::owner_only);
    EXPECT_EQ(mode_of(file.temporary()), 0600u) << "umask " << std::oct << mask;
    file.write("id,phone\n1,0912345678\n");
    file.commit();
    EXPECT_EQ(mode_of(target), 0600u) << "umask " << std::oct << mask;
  }
}

TEST_F(AtomicFileTest, SharedIs0644LessTheUmask) {
  {
    Umask umask(022);
    sipas::io::write_file_atomic(dir_ / "a.json", "{}", FileAccess::shared);
  }
  {
    Umask umask(0);
    sipas::io::write_file_atomic(dir_ / "b.json", "{}", FileAccess::shared);
  }
  {
    Umask umask(077);
    sipas::io::write_file_atomic(dir_ / "c.json", "{}", FileAccess::shared);
  }
  EXPECT_EQ(mode_of(dir_ / "a.json"), 0644u);
  EXPECT_EQ(mode_of(dir_ / "b.json"), 0644u);
  EXPECT_EQ(mode_of(dir_ / "c.json"), 0600u);
}

// Owner-only is what a caller gets without saying: write_file_atomic and
// CsvWriter default to it.
TEST_F(AtomicFileTest, WritersDefaultToOwnerOnly) {
  Umask umask(0);
  sipas::io::write_file_atomic(dir_ / "keys.txt", "manager k\n");
  sipas::io::CsvWriter writer(dir_ / "sample.csv");
  writer.write_row({"id"});
  writer.commit();
  sipas::io::CsvWriter shared(dir_ / "results.csv", {.access = FileAccess::shared});
  shared.write_row({"estimate"});
  shared.commit();
  EXPECT_EQ(mode_of(dir_ / "keys.txt"), 0600u);
  EXPECT_EQ(mode_of(dir_ / "sample.csv"), 0600u);
  EXPECT_EQ(mode_of(dir_ / "results.csv"), 0644u);
}

// An existing file's mode does not carry over: the new file replaces it.
TEST_F(AtomicFileTest, ReplacingAWorldReadableFileMakesItOwnerOnly) {
  Umask umask(0);
  const auto target = dir_ / "responses.csv";
  std::ofstream(target) << "old\n";
  fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                              fs::perms::others_read);
  sipas::io::write_file_atomic(target, "new\n");
  EXPECT_EQ(mode_of(target), 0600u);
  EXPECT_EQ(sipas::io::read_file(target, 100), "new\n");
}

TEST_F(AtomicFileTest, LargeAndSmallWritesArriveInOrder) {
  const auto target = dir_ / "big.bin";
  std::string expected;
  {
    AtomicFile file(target, FileAccess::owner_only);
    for (int i = 0; i < 5; ++i) {
      std::string small(1000 + static_cast<std::size_t>(i), static_cast<char>('a' + i));
      std::string large((std::size_t{1} << 20) + 7, static_cast<char>('A' + i));
      file.write(small);
      file.write(large);
      expected += small + large;
    }
    file.commit();
  }
  EXPECT_EQ(sipas::io::read_file(target, expected.size()), expected);
  EXPECT_EQ(entries(dir_), 1u);
}

TEST_F(AtomicFileTest, DestroyedWithoutCommitLeavesTheTargetAndNoTemporary) {
  const auto target = dir_ / "sample.csv";
  std::ofstream(target) << "old\n";
  {
    AtomicFile file(target, FileAccess::owner_only);
    file.write(std::string(3 << 20, 'x'));
    EXPECT_TRUE(fs::exists(file.temporary()));
  }
  EXPECT_EQ(sipas::io::read_file(target, 100), "old\n");
  EXPECT_EQ(entries(dir_), 1u);
}

// A write that fails (here the file size limit, as a full disk would)
// removes the temporary at once and leaves the old file.
TEST_F(AtomicFileTest, AFailedWriteRemovesTheTemporary) {
  const auto target = dir_ / "responses.sav";
  std::ofstream(target) << "old\n";
  fs::path temporary;
  {
    AtomicFile file(target, FileAccess::owner_only);
    temporary = file.temporary();
    FileSizeLimit limit(64 << 10);
    try {
      file.write(std::string(2 << 20, 'x'));
      file.commit();
      FAIL() << "expected an error";
    } catch (const sipas::io::IoError& e) {
      EXPECT_EQ(e.id(), "io.write_failed");
      EXPECT_NE(std::string(e.what()).find("responses.sav"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(temporary));
    EXPECT_THROW(file.write("more"), std::logic_error);
  }
  EXPECT_EQ(sipas::io::read_file(target, 100), "old\n");
  EXPECT_EQ(entries(dir_), 1u);
}

TEST_F(AtomicFileTest, AFailedRenameRemovesTheTemporary) {
  const auto target = dir_ / "out.csv";
  fs::create_directory(target);
  std::ofstream(target / "inside") << "x";  // a non-empty directory cannot be renamed over
  AtomicFile file(target, FileAccess::owner_only);
  const auto temporary = file.temporary();
  file.write("id\n");
  try {
    file.commit();
    FAIL() << "expected an error";
  } catch (const sipas::io::IoError& e) {
    EXPECT_EQ(e.id(), "io.write_failed");
    EXPECT_NE(std::string(e.what()).find("rename failed"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(temporary));
  EXPECT_TRUE(fs::is_directory(target));
  EXPECT_EQ(entries(dir_), 1u);
}

// libxlsxwriter writes to temporary() by name; had it (or anyone) replaced the
// file there, the bytes and the mode would not be the ones checked here.
TEST_F(AtomicFileTest, ATemporaryReplacedUnderneathIsRefused) {
  const auto target = dir_ / "results.xlsx";
  AtomicFile file(target, FileAccess::owner_only);
  const auto temporary = file.temporary();
  fs::remove(temporary);
  std::ofstream(temporary) << "someone else's";
  try {
    file.commit();
    FAIL() << "expected an error";
  } catch (const sipas::io::IoError& e) {
    EXPECT_EQ(e.id(), "io.write_failed");
    EXPECT_NE(std::string(e.what()).find("was replaced"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(target));
  EXPECT_FALSE(fs::exists(temporary));
}

// What libxlsxwriter does: open the temporary by name, truncate, write.
TEST_F(AtomicFileTest, AWriterThatOpensTheTemporaryByNameKeepsTheMode) {
  Umask umask(0);
  const auto target = dir_ / "results.xlsx";
  AtomicFile file(target, FileAccess::owner_only);
  std::ofstream(file.temporary(), std::ios::binary | std::ios::trunc) << "PK workbook";
  file.commit();
  EXPECT_EQ(sipas::io::read_file(target, 100), "PK workbook");
  EXPECT_EQ(mode_of(target), 0600u);
}

TEST_F(AtomicFileTest, MissingDirectoryIsAnIoErrorNamingTheTarget) {
  try {
    AtomicFile file(dir_ / "no" / "such" / "out.csv", FileAccess::owner_only);
    FAIL() << "expected an error";
  } catch (const sipas::io::IoError& e) {
    EXPECT_EQ(e.id(), "io.write_failed");
    EXPECT_NE(std::string(e.what()).find("out.csv"), std::string::npos);
  }
}

TEST_F(AtomicFileTest, MovedFileKeepsWriting) {
  AtomicFile first(dir_ / "m.txt", FileAccess::owner_only);
  first.write("a");
  AtomicFile second(std::move(first));
  second.write("b");
  AtomicFile third(dir_ / "other.txt", FileAccess::owner_only);
  third = std::move(second);  // other.txt's temporary is removed
  third.write("c");
  third.commit();
  EXPECT_EQ(sipas::io::read_file(dir_ / "m.txt", 10), "abc");
  EXPECT_EQ(entries(dir_), 1u);
}

}  // namespace
