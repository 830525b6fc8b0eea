// Stage 6, the communes: each sampled commune's direct share of citizens
// satisfied overall, with a smoothed sampling variance, for the Fay–Herriot
// model (analysis/README.md, "Small-area estimates").

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "demo/error.hpp"
#include "demo/stages.hpp"
#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "io/file.hpp"
#include "io/number_text.hpp"

namespace sipas::demo {
namespace {

struct Commune {
  std::string district;
  std::size_t n = 0;
  double sum_w = 0, sum_w2 = 0, sum_w_satisfied = 0;
};

bool satisfied(std::string_view code) {
  return code == "4" || code == "5";
}

// Last year's share satisfied overall by district (percent), from its results.
std::map<std::string, double> last_year_shares(const std::filesystem::path& results) {
  const auto doc = nlohmann::json::parse(io::read_file(results, 512u << 20));
  std::map<std::string, double> out;
  for (const auto& e : doc.at("estimates")) {
    if (e.at("statistic") != "proportion" || e.at("domain").is_null()) continue;
    out[e.at("domain").at("district").get<std::string>()] = 100 * e.at("estimate").get<double>();
  }
  return out;
}

}  // namespace

std::size_t write_commune_table(StageContext& c, const LastYear& last_year) {
  std::map<std::string, double> weight;
  {
    io::CsvReader weights(c.path("citizens-weights.csv"));
    const auto id = weights.require_column("id"), w = weights.require_column("weight");
    while (weights.next())
      weight[std::string(weights.field(id))] = std::stod(std::string(weights.field(w)));
  }
  std::map<std::string, Commune> communes;  // "P01-D01/C01"
  double all_w = 0, all_satisfied = 0;
  io::CsvReader answers(c.path("citizens-responses.csv"));
  const auto id = answers.require_column("respondent_id"),
             stratum = answers.require_column("stratum"), psu = answers.require_column("psu"),
             overall = answers.require_column("q_overall");
  while (answers.next()) {
    const std::string district(answers.field(stratum));
    Commune& commune = communes[district + "/" + std::string(answers.field(psu))];
    commune.district = district;
    const double w = weight.at(std::string(answers.field(id)));
    const double yes = satisfied(answers.field(overall)) ? w : 0;
    ++commune.n;
    commune.sum_w += w;
    commune.sum_w2 += w * w;
    commune.sum_w_satisfied += yes;
    all_w += w;
    all_satisfied += yes;
  }
  const double p = all_satisfied / all_w;
  const auto before = last_year_shares(c.path("results-citizens-2025.json"));
  io::CsvWriter out(c.path("communes-direct.csv"), c.csv(io::FileAccess::shared));
  out.write_row({"commune", "district", "respondents", "direct", "variance", "last_year_district"});
  for (const auto& [name, commune] : communes) {
    const std::string commune_code = name.substr(name.find('/') + 1);
    const auto past = before.find(last_year.district_of(commune.district, commune_code));
    if (past == before.end())
      throw DemoError("demo.last_year", "no share of last year for the district of " + name);
    // The province's share in p(1 − p), times Kish's Σw²/(Σw)² = (1 + CV²)/n:
    // a commune's own share from 10 answers can be 0 or 1 (variance 0).
    const double variance =
        100 * 100 * p * (1 - p) * commune.sum_w2 / (commune.sum_w * commune.sum_w);
    out.write_row({name, commune.district, std::to_string(commune.n),
                   io::shortest_decimal(100 * commune.sum_w_satisfied / commune.sum_w),
                   io::shortest_decimal(variance), io::shortest_decimal(past->second)});
  }
  out.commit();
  return communes.size();
}

}  // namespace sipas::demo
