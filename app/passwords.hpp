#pragma once

// People's passwords: hashed with Argon2id (libsodium's crypto_pwhash_str, its
// "interactive" limits: 2 passes over 64 MiB), never stored or logged as
// typed. Only this file's implementation includes <sodium.h>.

#include <string>
#include <string_view>

namespace sipas::app {

// At least 12 and at most 256 characters (UTF-8 bytes): long enough to resist
// guessing when the throttle is passed, short enough to hash in bounded time.
inline constexpr std::size_t min_password_length = 12;
inline constexpr std::size_t max_password_length = 256;

// Throws UseCaseError (BadRequest, user.weak_password, field "password")
// when the password is too short or too long.
void check_password(std::string_view password);

// The encoded hash ("$argon2id$v=19$m=65536,t=2,p=1$..."), salted afresh each
// time. Throws sipas::Error user.hash_failed when libsodium cannot (out of
// memory): an internal error.
std::string hash_password(std::string_view password);

// True when `password` matches `hash`; false for a wrong password and for a
// string that is not such a hash. Takes the hash's time either way.
bool verify_password(const std::string& hash, std::string_view password);

// Verifies against a hash of nothing: spends the time a real check takes,
// for a user that does not exist (the answer must not tell).
void spend_password_check_time(std::string_view password);

// 20 random characters (120 bits, base64url): a password made for a person
// who is told it once.
std::string generate_password();

}  // namespace sipas::app
