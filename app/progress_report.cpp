#include "app/progress_report.hpp"

#include <cmath>

#include "analysis/response_rates.hpp"

namespace sipas::app {

nlohmann::json progress_json(const std::string& survey, const store::Progress& progress) {
  using Json = nlohmann::json;
  std::vector<analysis::FieldworkCounts> counts;
  for (const auto& s : progress.strata)
    counts.push_back({s.stratum, s.invited, s.opened, s.responded});
  const auto rates = analysis::fieldwork_rates(counts);
  auto rate = [](double x) { return std::isnan(x) ? Json(nullptr) : Json(x); };
  Json strata = Json::array();
  for (std::size_t i = 0; i + 1 < rates.size(); ++i) {
    const auto& r = rates[i];
    strata.push_back({{"stratum", r.group},
                      {"invited", r.invited},
                      {"opened", r.opened},
                      {"responded", r.responded},
                      {"response_rate", rate(r.response_rate)},
                      {"open_rate", rate(r.open_rate)},
                      {"reserves_waiting", progress.strata[i].reserves_waiting}});
  }
  const auto& all = rates.back();
  return {{"survey", survey},
          {"overall",
           {{"invited", all.invited},
            {"opened", all.opened},
            {"responded", all.responded},
            {"response_rate", rate(all.response_rate)},
            {"open_rate", rate(all.open_rate)},
            {"open_link_responses", progress.open_link_responses}}},
          {"strata", strata}};
}

}  // namespace sipas::app
