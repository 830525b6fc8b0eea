#include "reports/html_format.hpp"

#include <cmath>

#include "io/number_text.hpp"

namespace sipas::reports {
namespace {

// Plain fixed notation, whatever the locale.
std::string plain_fixed(double x, int decimals) {
  std::string text = io::fixed_decimal(x, decimals);
  // "-0.00" is zero.
  if (!text.empty() && text[0] == '-' && text.find_first_not_of("-0.") == std::string::npos)
    text.erase(0, 1);
  return text;
}

}  // namespace

std::string format_number(double x, int decimals, Language language) {
  if (!std::isfinite(x)) return missing_value_text;
  const std::string plain = plain_fixed(x, decimals);
  const char decimal_mark = language == Language::Vi ? ',' : '.';
  const char group_mark = language == Language::Vi ? '.' : ',';
  const bool negative = plain[0] == '-';
  const std::size_t start = negative ? 1 : 0;
  const std::size_t point = plain.find('.');
  const std::size_t int_end = point == std::string::npos ? plain.size() : point;
  std::string out = negative ? "-" : "";
  for (std::size_t i = start; i < int_end; ++i) {
    if (i > start && (int_end - i) % 3 == 0) out += group_mark;
    out += plain[i];
  }
  if (point != std::string::npos) {
    out += decimal_mark;
    out.append(plain, point + 1);
  }
  return out;
}

std::string format_count(double x, Language language) {
  return format_number(x, 0, language);
}

std::string format_percent(double x, int decimals, Language language) {
  if (!std::isfinite(x)) return missing_value_text;
  return format_number(x, decimals, language) + "%";
}

std::string format_interval(double low, double high, int decimals, Language language) {
  if (!std::isfinite(low) || !std::isfinite(high)) return missing_value_text;
  return format_number(low, decimals, language) + " \xE2\x80\x93 " +
         format_number(high, decimals, language);
}

std::string svg_number(double x, int decimals) {
  if (!std::isfinite(x)) return "0";
  return plain_fixed(x, decimals);
}

}  // namespace sipas::reports
