#pragma once

// Numbers as text in the files and messages sipas writes. std::to_chars
// ignores the locale, so the text is the same on every machine.

#include <string>

namespace sipas::io {

// The shortest decimal that reads back to the same double ("0.1", "1e-07");
// "nan" / "inf" for those.
std::string shortest_decimal(double x);

// Fixed notation with `decimals` digits after the point, rounded to nearest
// ("2.50", "-0.00", "1235" for 0 decimals); "nan" / "inf" for those. Empty
// when the text would be longer than 400 characters (more than 89 decimals
// for the largest doubles).
std::string fixed_decimal(double x, int decimals);

}  // namespace sipas::io
