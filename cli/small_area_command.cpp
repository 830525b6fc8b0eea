// sipas small-area: Fay–Herriot EBLUPs of areas' direct estimates, their MSE
// and bootstrap rank intervals, beside the direct estimates.

#include <iostream>
#include <optional>

#include "analysis/error.hpp"
#include "analysis/small_area.hpp"
#include "analysis/table.hpp"
#include "cli/commands.hpp"
#include "cli/flag_names.hpp"
#include "io/file.hpp"

namespace sipas::cli {
namespace {

namespace a = sipas::analysis;

struct SmallAreaOptions {
  std::string data, area, direct, variance, se, covariates, factors, method = "reml", out;
  double level = 0.95, rank_level = 0.95;
  std::size_t ranks = 1000;
  std::uint64_t seed = 1;
  bool lower_is_better = false;
};

a::AnalysisError invalid(const std::string& message) {
  return a::AnalysisError("small_area.invalid_option", message);
}

int run_small_area(const SmallAreaOptions& o) {
  a::FayHerriotOptions fit_options;
  const auto method = a::variance_fit_from_string(o.method);
  if (!method) throw invalid("--method must be reml or ml");
  fit_options.method = *method;
  if (!(o.level > 0 && o.level < 1)) throw invalid("--level must be between 0 and 1, e.g. 0.95");
  if (!(o.rank_level > 0 && o.rank_level < 1))
    throw invalid("--rank-level must be between 0 and 1, e.g. 0.95");

  if (o.variance.empty() == o.se.empty()) {
    throw invalid(
        "give the sampling variances (--variance COL) or their standard errors (--se "
        "COL), one of the two");
  }

  a::AreaColumns columns;
  columns.area = o.area;
  columns.direct = o.direct;
  columns.variance = o.variance;
  columns.se = o.se;
  columns.covariates = split_list(o.covariates);
  columns.factors = split_list(o.factors);
  std::vector<std::string> names{o.area, o.direct, o.variance.empty() ? o.se : o.variance};
  names.insert(names.end(), columns.covariates.begin(), columns.covariates.end());
  names.insert(names.end(), columns.factors.begin(), columns.factors.end());

  const a::Table table = a::Table::load(o.data, names);
  const a::AreaData data = a::read_area_data(table, columns);
  const a::FayHerriotFit fit = a::fit_fay_herriot(data, fit_options);

  a::RankOptions rank_options;
  rank_options.replicates = o.ranks;
  rank_options.seed = o.seed;
  rank_options.level = o.rank_level;
  rank_options.lower_is_better = o.lower_is_better;
  std::optional<a::AreaRanks> ranks;
  if (o.ranks > 0) ranks = a::bootstrap_ranks(data, fit, fit_options, rank_options);

  a::SmallAreaOutputOptions output;
  output.level = o.level;
  output.factors = columns.factors;
  nlohmann::json doc =
      a::small_area_json(data, fit, ranks ? &*ranks : nullptr, rank_options, output);
  doc["inputs"] = {{"data", {{"path", o.data}, {"sha256", table.sha256()}}}};
  doc["command_line"] = invocation();
  // Area-level estimates only: no person's data.
  io::write_file_atomic(o.out, doc.dump(2) + "\n", io::FileAccess::shared);

  std::cout << a::small_area_summary(data, fit, ranks ? &*ranks : nullptr, rank_options);
  std::cout << o.out << ": per area the direct estimate and its SE beside the EBLUP, its MSE, "
            << "interval" << (ranks ? ", rank and rank interval" : "")
            << " (the EBLUP never replaces the direct estimate)\n";
  return exit_ok;
}

}  // namespace

void add_small_area_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<SmallAreaOptions>();
  auto* cmd = app.add_subcommand(
      "small-area",
      "Small-area estimates: the Fay-Herriot area-level model on one row per area (a direct "
      "estimate, its known sampling variance, covariates; an intercept is always added). "
      "sigma2_v by REML (default) or ML, beta by GLS, each area's EBLUP (gamma * direct + (1 - "
      "gamma) * x'beta, gamma = sigma2_v / (sigma2_v + D)) with its MSE (Prasad-Rao for REML, "
      "Datta-Lahiri for ML), an interval, and ranks with parametric-bootstrap rank intervals. "
      "Writes JSON with the EBLUP beside the direct estimate, never replacing it "
      "(analysis/README.md, \"Small-area estimates\").");
  cmd->add_option("--data", o->data, "CSV with one row per area")->required();
  cmd->add_option("--area", o->area, "Column naming the area (unique)")->required();
  cmd->add_option("--direct", o->direct, "Column of the direct estimates")->required();
  cmd->add_option("--variance", o->variance,
                  "Column of the direct estimates' sampling variances D (known, > 0)");
  cmd->add_option("--se", o->se,
                  "Column of the direct estimates' standard errors, instead of --variance (D = "
                  "SE^2)");
  cmd->add_option("--covariates", o->covariates,
                  "Numeric covariates, comma-separated, in beta's order after the intercept");
  cmd->add_option("--factors", o->factors,
                  "Categorical covariates, comma-separated: a dummy COL=LEVEL for every level but "
                  "the first (numeric order when all levels are numbers, else byte order), after "
                  "the numeric covariates");
  cmd->add_option("--method", o->method, "reml | ml: how sigma2_v is fitted")
      ->capture_default_str();
  cmd->add_option("--level", o->level, "Level of the intervals EBLUP +- z sqrt(mse)")
      ->capture_default_str();
  cmd->add_option("--ranks", o->ranks,
                  "Bootstrap replicates B for the rank intervals (0: no ranks)")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the bootstrap")->capture_default_str();
  cmd->add_option("--rank-level", o->rank_level, "Level of the rank intervals")
      ->capture_default_str();
  cmd->add_flag("--lower-is-better", o->lower_is_better,
                "Rank 1 is the lowest EBLUP (default: the highest)");
  cmd->add_option("--out", o->out, "The results JSON (written atomically)")->required();
  cmd->callback([&run, o] {
    run = [o] { return run_with_flags({small_area_flags}, [&] { return run_small_area(*o); }); };
  });
}

}  // namespace sipas::cli
