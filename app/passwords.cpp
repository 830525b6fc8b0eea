#include "app/passwords.hpp"

#include <sodium.h>

#include <stdexcept>

#include "app/use_case_error.hpp"
#include "store/tokens.hpp"

namespace sipas::app {

namespace {

void ensure_sodium() {
  // Thread-safe and idempotent; -1 only when the library cannot start.
  static const int started = sodium_init();
  if (started < 0) throw Error("user.hash_failed", "libsodium could not start");
}

}  // namespace

void check_password(std::string_view password) {
  if (password.size() < min_password_length) {
    throw UseCaseError(
        Refusal::BadRequest, "user.weak_password",
        "the password must have at least " + std::to_string(min_password_length) + " characters",
        "password");
  }
  if (password.size() > max_password_length) {
    throw UseCaseError(
        Refusal::BadRequest, "user.weak_password",
        "the password must have at most " + std::to_string(max_password_length) + " characters",
        "password");
  }
}

std::string hash_password(std::string_view password) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error("user.hash_failed", "the password could not be hashed (out of memory)");
  }
  return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
  ensure_sodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void spend_password_check_time(std::string_view password) {
  static const std::string nobody = hash_password(generate_password());
  (void)verify_password(nobody, password);
}

std::string generate_password() {
  return store::random_token(15);
}

}  // namespace sipas::app
