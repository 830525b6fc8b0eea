#include "analysis/response_rates.hpp"

#include <limits>
#include <stdexcept>

namespace sipas::analysis {

namespace {

double ratio(std::int64_t a, std::int64_t b) {
  return b > 0 ? static_cast<double>(a) / static_cast<double>(b)
               : std::numeric_limits<double>::quiet_NaN();
}

FieldworkRates rates_of(const std::string& group, std::int64_t invited, std::int64_t opened,
                        std::int64_t responded) {
  return {group, invited, opened, responded, ratio(responded, invited), ratio(opened, invited)};
}

}  // namespace

std::vector<FieldworkRates> fieldwork_rates(const std::vector<FieldworkCounts>& groups) {
  std::vector<FieldworkRates> out;
  std::int64_t invited = 0, opened = 0, responded = 0;
  for (const auto& g : groups) {
    if (g.invited < 0 || g.opened < 0 || g.responded < 0 || g.responded > g.invited ||
        g.opened > g.invited) {
      throw std::invalid_argument("fieldwork counts of '" + g.group + "' are inconsistent");
    }
    out.push_back(rates_of(g.group, g.invited, g.opened, g.responded));
    invited += g.invited;
    opened += g.opened;
    responded += g.responded;
  }
  out.push_back(rates_of("", invited, opened, responded));
  return out;
}

}  // namespace sipas::analysis
