// Stage 6, comparisons: each district against the province, and this year
// against last year across the merger (what `sipas compare --each-vs-all
// --last-year-data ... --unit-map unit-map.csv` does), on the share of
// citizens satisfied overall.

#include <cstdio>

#include "analysis/compare_run.hpp"
#include "demo/stages.hpp"
#include "io/file.hpp"

namespace sipas::demo {
namespace {

namespace a = sipas::analysis;

std::string points(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%+.1f", 100 * fraction);
  return buffer;
}

std::string interval(double low, double high) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "[%+.1f, %+.1f]", 100 * low, 100 * high);
  return buffer;
}

std::string p_value(double p) {
  if (!(p == p)) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, p < 0.001 ? "%.1e" : "%.3f", p);
  return buffer;
}

a::AnalysisRequest satisfied_overall(const StageContext& c, const std::string& data) {
  a::AnalysisRequest r;
  r.data = c.path(data);
  r.design.strata = "stratum";
  r.design.clusters = {"psu"};
  r.margins = c.path("margins.csv");
  r.calfun = a::CalibrationOptions::Raking;
  r.statistics.push_back(
      a::parse_statistic(a::StatisticRequest::Kind::Proportion, "q_overall=4,5"));
  r.by = {"district"};
  return r;
}

}  // namespace

void compare_units(StageContext& c, const LastYear& last_year) {
  a::CompareRequest request;
  request.analysis = satisfied_overall(c, "citizens-responses.csv");
  request.analysis.weights_file = c.path("citizens-weights.csv");
  request.each_vs_all = true;
  request.adjustment = a::Adjustment::Holm;
  a::AnalysisRequest before = satisfied_overall(c, "citizens-responses-2025.csv");
  before.design.weights = "design_weight";
  request.last_year_data = before;
  request.last_year = c.path("results-citizens-2025.json");
  request.unit_map = c.path("unit-map.csv");
  request.command_line = "sipas demo";
  const a::CompareResult result = a::run_compare(request);
  io::write_file_atomic(c.path("compare-districts.json"), a::to_json(result).dump(2) + "\n",
                        io::FileAccess::shared);

  c.detail(
      "share satisfied overall (q_overall 4-5), each district against the province "
      "(points, 95% CI, Holm-adjusted p) and against " +
      last_year.year + ":");
  for (const auto& d : result.comparisons) {
    const a::YearOnYear* y = nullptr;
    for (const auto& candidate : result.year_on_year)
      if (candidate.unit == d.a) y = &candidate;
    std::string line = "  " + d.a + "  " + points(d.difference) + " " +
                       interval(d.ci_low, d.ci_high) + " p " + p_value(d.p_adjusted) +
                       (d.significant ? (d.direction == "above" ? " above" : " below") : "");
    if (y) {
      line += y->past == "none"
                  ? " | no comparable past"
                  : " | vs " + last_year.year + " " + points(y->difference) + " " +
                        interval(y->ci_low, y->ci_high) +
                        (y->past == "mapped"
                             ? " (from " + last_year.parts[0] + " + " + last_year.parts[1] + ")"
                             : "");
    }
    c.detail(line);
  }
  c.output("districts against the province and against last year", "compare-districts.json");
}

}  // namespace sipas::demo
