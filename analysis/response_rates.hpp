#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sipas::analysis {

// Fieldwork counts of one group (a stratum) of a survey's invitations.
struct FieldworkCounts {
  std::string group;
  std::int64_t invited = 0;    // active invitations (eligible sample units)
  std::int64_t opened = 0;     // of those, opened at least once
  std::int64_t responded = 0;  // of those, with a complete response
};

struct FieldworkRates {
  std::string group;  // "" for the whole survey
  std::int64_t invited = 0, opened = 0, responded = 0;
  // AAPOR response rate 1 (complete responses / eligible units), counting
  // every active invitation as eligible; NaN when none was invited.
  double response_rate = 0;
  double open_rate = 0;  // opened / invited
};

// Rates per group, then the whole survey (group ""), whose rate is the total
// of responses over the total of invitations (not a mean of group rates).
// Throws std::invalid_argument for negative counts or responded > invited.
std::vector<FieldworkRates> fieldwork_rates(const std::vector<FieldworkCounts>& groups);

}  // namespace sipas::analysis
