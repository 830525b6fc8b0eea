#pragma once

#include <string>
#include <string_view>

#include "store/store.hpp"

namespace sipas::app {

// Seconds since 1970 now.
store::Timestamp now_seconds();

// ISO 8601 UTC ("2026-11-22T03:04:05Z").
std::string iso_time(store::Timestamp t);

constexpr store::Timestamp seconds_per_day = 86400;

// The first second of a UTC day written "YYYY-MM-DD" (the audit trail's
// --from/--to and ?from=&to=; a day to the end inclusive is up to this plus
// seconds_per_day). Anything else, a 31st of April or a 29th of February out
// of a leap year too: UseCaseError request.bad_parameter naming `field`.
store::Timestamp parse_utc_day(std::string_view text, const std::string& field);

}  // namespace sipas::app
