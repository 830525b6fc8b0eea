#pragma once

// What a use case throws, for tests that expect a refusal: the error's id and,
// for an app::UseCaseError, its refusal (nullopt for another sipas::Error;
// {"", nullopt} when nothing was thrown).

#include <optional>
#include <string>
#include <utility>

#include "app/use_case_error.hpp"

namespace sipas::test {

template <typename F>
std::pair<std::string, std::optional<app::Refusal>> refusal_of(F&& body) {
  try {
    body();
  } catch (const app::UseCaseError& e) {
    return {e.id(), e.refusal()};
  } catch (const Error& e) {
    return {e.id(), std::nullopt};
  }
  return {"", std::nullopt};
}

}  // namespace sipas::test
