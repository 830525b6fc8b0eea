// Stages 6-8 of the demo: analysis, the PAR index, exports and the report.

#include <iomanip>
#include <map>
#include <sstream>

#include "analysis/par_index.hpp"
#include "analysis/run.hpp"
#include "analysis/standard_schemes.hpp"
#include "demo/appraisal.hpp"
#include "demo/error.hpp"
#include "demo/stages.hpp"
#include "io/file.hpp"
#include "questionnaires/standard_forms.hpp"
#include "reports/report.hpp"
#include "reports/responses_export.hpp"
#include "reports/results_export.hpp"
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

std::string two_decimals(double x) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(2) << x;
  return out.str();
}

a::AnalysisResult analyse(const StageContext& c, a::AnalysisRequest request,
                          const std::string& out) {
  request.command_line = "sipas demo";
  auto result = a::run_analysis(request);
  io::write_file_atomic(c.path(out), a::to_json(result).dump(2) + "\n", io::FileAccess::shared);
  return result;
}

void write_embedded(const StageContext& c, const io::EmbeddedFile* file, const std::string& name) {
  if (!file) throw DemoError("demo.missing_file", "no embedded " + name);
  io::write_file_atomic(c.path(name), file->content, io::FileAccess::shared);
}

}  // namespace

void publish_results(StageContext& c) {
  c.stage(6,
          "Weights for nonresponse, satisfaction indices (raked to the frame's margins) and PAR "
          "survey points");
  write_embedded(c, q::find_standard_file("forms/sipas-citizen.json"), "sipas-citizen.json");
  write_embedded(c, q::find_standard_file("forms/par-officials.json"), "par-officials.json");
  write_embedded(c, a::find_standard_scheme("par-province-876"), "par-province-876.json");
  // Population margins of the frame: sex and age group.
  {
    io::CsvWriter margins(c.path("margins.csv"), c.csv(io::FileAccess::shared));
    margins.write_row({"variable", "level", "total"});
    for (const char* column : {"sex", "age_group"})
      for (const auto& [level, count] :
           sampling::count_strata(c.path("citizens-frame.csv"), {column}))
        margins.write_row({column, level, std::to_string(count)});
    margins.commit();
  }
  weight_citizens(c);

  a::AnalysisRequest citizens;
  citizens.data = c.path("citizens-responses.csv");
  citizens.design.strata = "stratum";
  citizens.design.clusters = {"psu"};
  citizens.weights_file = c.path("citizens-weights.csv");
  citizens.margins = c.path("margins.csv");
  citizens.calfun = a::CalibrationOptions::Raking;
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
  {
    std::map<std::string, int> flags;
    for (const auto& e : by_district.estimates)
      ++flags[e.flag];
    c.detail("publishing rule " + by_district.design["publishing_rule"]["name"].get<std::string>() +
             ": " + std::to_string(flags["ok"]) + " estimates ok, " +
             std::to_string(flags["caution"]) + " to use with caution, " +
             std::to_string(flags["suppressed"]) + " suppressed (results-citizens.json, flag)");
    std::string alphas;
    for (const auto& scale : by_district.scales)
      alphas += (alphas.empty() ? "" : ", ") + scale.name + " " + two_decimals(scale.alpha);
    if (!alphas.empty()) c.detail("Cronbach's alpha of the form's elements: " + alphas);
  }
  const LastYear last_year = simulate_last_year(c);
  compare_units(c, last_year);
  const std::size_t communes = write_commune_table(c, last_year);
  c.detail(std::to_string(communes) +
           " sampled communes: direct shares satisfied overall (communes-direct.csv)");
  estimate_communes(c);
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

  c.stage(7, "The PAR index: appraisal and survey points, ranks and groups");
  const auto scheme = a::load_index_scheme(c.path("par-province-876.json"));
  // Scores of units, not of people: shared.
  const auto rows = write_appraisal(c.path("appraisal.csv"), scheme, c.province, c.options.seed,
                                    c.csv(io::FileAccess::shared));
  c.detail(std::to_string(rows) + " appraised scores of " +
           std::to_string(c.province.units().size()) + " units (appraisal.csv, generated)");
  a::ParIndexRequest index;
  index.scheme = c.path("par-province-876.json").string();
  index.appraisal = c.path("appraisal.csv");
  index.units = c.path("units.csv");
  index.survey = {c.path("results-officials.json"), c.path("results-citizens.json"),
                  c.path("results-citizens-departments.json")};
  index.command_line = "sipas demo";
  const auto par = a::run_par_index(index);
  io::write_file_atomic(c.path("par-index.json"), a::par_index_json(par).dump(2) + "\n",
                        io::FileAccess::shared);
  io::write_file_atomic(c.path("par-index.csv"),
                        a::par_index_csv(par, c.csv(io::FileAccess::shared)),
                        io::FileAccess::shared);
  std::map<std::string, int> groups;
  for (const auto& u : par.units)
    ++groups[u.group.value_or("-")];
  std::string counts;
  for (const auto& [group, n] : groups)
    counts += (counts.empty() ? "" : ", ") + group + ": " + std::to_string(n);
  const auto& best = par.units.front();
  c.detail("1st: " + best.unit.name + " " + fixed1(best.total.index()) + "%; groups " + counts);
  c.output("appraisal (generated) and the PAR index", "par-index.json");
  c.output("the PAR index as a table", "par-index.csv");

  c.stage(8, "Exports and the report");
  for (const auto& [format, name] :
       {std::pair{reports::ResponsesFormat::Sav, std::string("citizens-responses.sav")},
        std::pair{reports::ResponsesFormat::Dta, std::string("citizens-responses.dta")},
        std::pair{reports::ResponsesFormat::Csv, std::string("citizens-responses-labelled.csv")}}) {
    reports::ResponsesExport e;
    e.questionnaire = c.path("sipas-citizen.json");
    e.data = c.path("citizens-responses.csv");
    e.out = c.path(name);
    e.format = format;
    e.labels = reports::Language::Vi;
    e.columns.keep = {"district", "department", "sex", "age_group"};
    e.neutralise_formulas = !c.options.raw_csv;
    reports::export_responses(e);
  }
  c.detail(
      "citizens' answers for SPSS (.sav) and Stata (.dta) with variable and value labels, "
      "and as CSV with Vietnamese labels");
  c.output("answers for SPSS, Stata and with labels", "citizens-responses.sav");
  reports::ResultsExport workbook;
  workbook.results = c.path("results-citizens.json");
  workbook.par_index = c.path("par-index.json");
  workbook.out = c.path("results.xlsx");
  workbook.neutralise_formulas = !c.options.raw_csv;
  reports::export_results(workbook);
  c.detail("results.xlsx: the estimates, the design and the PAR index for Excel");
  c.output("estimates and PAR index for Excel", "results.xlsx");
  reports::ReportInputs inputs;
  inputs.results = reports::load_results(c.path("results-citizens.json"));
  inputs.questionnaire = q::load_questionnaire_file(c.path("sipas-citizen.json"));
  inputs.questionnaire_source = "sipas-citizen.json";
  inputs.par_index = reports::load_par_index(c.path("par-index.json"));
  inputs.progress = reports::load_progress(c.path("citizens-progress.json"));
  inputs.weights = reports::load_weights(c.path("citizens-weights.json"));
  inputs.sample_design = reports::load_sample_design(c.path("citizens-sample.design.json"));
  inputs.compare = reports::load_compare(c.path("compare-districts.json"));
  inputs.small_area = reports::load_small_area(c.path("communes-small-area.json"));
  for (const auto& [language, name] :
       {std::pair{reports::Language::Vi, std::string("report.html")},
        std::pair{reports::Language::En, std::string("report-en.html")}}) {
    reports::ReportOptions options;
    options.language = language;
    options.unit_column = "district";
    io::write_file_atomic(c.path(name), reports::render_report(inputs, options),
                          io::FileAccess::shared);
  }
  c.detail("report.html (Vietnamese) and report-en.html (English): open them in a browser");
  c.output("the report (Vietnamese; English beside it)", "report.html");
}

}  // namespace sipas::demo
