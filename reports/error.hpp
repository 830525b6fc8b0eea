#pragma once

#include "io/error.hpp"

namespace sipas::reports {

// Invalid export or report input: a results file that does not hold
// together, a column the questionnaire does not know, an unknown language.
// The message names the file and the field.
class ReportError : public Error {
 public:
  using Error::Error;
};

}  // namespace sipas::reports
