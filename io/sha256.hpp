#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

// OpenSSL's digest context, declared here so that no OpenSSL header reaches
// the users of this one (as SQLiteCpp declares `struct sqlite3`).
struct evp_md_ctx_st;

namespace sipas::io {

// Incremental SHA-256 (FIPS 180-4) on OpenSSL's EVP interface, for the input
// hashes that results files record for audit. Move-only; one object is not
// safe to use from two threads at once.
class Sha256 {
 public:
  Sha256();
  Sha256(Sha256&&) noexcept = default;
  Sha256& operator=(Sha256&&) noexcept = default;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  ~Sha256();

  void update(std::string_view bytes);
  // Lowercase hex digest of everything passed to update() so far. Does not end
  // the hash: update() may go on afterwards (the state is copied, then
  // finalised).
  std::string hex_digest() const;

 private:
  struct ContextDeleter {
    void operator()(evp_md_ctx_st* context) const noexcept;
  };
  std::unique_ptr<evp_md_ctx_st, ContextDeleter> context_;
};

// Lowercase hex SHA-256 of a file's bytes, read in 1 MiB blocks. Throws
// IoError (io.not_found, io.is_directory, io.read_failed).
std::string sha256_file(const std::filesystem::path& path);

}  // namespace sipas::io
