#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipas::questionnaires {

// Days since 1970-01-01 of a real calendar date written YYYY-MM-DD (years
// 1000-9999), or nullopt ("2023-02-30" is not a date).
std::optional<std::int32_t> parse_date(std::string_view text);

// The date `days` after 1970-01-01, written YYYY-MM-DD.
std::string format_date(std::int32_t days);

}  // namespace sipas::questionnaires
