#include "store/tokens.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <climits>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "io/error.hpp"

namespace sipas::store {
namespace {

constexpr char base64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::string openssl_error() {
  std::array<char, 256> text{};
  ERR_error_string_n(ERR_get_error(), text.data(), text.size());
  return text.data();
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve(base64url_length(bytes.size()));
  std::size_t i = 0;
  auto byte = [&](std::size_t k) {
    return static_cast<unsigned>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned group = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(base64url_alphabet[(group >> 18) & 63]);
    out.push_back(base64url_alphabet[(group >> 12) & 63]);
    out.push_back(base64url_alphabet[(group >> 6) & 63]);
    out.push_back(base64url_alphabet[group & 63]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    unsigned group = byte(i) << 16;
    out.push_back(base64url_alphabet[(group >> 18) & 63]);
    out.push_back(base64url_alphabet[(group >> 12) & 63]);
  } else if (rest == 2) {
    unsigned group = (byte(i) << 16) | (byte(i + 1) << 8);
    out.push_back(base64url_alphabet[(group >> 18) & 63]);
    out.push_back(base64url_alphabet[(group >> 12) & 63]);
    out.push_back(base64url_alphabet[(group >> 6) & 63]);
  }
  return out;
}

std::string random_token(std::size_t bytes) {
  if (bytes == 0 || bytes > static_cast<std::size_t>(INT_MAX))
    throw Error("token.random_failed", "random_token: bad length " + std::to_string(bytes));
  std::vector<unsigned char> buffer(bytes);
  std::string token;
  // A token that starts with '-' would be taken for a formula by a
  // spreadsheet (and get a quote in a neutralised CSV): draw again. That
  // drops one first character in 64, under 0.03 bits of the 128.
  do {
    // RAND_bytes returns 1 on success; 0 or -1 mean no (or no seeded)
    // randomness, and a token made from an unfilled buffer would be guessable.
    if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1)
      throw Error("token.random_failed", "RAND_bytes failed: " + openssl_error());
    token = base64url_encode(std::string_view(reinterpret_cast<const char*>(buffer.data()), bytes));
  } while (token.front() == '-');
  OPENSSL_cleanse(buffer.data(), buffer.size());
  return token;
}

TokenSource seeded_token_source(std::string seed) {
  struct State {
    std::string seed;
    std::uint64_t drawn = 0;
    std::mutex mutex;
  };
  auto state = std::make_shared<State>();
  state->seed = std::move(seed);
  return [state](std::size_t bytes) {
    std::lock_guard lock(state->mutex);
    std::string token;
    do {
      // Blocks of SHA-256(seed ":" n ":" block) until there are enough bytes.
      const std::uint64_t n = ++state->drawn;
      std::string buffer;
      for (std::uint64_t block = 0; buffer.size() < bytes; ++block) {
        const std::string input =
            state->seed + ":" + std::to_string(n) + ":" + std::to_string(block);
        std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
        unsigned int length = 0;
        if (EVP_Digest(input.data(), input.size(), digest.data(), &length, EVP_sha256(), nullptr) !=
            1)
          throw Error("token.random_failed", "SHA-256 failed: " + openssl_error());
        buffer.append(reinterpret_cast<const char*>(digest.data()), length);
      }
      buffer.resize(bytes);
      token = base64url_encode(buffer);
    } while (token.front() == '-');
    return token;
  };
}

bool is_token_syntax(std::string_view text, std::size_t bytes) {
  if (text.size() != base64url_length(bytes)) return false;
  for (char c : text) {
    if (!is_base64url_char(c)) return false;
  }
  return true;
}

std::string hash_secret(std::string_view secret) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(secret.data(), secret.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1)
    throw Error("token.hash_failed", "SHA-256 failed: " + openssl_error());
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * std::size_t{size});
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0x0f]);
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool is_api_key_syntax(std::string_view text) {
  if (text.size() < min_api_key_length || text.size() > 256) return false;
  for (unsigned char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace sipas::store
