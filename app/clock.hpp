#pragma once

#include <string>

#include "store/store.hpp"

namespace sipas::app {

// Seconds since 1970 now.
store::Timestamp now_seconds();

// ISO 8601 UTC ("2026-11-22T03:04:05Z").
std::string iso_time(store::Timestamp t);

}  // namespace sipas::app
