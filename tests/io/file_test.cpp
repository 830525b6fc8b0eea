#include "io/file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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

}  // namespace
