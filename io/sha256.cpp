#include "io/sha256.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>
#include <stdexcept>

#include "io/posix_file.hpp"

namespace sipas::io {
namespace {

constexpr std::size_t read_block_bytes = std::size_t{1} << 20;

// OpenSSL failing here means no memory or a broken library, not bad input.
[[noreturn]] void fail(const char* what) {
  unsigned long code = ERR_get_error();
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  throw std::runtime_error(std::string("sha256: ") + what + ": " + text.data());
}

}  // namespace

void Sha256::ContextDeleter::operator()(evp_md_ctx_st* context) const noexcept {
  EVP_MD_CTX_free(context);
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (!context_) fail("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1) fail("EVP_DigestInit_ex");
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view bytes) {
  if (bytes.empty()) return;
  if (EVP_DigestUpdate(context_.get(), bytes.data(), bytes.size()) != 1) {
    fail("EVP_DigestUpdate");
  }
}

std::string Sha256::hex_digest() const {
  std::unique_ptr<evp_md_ctx_st, ContextDeleter> copy(EVP_MD_CTX_new());
  if (!copy) fail("EVP_MD_CTX_new");
  if (EVP_MD_CTX_copy_ex(copy.get(), context_.get()) != 1) fail("EVP_MD_CTX_copy_ex");
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(copy.get(), digest.data(), &size) != 1) fail("EVP_DigestFinal_ex");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0x0f]);
  }
  return out;
}

std::string sha256_file(const std::filesystem::path& path) {
  auto fd = detail::open_for_reading(path);
  auto block = std::make_unique_for_overwrite<char[]>(read_block_bytes);
  Sha256 hash;
  while (true) {
    std::size_t n = detail::read_full(fd.get(), block.get(), read_block_bytes, path);
    hash.update({block.get(), n});
    if (n < read_block_bytes) break;
  }
  return hash.hex_digest();
}

}  // namespace sipas::io
