#include "app/clock.hpp"

#include <chrono>
#include <ctime>

#include "app/use_case_error.hpp"

namespace sipas::app {

store::Timestamp now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string iso_time(store::Timestamp t) {
  std::time_t time = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

namespace {

// Days from 1970-01-01 to a date of the proleptic Gregorian calendar
// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(unsigned y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

}  // namespace

store::Timestamp parse_utc_day(std::string_view text, const std::string& field) {
  auto refuse = [&]() -> store::Timestamp {
    throw UseCaseError(Refusal::BadRequest, "request.bad_parameter",
                       field + " must be a day written YYYY-MM-DD (UTC), not '" +
                           std::string(text.substr(0, 40)) + "'",
                       field);
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return refuse();
  auto digits = [&](std::size_t from, std::size_t count) -> int {
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const int year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return refuse();
  static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int last = month_days[month - 1] + (month == 2 && is_leap(static_cast<unsigned>(year)));
  if (day > last) return refuse();
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
         seconds_per_day;
}

}  // namespace sipas::app
