#pragma once

#include "io/error.hpp"

namespace sipas::demo {

// The demo could not run a stage, or a stage's outcome was not what the
// simulation made certain (e.g. an invalid submission was accepted).
class DemoError : public Error {
 public:
  using Error::Error;
};

}  // namespace sipas::demo
