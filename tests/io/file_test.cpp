#include "io/file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/temp_file.hpp"

#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = temp_.path(); }
  sipas::test::TempDir temp_;
  fs::path dir_;
};

TEST_F(FileTest, ReadsAWholeFile) {
  std::ofstream(dir_ / "a.txt") << "xin chào";
  EXPECT_EQ(sipas::io::read_file(dir_ / "a.txt", 100), "xin chào");
}

TEST_F(FileTest, MissingFileIsAnErrorNamingThePath) {
  try {
    sipas::io::read_file(dir_ / "missing.json", 100);
    FAIL() << "expected an error";
  } catch (const sipas::io::IoError& e) {
    EXPECT_EQ(e.id(), "io.not_found");
    EXPECT_NE(std::string(e.what()).find("missing.json"), std::string::npos);
  }
}

TEST_F(FileTest, RefusesFilesOverTheLimit) {
  std::ofstream(dir_ / "big.txt") << std::string(1000, 'x');
  try {
    sipas::io::read_file(dir_ / "big.txt", 999);
    FAIL() << "expected an error";
  } catch (const sipas::io::IoError& e) {
    EXPECT_EQ(e.id(), "io.too_large");
  }
  EXPECT_EQ(sipas::io::read_file(dir_ / "big.txt", 1000).size(), 1000u);
}

TEST_F(FileTest, DirectoryIsNotAFile) {
  try {
    sipas::io::read_file(dir_, 100);
    FAIL() << "expected an error";
  } catch (const sipas::io::IoError& e) {
    EXPECT_EQ(e.id(), "io.is_directory");
  }
}

TEST_F(FileTest, AtomicWriteReplacesTheFileAndLeavesNoTemporary) {
  auto target = dir_ / "out.json";
  std::ofstream(target) << "old";
  sipas::io::write_file_atomic(target, "new content");
  EXPECT_EQ(sipas::io::read_file(target, 100), "new content");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_))
    ++files;
  EXPECT_EQ(files, 1u);
}

TEST_F(FileTest, AtomicWriteIntoAMissingDirectoryFailsAndWritesNothing) {
  auto target = dir_ / "no-such-dir" / "out.json";
  EXPECT_THROW(sipas::io::write_file_atomic(target, "x"), sipas::io::IoError);
  EXPECT_FALSE(fs::exists(target));
}

TEST_F(FileTest, TempFileReadsBackWhatWasWrittenAndLeavesNoName) {
  std::vector<char> bytes;
  {
    sipas::io::TempFile file(dir_);
    EXPECT_TRUE(fs::is_empty(dir_)) << "the file has no name in the directory";
    // Small pieces through the buffer, and one larger than it.
    for (std::uint32_t i = 0; i < 300000; ++i) {
      file.write(&i, sizeof i);
      const char* p = reinterpret_cast<const char*>(&i);
      bytes.insert(bytes.end(), p, p + sizeof i);
    }
    std::string big(3 << 20, 'z');
    big[12345] = 'q';
    file.write(big.data(), big.size());
    bytes.insert(bytes.end(), big.begin(), big.end());
    file.write("end", 3);
    bytes.insert(bytes.end(), {'e', 'n', 'd'});
    EXPECT_EQ(file.size(), bytes.size());

    file.rewind();
    EXPECT_THROW(file.write("x", 1), std::logic_error);
    std::vector<char> back;
    std::vector<char> piece(100000);
    while (std::size_t n = file.read(piece.data(), piece.size()))
      back.insert(back.end(), piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(back, bytes);
    EXPECT_EQ(file.read(piece.data(), piece.size()), 0u);
    EXPECT_TRUE(fs::is_empty(dir_));
  }
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(FileTest, TempFileInAMissingDirectoryIsAnIoError) {
  try {
    sipas::io::TempFile file(dir_ / "missing");
    FAIL() << "expected an error";
  } catch (const sipas::io::IoError& e) {
    EXPECT_EQ(e.id(), "io.write_failed");
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos);
  }
}

TEST_F(FileTest, FileIdentityChangesWhenTheFileIsWrittenOrReplaced) {
  auto path = dir_ / "frame.csv";
  std::ofstream(path) << "id\n1\n";
  auto first = sipas::io::file_identity(path);
  EXPECT_EQ(first.size, 5u);
  EXPECT_EQ(sipas::io::file_identity(path), first);  // reading changes nothing

  // Same size, same modification time set back by hand: the status-change
  // time still moves.
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  std::ofstream(path, std::ios::in | std::ios::out) << "id\n2\n";
  timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  auto rewritten = sipas::io::file_identity(path);
  EXPECT_EQ(rewritten.size, first.size);
  EXPECT_EQ(rewritten.modified_ns, first.modified_ns);
  EXPECT_EQ(rewritten.inode, first.inode);
  // ctime has the kernel's tick; an equal one would mean the write and the
  // first stat fell in the same tick, which the sleep-free test cannot rule out.
  if (rewritten.changed_ns == first.changed_ns) GTEST_SKIP() << "coarse clock";
  EXPECT_NE(rewritten, first);

  // A copy renamed over it: another inode.
  std::ofstream(dir_ / "copy.csv") << "id\n2\n";
  fs::rename(dir_ / "copy.csv", path);
  EXPECT_NE(sipas::io::file_identity(path).inode, rewritten.inode);

  try {
    sipas::io::file_identity(dir_ / "missing.csv");
    FAIL() << "expected an error";
  } catch (const sipas::io::IoError& e) {
    EXPECT_EQ(e.id(), "io.not_found");
  }
}

}  // namespace
