#pragma once

#include "io/error.hpp"

namespace sipas::sampling {

// Invalid sampling input or options: a frame row, a design file, an allocation
// that cannot be met. The message names the file and line or the option.
class SamplingError : public Error {
 public:
  using Error::Error;
};

}  // namespace sipas::sampling
