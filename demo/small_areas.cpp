// Stage 6, the communes: each sampled commune's direct share of citizens
// satisfied overall, with a smoothed sampling variance, for the Fay–Herriot
// model (analysis/README.md, "Small-area estimates").

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "analysis/small_area.hpp"
#include "analysis/table.hpp"
#include "demo/error.hpp"
#include "demo/stages.hpp"
#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "io/file.hpp"
#include "io/number_text.hpp"
#include "reports/report_inputs.hpp"

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
  std::map<std::string, double> out;
  for (const auto& e : reports::load_results(results).estimates) {
    if (e.statistic != "proportion" || e.domain.size() != 1) continue;
    out[e.domain.front().second] = 100 * e.estimate;
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

void estimate_communes(StageContext& c) {
  namespace a = sipas::analysis;
  const a::Table table = a::Table::load(c.path("communes-direct.csv"));
  a::AreaColumns columns;
  columns.area = "commune";
  columns.direct = "direct";
  columns.variance = "variance";
  columns.covariates = {"last_year_district"};
  const a::AreaData data = a::read_area_data(table, columns);
  const a::FayHerriotOptions fit_options;  // REML
  const a::FayHerriotFit fit = a::fit_fay_herriot(data, fit_options);
  a::RankOptions rank_options;
  rank_options.replicates = 1000;
  rank_options.seed = c.options.seed;
  const a::AreaRanks ranks = a::bootstrap_ranks(data, fit, fit_options, rank_options);
  auto doc = a::small_area_json(data, fit, &ranks, rank_options, {});
  doc["command_line"] = "sipas demo";
  doc["inputs"] = {{"data", {{"file", "communes-direct.csv"}, {"sha256", table.sha256()}}}};
  io::write_file_atomic(c.path("communes-small-area.json"), doc.dump(2) + "\n",
                        io::FileAccess::shared);

  char line[256];
  std::snprintf(line, sizeof line,
                "communes: Fay-Herriot (REML) on the direct shares with last year's district share "
                "as covariate: sigma2_v %.1f, mean shrinkage to the model 1 - gamma = %.2f",
                fit.sigma2_v, 1 - fit.gamma.mean());
  c.detail(line);
  // The three best and the three last by EBLUP, with their rank intervals.
  std::vector<std::size_t> order(data.areas.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t x, std::size_t y) { return ranks.rank[x] < ranks.rank[y]; });
  std::size_t apart = 0;
  for (std::size_t i = 0; i < order.size(); ++i)
    apart += ranks.high[i] - ranks.low[i] + 1 <= order.size() / 3 ? 1 : 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k == 3 && order.size() > 6) {
      c.detail("    ...");
      k = order.size() - 3;
    }
    const std::size_t i = order[k];
    std::snprintf(line, sizeof line,
                  "    %2zu. %-12s direct %5.1f, EBLUP %5.1f (RMSE %4.1f, gamma %.2f), rank "
                  "interval %zu-%zu",
                  ranks.rank[i], data.areas[i].c_str(), data.direct[static_cast<Eigen::Index>(i)],
                  fit.eblup[static_cast<Eigen::Index>(i)],
                  std::sqrt(fit.mse[static_cast<Eigen::Index>(i)]),
                  fit.gamma[static_cast<Eigen::Index>(i)], ranks.low[i], ranks.high[i]);
    c.detail(line);
  }
  c.detail(std::to_string(apart) + " of " + std::to_string(order.size()) +
           " communes have a rank interval narrower than a third of the communes: the others "
           "cannot be told apart (communes-small-area.json; EBLUPs beside the direct shares, "
           "never in their place)");
  c.output("communes' small-area estimates with rank intervals", "communes-small-area.json");
}

}  // namespace sipas::demo
