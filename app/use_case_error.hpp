#pragma once

#include <string>

#include "io/error.hpp"

namespace sipas::app {

// Why a use case refused a request, for the edge to turn into its own terms
// (an HTTP status, an exit code); the id and message say what exactly.
enum class Refusal {
  BadRequest,     // a value is missing or malformed (400)
  Forbidden,      // the actor may not do this (403)
  NotFound,       // the thing named does not exist (404)
  Conflict,       // the state of things does not allow it now (409)
  Unprocessable,  // well-formed but wrong: a bad file, answers that fail validation (422)
  Throttled,      // too many attempts for now: try again later (429)
};

// A use case's refusal: a stable id, a message for people, and the request
// field it concerns (a field of the request type, never a command-line flag
// or a query parameter; empty when none).
class UseCaseError : public Error {
 public:
  UseCaseError(Refusal refusal, std::string id, const std::string& message, std::string field = {})
      : Error(std::move(id), message), refusal_(refusal), field_(std::move(field)) {}
  Refusal refusal() const { return refusal_; }
  const std::string& field() const { return field_; }

 private:
  Refusal refusal_;
  std::string field_;
};

}  // namespace sipas::app
