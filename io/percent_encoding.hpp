#pragma once

#include <string>
#include <string_view>

namespace sipas::io {

// Every byte except the unreserved A-Z a-z 0-9 - . _ ~ written as %XX
// (uppercase hex): safe in a path segment, a query value and an HTML attribute.
std::string percent_encode(std::string_view text);

}  // namespace sipas::io
