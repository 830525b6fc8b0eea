#include "io/sha256.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "io/file.hpp"

#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sipas::io::Sha256;
using sipas::io::sha256_file;

// FIPS 180-4 examples (NIST CSRC "SHA256.pdf") and the empty string.
constexpr const char* abc_digest =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* empty_digest =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* million_a_digest =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

class Sha256Test : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = temp_.path(); }
  fs::path write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }
  sipas::test::TempDir temp_;
  fs::path dir_;
};

TEST(Sha256, Abc) {
  Sha256 hash;
  hash.update("abc");
  EXPECT_EQ(hash.hex_digest(), abc_digest);
}

TEST(Sha256, EmptyInput) {
  EXPECT_EQ(Sha256().hex_digest(), empty_digest);
}

TEST(Sha256, PiecesEqualTheWhole) {
  Sha256 hash;
  std::string block(1000, 'a');
  for (int i = 0; i < 1000; ++i)
    hash.update(block);
  EXPECT_EQ(hash.hex_digest(), million_a_digest);
}

TEST(Sha256, DigestDoesNotEndTheHash) {
  Sha256 hash;
  hash.update("a");
  EXPECT_EQ(hash.hex_digest(), hash.hex_digest());
  hash.update("bc");
  EXPECT_EQ(hash.hex_digest(), abc_digest);
}

TEST(Sha256, MovedHashGoesOn) {
  Sha256 first;
  first.update("ab");
  Sha256 second(std::move(first));
  second.update("c");
  EXPECT_EQ(second.hex_digest(), abc_digest);
}

TEST_F(Sha256Test, FileOfAbc) {
  EXPECT_EQ(sha256_file(write("abc.txt", "abc")), abc_digest);
  EXPECT_EQ(sha256_file(write("empty.txt", "")), empty_digest);
}

TEST_F(Sha256Test, FileLargerThanTheReadBlock) {
  EXPECT_EQ(sha256_file(write("a.txt", std::string(1'000'000, 'a'))), million_a_digest);
  std::string big(5 * (1 << 19) + 7, '\0');
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>(i * 131 % 251);
  Sha256 hash;
  hash.update(big);
  EXPECT_EQ(sha256_file(write("big.bin", big)), hash.hex_digest());
}

TEST_F(Sha256Test, MissingFileIsAnIoError) {
  try {
    sha256_file(dir_ / "missing.csv");
    FAIL() << "expected an error";
  } catch (const sipas::io::IoError& e) {
    EXPECT_EQ(e.id(), "io.not_found");
    EXPECT_EQ(std::string(e.what()), (dir_ / "missing.csv").string() + ": no such file");
  }
}

TEST_F(Sha256Test, DirectoryIsAnIoError) {
  try {
    sha256_file(dir_);
    FAIL() << "expected an error";
  } catch (const sipas::io::IoError& e) {
    EXPECT_EQ(e.id(), "io.is_directory");
  }
}

}  // namespace
