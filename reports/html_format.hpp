#pragma once

// Numbers as the report prints them. Text follows the language's convention
// (Vietnamese 1.234,56; English 1,234.56); numbers inside SVG attributes are
// always plain ('.' decimal, no grouping). Neither depends on the C locale.

#include <string>

#include "reports/language.hpp"

namespace sipas::reports {

// What a missing value (NaN, null in the input) prints as.
inline constexpr const char* missing_value_text = "\xE2\x80\x93";  // en dash

// `x` with exactly `decimals` decimals, grouped by thousands, in the
// language's convention; missing_value_text when x is not finite. A value that
// rounds to zero prints without a minus sign.
std::string format_number(double x, int decimals, Language language);

// A count (no decimals).
std::string format_count(double x, Language language);

// "82,66%" / "82.66%".
std::string format_percent(double x, int decimals, Language language);

// A confidence interval "80,12 – 85,20"; missing_value_text when either bound
// is missing.
std::string format_interval(double low, double high, int decimals, Language language);

// A number for an SVG or HTML attribute: fixed decimals, '.', no grouping,
// "0" for a value that is not finite.
std::string svg_number(double x, int decimals);

}  // namespace sipas::reports
