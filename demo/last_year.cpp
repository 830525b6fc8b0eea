// Stage 6, last year: the same province's survey a year earlier, simulated
// without the server (its answers written as the export writes them), when
// the last district's territory was two districts that have since merged.
// It gives the year-on-year comparison something to compare with, across a
// reorganisation (unit-map.csv).

#include <algorithm>
#include <map>

#include "analysis/run.hpp"
#include "app/response_export.hpp"
#include "demo/stages.hpp"
#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "io/file.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/synthetic_responses.hpp"

namespace sipas::demo {
namespace {

namespace q = sipas::questionnaires;

// The last day of last year's fieldwork: the answers' received_at.
constexpr store::Timestamp closed_2025 = 1763164800;  // 2025-11-15T00:00:00Z

}  // namespace

// The merged district's communes (C01, C02, ...): "…A" for those numbered
// 1-6, "…B" for the others.
std::string LastYear::district_of(const std::string& district, const std::string& commune) const {
  if (district != merged) return district;
  const auto c = commune.rfind('C');
  const int number = c == std::string::npos ? 0 : std::atoi(commune.c_str() + c + 1);
  return district + (number <= 6 ? "A" : "B");
}

LastYear simulate_last_year(StageContext& c) {
  LastYear out;
  out.merged = c.province.districts.back().id;
  out.parts = {out.merged + "A", out.merged + "B"};
  out.year = "2025";
  const std::uint64_t seed = c.options.seed + 2025;
  draw(c.path("citizens-frame.csv"), "designs/province-districts.json",
       c.path("citizens-sample-2025.csv"),
       {"district", "commune", "department", "sex", "age_group"}, seed, c.options.raw_csv);

  const auto* form = q::find_standard_file("forms/sipas-citizen.json");
  const auto questionnaire = q::load_questionnaire(form->content, form->name);
  std::map<std::string, double> quality;
  for (const auto& u : c.province.units())
    quality[u.id] = u.quality;
  q::GeneratorOptions generator_options;
  generator_options.seed = seed;
  q::ResponseGenerator generator(questionnaire, generator_options);

  io::CsvReader sample(c.path("citizens-sample-2025.csv"));
  const auto col = [&](const char* name) { return sample.require_column(name); };
  const auto id = col("id"), stratum = col("stratum"), psu = col("psu"), role = col("role"),
             pi = col("inclusion_probability"), weight = col("design_weight"),
             district = col("district"), commune = col("commune"), department = col("department"),
             sex = col("sex"), age = col("age_group");
  std::vector<store::ExportedResponse> rows;
  while (sample.next()) {
    if (sample.field(role) != "main") continue;  // no reserves were called last year
    const std::string person(sample.field(id));
    auto rng = unit_rng(seed, person);
    // 70% answered; a year ago every unit did a little worse.
    if (!(rng.uniform() < 0.7)) continue;
    const std::string d(sample.field(district)), dept(sample.field(department));
    const double leaning = 0.7 * (rng.uniform() + rng.uniform() + rng.uniform() - 1.5);
    generator.set_satisfaction(std::clamp(
        0.5 * (quality.at(d) + quality.at(dept)) - 0.04 +
            commune_effect(c.options.seed, d, std::string(sample.field(commune))) + leaning,
        0.02, 0.98));
    q::Response response = generator.valid();
    store::ExportedResponse row;
    row.seq = static_cast<std::int64_t>(rows.size()) + 1;
    row.submission_id = "demo-2025-" + person;
    row.language = "vi";
    row.received_at = closed_2025;
    row.review = store::ReviewState::Approved;
    row.respondent_id = person;
    row.stratum = std::string(sample.field(stratum));
    row.psu = std::string(sample.field(psu));
    row.inclusion_probability = std::stod(std::string(sample.field(pi)));
    row.design_weight = std::stod(std::string(sample.field(weight)));
    const std::string old = out.district_of(d, std::string(sample.field(commune)));
    row.attributes = {{"district", old},
                      {"commune", std::string(sample.field(commune))},
                      {"department", dept},
                      {"sex", std::string(sample.field(sex))},
                      {"age_group", std::string(sample.field(age))}};
    row.answers_json = q::response_to_json(questionnaire, response);
    rows.push_back(std::move(row));
  }
  io::write_file_atomic(c.path("citizens-responses-2025.csv"),
                        app::responses_csv(questionnaire, rows, c.csv(io::FileAccess::owner_only)),
                        io::FileAccess::owner_only);
  out.responses = rows.size();

  // Every district is itself a year on, but the two halves of the merged one.
  io::CsvWriter map(c.path("unit-map.csv"), c.csv(io::FileAccess::shared));
  map.write_row({"old_unit", "new_unit", "date"});
  for (const auto& d : c.province.districts) {
    if (d.id == out.merged) continue;
    map.write_row({d.id, d.id, "2025-07-01"});
  }
  for (const auto& part : out.parts)
    map.write_row({part, out.merged, "2025-07-01"});
  map.commit();

  analysis::AnalysisRequest request;
  request.data = c.path("citizens-responses-2025.csv");
  request.design.strata = "stratum";
  request.design.clusters = {"psu"};
  request.design.weights = "design_weight";
  request.margins = c.path("margins.csv");
  request.calfun = analysis::CalibrationOptions::Raking;
  request.index = c.path("sipas-citizen.json");
  request.statistics.push_back(
      analysis::parse_statistic(analysis::StatisticRequest::Kind::Proportion, "q_overall=4,5"));
  request.by = {"district"};
  request.command_line = "sipas demo";
  io::write_file_atomic(c.path("results-citizens-2025.json"),
                        analysis::to_json(analysis::run_analysis(request)).dump(2) + "\n",
                        io::FileAccess::shared);
  c.detail("last year (2025, simulated without the server): " + std::to_string(out.responses) +
           " answers, when " + out.merged + " was two districts, " + out.parts[0] + " and " +
           out.parts[1] + " (unit-map.csv)");
  c.output("last year's answers and indices (simulated)", "results-citizens-2025.json");
  c.output("the unit map of the reorganisation", "unit-map.csv");
  return out;
}

}  // namespace sipas::demo
