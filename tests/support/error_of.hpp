#pragma once

// What a call throws, for tests that expect a refusal: the error's id, or
// its message ("" when nothing was thrown; anything but a sipas::Error
// escapes, and fails the test).

#include <string>

#include "io/error.hpp"

namespace sipas::test {

template <typename F>
std::string error_id_of(F&& body) {
  try {
    body();
  } catch (const Error& error) {
    return error.id();
  }
  return "";
}

template <typename F>
std::string error_message_of(F&& body) {
  try {
    body();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

}  // namespace sipas::test
