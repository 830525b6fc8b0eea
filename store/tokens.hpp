#pragma once

// Secrets the server hands out (invitation tokens, API keys) and how it keeps
// them: random bytes from OpenSSL's CSPRNG, written as base64url without
// padding; only their SHA-256 is stored, so a copy of the database gives no
// working link or key.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace sipas::store {

// 128 bits: an invitation token (22 characters).
inline constexpr std::size_t token_bytes = 16;
// 256 bits: an API key (43 characters).
inline constexpr std::size_t api_key_bytes = 32;

// Characters of `bytes` random bytes in base64url without padding.
constexpr std::size_t base64url_length(std::size_t bytes) {
  return (bytes * 8 + 5) / 6;
}

// `bytes` bytes from RAND_bytes as base64url without padding, never starting
// with '-' (a spreadsheet would read a formula). Throws
// sipas::Error "token.random_failed" when the generator cannot deliver (its
// return value is checked, never ignored).
std::string random_token(std::size_t bytes = token_bytes);

// Where a store's new invitation tokens come from: random_token unless a
// source is set (SurveyStore::Options::token_source).
using TokenSource = std::function<std::string(std::size_t bytes)>;

// Tokens drawn from `seed` instead of the CSPRNG: the n-th call gives the
// same token in every process with the same seed (SHA-256 of the seed and n,
// as base64url, never starting with '-'). For `sipas demo` only, whose files
// must be the same in every run with one seed: anyone who knows the seed
// knows every token, so a real survey never uses this. Safe to call from
// several threads (the order of the calls decides which token is which).
TokenSource seeded_token_source(std::string seed);

// base64url (RFC 4648 §5) without padding.
std::string base64url_encode(std::string_view bytes);

// True when `text` could be a token of `bytes` random bytes: the right length
// and only base64url characters. Lets a lookup refuse garbage before hashing.
bool is_token_syntax(std::string_view text, std::size_t bytes = token_bytes);

// What an admin key may look like: at least 32 and at most 256 characters of
// base64url (A-Z a-z 0-9 - _). `sipas key create` makes 43 from 256 random
// bits; a shorter or hand-typed key is refused where keys are read.
inline constexpr std::size_t min_api_key_length = 32;
bool is_api_key_syntax(std::string_view text);

// Lowercase hex SHA-256 of `secret` (64 characters): what the store keeps of
// a token or an API key, and what the server keeps of a client address.
std::string hash_secret(std::string_view secret);

// Equality that takes the same time wherever the first difference is
// (CRYPTO_memcmp); only the lengths may leak, and they are public.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace sipas::store
