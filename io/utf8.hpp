#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace sipas::io {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code
// points above U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

// The number of code points in `text`, or nullopt when it is not valid UTF-8.
// Lengths a respondent sees are characters, not bytes.
std::optional<std::size_t> utf8_length(std::string_view text) noexcept;

// The 1-based character column of byte `offset` in `text` (for error messages
// that point into Vietnamese text). Invalid bytes count as one column each.
std::size_t utf8_column(std::string_view text, std::size_t offset) noexcept;

}  // namespace sipas::io
