#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sipas::io {

// "a,b,,c" → {"a", "b", "c"}: a list given in one option or parameter; empty
// items are dropped.
std::vector<std::string> split_list(std::string_view text, char separator = ',');

// "a,,b," → {"a", "", "b", ""}: every field, empty ones included.
std::vector<std::string> split_fields(std::string_view text, char separator);

}  // namespace sipas::io
