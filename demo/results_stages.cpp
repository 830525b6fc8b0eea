// Stages 6-8 of the demo: analysis, the PAR index, exports and the report.

#include <iomanip>
#include <sstream>

#include "analysis/run.hpp"
#include "analysis/standard_schemes.hpp"
#include "demo/error.hpp"
#include "demo/stages.hpp"
#include "io/file.hpp"
#include "questionnaires/standard_forms.hpp"
#include "sampling/frame_counts.hpp"

namespace sipas::demo {
namespace {

namespace a = sipas::analysis;
namespace q = sipas::questionnaires;

std::string fixed1(double x) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << x;
  return out.str();
}

a::AnalysisResult analyse(const StageContext& c, a::AnalysisRequest request,
                          const std::string& out) {
  request.command_line = "sipas demo";
  auto result = a::run_analysis(request);
  io::write_file_atomic(c.path(out), a::to_json(result).dump(2) + "\n");
  return result;
}

void write_embedded(const StageContext& c, const io::EmbeddedFile* file, const std::string& name) {
  if (!file) throw DemoError("demo.missing_file", "no embedded " + name);
  io::write_file_atomic(c.path(name), file->content);
}

}  // namespace

void publish_results(StageContext& c) {
  c.stage(6, "Satisfaction indices (raked to the frame's margins) and PAR survey points");
  write_embedded(c, q::find_standard_file("forms/sipas-citizen.json"), "sipas-citizen.json");
  write_embedded(c, q::find_standard_file("forms/par-officials.json"), "par-officials.json");
  write_embedded(c, a::find_standard_scheme("par-province-876"), "par-province-876.json");
  // Population margins of the frame: sex and age group.
  std::string margins = "variable,level,total\n";
  for (const char* column : {"sex", "age_group"})
    for (const auto& [level, count] :
         sampling::count_strata(c.path("citizens-frame.csv"), {column}))
      margins += std::string(column) + "," + level + "," + std::to_string(count) + "\n";
  io::write_file_atomic(c.path("margins.csv"), margins);

  a::AnalysisRequest citizens;
  citizens.data = c.path("citizens-responses.csv");
  citizens.design.strata = "stratum";
  citizens.design.clusters = {"psu"};
  citizens.design.weights = "design_weight";
  citizens.margins = c.path("margins.csv");
  citizens.calfun = "raking";
  citizens.index = c.path("sipas-citizen.json");
  citizens.by = {"district"};
  auto by_district = analyse(c, citizens, "results-citizens.json");
  citizens.by = {"department"};
  analyse(c, citizens, "results-citizens-departments.json");
  c.detail("citizens: raked to the frame's sex and age margins in " +
           by_district.design["calibration"]["iterations"].dump() + " passes; variance by " +
           by_district.design["variance"].get<std::string>());
  for (const auto& e : by_district.estimates) {
    if (e.statistic == "overall_index" && e.domain.empty()) {
      c.detail("province SIPAS " + fixed1(e.estimate) + "% (95% CI " + fixed1(e.ci_low) + " to " +
               fixed1(e.ci_high) + "), " + std::to_string(static_cast<long>(e.n)) + " responses");
    }
  }
  a::AnalysisRequest officials;
  officials.data = c.path("officials-responses.csv");
  officials.design.strata = "stratum";
  officials.design.weights = "design_weight";
  officials.scheme = c.path("par-province-876.json");
  auto points = analyse(c, officials, "results-officials.json");
  c.detail("officials: PAR survey points of " + std::to_string(points.ranking.size()) +
           " units from the cross-rating");
  c.output("questionnaires and the PAR scheme used", "par-province-876.json");
  c.output("citizens' indices by district (JSON)", "results-citizens.json");
  c.output("citizens' indices by department (JSON)", "results-citizens-departments.json");
  c.output("officials' PAR survey points (JSON)", "results-officials.json");
}

}  // namespace sipas::demo
