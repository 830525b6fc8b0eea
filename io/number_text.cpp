#include "io/number_text.hpp"

#include <charconv>

namespace sipas::io {

std::string shortest_decimal(double x) {
  char buffer[32];  // the longest shortest form is 24 characters
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
  return ec == std::errc() ? std::string(buffer, end) : std::string();
}

std::string fixed_decimal(double x, int decimals) {
  char buffer[400];  // any double, sign and point included, with up to 89 decimals
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::fixed, decimals);
  return ec == std::errc() ? std::string(buffer, end) : std::string();
}

}  // namespace sipas::io
