#pragma once

#include "io/error.hpp"

namespace sipas::analysis {

// Invalid analysis input: a data column, a design that does not hold
// together, a calibration that cannot be met. The message names the file,
// line, column or stratum.
class AnalysisError : public Error {
 public:
  using Error::Error;
};

}  // namespace sipas::analysis
