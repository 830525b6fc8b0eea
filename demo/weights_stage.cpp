// Stage 6 of the demo, first part: the citizens' weights from the fieldwork
// itself (what `sipas weights --db survey.db --survey sipas-2026 --margins
// margins.csv` does): design weight, eligibility, weighting classes by
// district, raking to the frame's margins.

#include <cstdio>

#include "analysis/nonresponse.hpp"
#include "analysis/nonresponse_output.hpp"
#include "app/fieldwork_table.hpp"
#include "demo/stages.hpp"
#include "io/file.hpp"
#include "io/sha256.hpp"

namespace sipas::demo {
namespace {

namespace a = sipas::analysis;

std::string two_decimals(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", x);
  return buffer;
}

}  // namespace

void weight_citizens(StageContext& c) {
  const auto sample = app::fieldwork_sample(c.path("survey.db"), citizens_survey);
  a::NonresponseOptions options;  // classes: the strata (districts); the default rule
  options.margins = a::load_margins(c.path("margins.csv"));
  options.calibration.method = a::CalibrationOptions::Raking;
  // The weights are the result here: raked to the fixed point.
  options.calibration.epsilon = 1e-13;
  options.calibration.maxit = 100;
  const a::WeightingResult result = a::adjust_weights(sample, options);
  // Weights by sample id: owner-only, like the answers.
  a::write_weights_csv(c.path("citizens-weights.csv"), sample, result, {});
  auto report = a::weights_report(sample, result, options);
  report["command_line"] = "sipas demo";
  report["inputs"] = {
      {"sample", nullptr},
      {"db", {{"path", "survey.db"}, {"survey", citizens_survey}, {"unopened", "nonrespondent"}}},
      {"margins", {{"path", "margins.csv"}, {"sha256", io::sha256_file(c.path("margins.csv"))}}}};
  report["output"] = {{"path", "citizens-weights.csv"}, {"rows", result.respondents.size()}};
  io::write_file_atomic(c.path("citizens-weights.json"), report.dump(2) + "\n",
                        io::FileAccess::shared);

  const std::size_t fielded = sample.disposition.size();
  c.detail("weights from the fieldwork: " + std::to_string(result.respondents.size()) +
           " respondents of " + std::to_string(fielded) + " fielded cases in " +
           std::to_string(result.classes.size()) + " weighting classes (districts" +
           (result.collapsed.empty()
                ? std::string(")")
                : ", " + std::to_string(result.collapsed.size()) + " collapsed by the rule)"));
  std::string steps;
  for (const auto& s : result.spreads)
    steps += (steps.empty() ? "" : " -> ") + s.column + " " + two_decimals(s.deff);
  c.detail("Kish's design effect of weighting 1 + CV^2 by step: " + steps);
  c.output("citizens' weights in steps (w_design .. weight)", "citizens-weights.csv");
  c.output("the weighting report: classes, collapses, spreads", "citizens-weights.json");
}

}  // namespace sipas::demo
