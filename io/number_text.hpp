#pragma once

// Numbers as text in the files sipas writes.

#include <charconv>
#include <string>

namespace sipas::io {

// The shortest decimal that reads back to the same double ("0.1", "1e-07");
// "nan" / "inf" for those.
inline std::string shortest_decimal(double x) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
  return ec == std::errc() ? std::string(buffer, end) : std::string();
}

}  // namespace sipas::io
