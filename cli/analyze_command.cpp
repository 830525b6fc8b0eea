// sipas analyze: weighted estimates, satisfaction indices and PAR points.

#include <iostream>
#include <map>
#include <sstream>

#include "analysis/error.hpp"
#include "analysis/run.hpp"
#include "cli/commands.hpp"
#include "cli/design_options.hpp"
#include "io/file.hpp"

namespace sipas::cli {
namespace {

namespace a = sipas::analysis;

struct AnalyzeOptions {
  std::string data, strata, psu, weights, fpc, replicates, repweights, reptype, rscales, by,
      ci = "wald", margins, calfun = "raking", bounds, lonely = "fail", index, scheme,
      publishing_rule, format = "json", out, dont_know, weights_file, weights_id = "respondent_id";
  std::vector<std::string> means, totals, ratios, props, quantiles, scales;
  std::optional<double> repscale;
  bool mse = false, include_open_link = false;
  bool raw_csv = false;
  std::uint64_t seed = 1;
  double level = 0.95;
};

// How many estimates the publishing rule flagged, and the units whose survey
// points it flagged (their survey part rests on too few answers); "" when
// it flagged none.
std::string flags_summary(const a::AnalysisResult& result) {
  std::map<std::string, std::size_t> count;
  for (const auto& e : result.estimates)
    ++count[e.flag];
  bool units_flagged = false;
  for (const auto& u : result.ranking)
    units_flagged |= u.points.flag != "ok";
  if (count["caution"] + count["suppressed"] == 0 && !units_flagged) return "";
  const auto& rule = result.design["publishing_rule"];
  std::string text = "publishing rule " + rule.value("name", std::string()) +
                     (rule.value("example", false) ? " (an example, not an official rule)" : "") +
                     ": " + std::to_string(count["ok"]) + " ok, " +
                     std::to_string(count["caution"]) + " use with caution, " +
                     std::to_string(count["suppressed"]) + " suppressed";
  std::string units;
  for (const auto& u : result.ranking) {
    if (u.points.flag == "ok") continue;
    units += (units.empty() ? "" : "; ") + u.unit + " (" + u.points.flag + ": " +
             u.points.flag_reason + ")";
  }
  if (!units.empty()) text += "\nsurvey points flagged for: " + units;
  return text;
}

int run_analyze(const AnalyzeOptions& o) {
  if (o.data.empty())
    throw a::AnalysisError("analysis.missing_option", "--data FILE.csv is required");
  a::AnalysisRequest r;
  r.data = o.data;
  r.design.strata = o.strata;
  r.design.clusters = split_list(o.psu);
  r.design.weights = o.weights;
  if (!o.weights_file.empty()) r.weights_file = o.weights_file;
  r.weights_id = o.weights_id;
  r.design.fpc = split_list(o.fpc);
  auto lonely = a::lonely_psu_from_string(o.lonely);
  if (!lonely) {
    throw a::AnalysisError("analysis.invalid_option",
                           "--lonely-psu must be fail, adjust, average, certainty or remove");
  }
  r.design.lonely_psu = *lonely;
  r.replicates = o.replicates;
  r.repweights_prefix = o.repweights;
  r.reptype = o.reptype;
  r.repscale = o.repscale;
  if (!o.rscales.empty()) r.rscales = parse_rscales(o.rscales);
  r.mse = o.mse;
  r.seed = o.seed;
  using Kind = a::StatisticRequest::Kind;
  for (const auto& v : o.means)
    r.statistics.push_back(a::parse_statistic(Kind::Mean, v));
  for (const auto& v : o.totals)
    r.statistics.push_back(a::parse_statistic(Kind::Total, v));
  for (const auto& v : o.ratios)
    r.statistics.push_back(a::parse_statistic(Kind::Ratio, v));
  for (const auto& v : o.props)
    r.statistics.push_back(a::parse_statistic(Kind::Proportion, v));
  for (const auto& v : o.quantiles)
    r.statistics.push_back(a::parse_statistic(Kind::Quantile, v));
  r.by = split_list(o.by);
  auto interval = a::interval_method_from_string(o.ci);
  if (!interval)
    throw a::AnalysisError("analysis.invalid_option", "--ci must be wald, logit, xlogit or beta");
  r.interval = *interval;
  r.level = o.level;
  if (!o.margins.empty()) r.margins = o.margins;
  r.calfun = o.calfun;
  if (!o.bounds.empty()) {
    auto parts = split_list(o.bounds);
    double lo = 0, hi = 0;
    if (parts.size() != 2 || !(std::istringstream(parts[0]) >> lo) ||
        !(std::istringstream(parts[1]) >> hi) || !(lo < hi)) {
      throw a::AnalysisError("analysis.invalid_option",
                             "--bounds must be LO,HI with LO < HI, e.g. 0.5,2");
    }
    r.bounds = std::make_pair(lo, hi);
  }
  if (!o.index.empty()) r.index = o.index;
  if (!o.scheme.empty()) r.scheme = o.scheme;
  r.include_open_link = o.include_open_link;
  r.publishing_rule = o.publishing_rule;
  for (const auto& v : o.scales)
    r.scales.push_back(a::parse_scale(v));
  r.dont_know = split_list(o.dont_know);
  r.command_line = invocation();
  auto result = a::run_analysis(r);
  // Said on standard error whether the results go there or to a file.
  if (auto note = a::describe(result.open_link); !note.empty()) std::cerr << note << "\n";
  // Said only when the rule flagged something.
  if (auto flags = flags_summary(result); !flags.empty()) std::cerr << flags << "\n";
  const std::string text = o.format == "csv"
                               ? a::to_csv(result, {.neutralise_formulas = !o.raw_csv})
                               : a::to_json(result).dump(2) + "\n";
  if (o.out.empty()) {
    std::cout << text;
  } else {
    // Estimates for domains, no record-level data.
    io::write_file_atomic(o.out, text, io::FileAccess::shared);
    std::cerr << o.out << ": " << result.estimates.size() << " estimates\n";
  }
  return exit_ok;
}

}  // namespace

void add_analyze_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<AnalyzeOptions>();
  auto* cmd = app.add_subcommand("analyze",
                                 "Weighted estimates with design-based standard errors and "
                                 "confidence intervals (Taylor linearization as R's "
                                 "survey package), satisfaction indices from a questionnaire's "
                                 "scoring, and PAR survey points.");
  cmd->add_option("--data", o->data, "Survey data (CSV with a header row)");
  cmd->add_option("--strata", o->strata, "Stratum column");
  cmd->add_option("--psu", o->psu, "Cluster columns by stage: PSU[,SSU...]");
  cmd->add_option("--weights", o->weights, "Design weight column");
  cmd->add_option("--weights-file", o->weights_file,
                  "The weights of sipas weights (weights.csv), joined to the data by id: the "
                  "design starts from w_eligible and post-stratifies on weighting_class (the "
                  "nonresponse adjustment as a calibration step of the variance), then "
                  "--calibrate as sipas weights --margins; with --repweights rw the file's weight "
                  "and replicate columns");
  cmd->add_option("--weights-id", o->weights_id, "Column of --data holding weights.csv's id")
      ->capture_default_str();
  cmd->add_option("--fpc", o->fpc,
                  "Per stage: population size (> 1) or sampling fraction (<= 1) columns");
  cmd->add_option("--replicates", o->replicates, "jk1 | jkn | bootstrap[:R] | brr[:FAY]");
  cmd->add_option("--repweights", o->repweights, "Replicate weight columns PREFIX1..PREFIXR");
  cmd->add_option("--reptype", o->reptype,
                  "Type of --repweights: jk1 | jkn | bootstrap | brr | fay | other");
  cmd->add_option("--repscale", o->repscale, "Scale of --repweights (else from the type)");
  cmd->add_option("--rscales", o->rscales,
                  "Per-replicate scales of --repweights (JKn needs them): comma-separated, or a "
                  "file holding them (sipas weights writes weights.rscales)");
  cmd->add_flag("--mse", o->mse, "Centre replicate variance on the full-sample estimate");
  cmd->add_option("--seed", o->seed, "Seed for bootstrap replicates")->capture_default_str();
  cmd->add_option("--mean", o->means, "Mean of VAR");
  cmd->add_option("--total", o->totals, "Total of VAR");
  cmd->add_option("--ratio", o->ratios, "Ratio NUM/DEN");
  cmd->add_option("--prop", o->props, "Proportion VAR=CODE[,CODE...]");
  cmd->add_option("--quantile", o->quantiles, "Quantile VAR:P");
  cmd->add_option("--by", o->by, "Domain columns, comma-separated (estimated on the whole design)");
  cmd->add_option("--ci", o->ci, "Interval for proportions: wald | logit | xlogit | beta")
      ->capture_default_str();
  cmd->add_option("--level", o->level, "Confidence level")->capture_default_str();
  cmd->add_option("--calibrate", o->margins, "Margins CSV: variable,level,total");
  cmd->add_option("--calfun", o->calfun, "poststratify | raking | linear")->capture_default_str();
  cmd->add_option("--bounds", o->bounds, "Bounds LO,HI on the calibration factors");
  cmd->add_option("--lonely-psu", o->lonely, "fail | adjust | average | certainty | remove")
      ->capture_default_str();
  cmd->add_option("--index", o->index,
                  "Questionnaire JSON whose scoring defines the satisfaction indices");
  cmd->add_option("--scheme", o->scheme,
                  "PAR survey points: a scheme JSON, sipas-par-survey/1, or a PAR index scheme "
                  "(sipas-par-index/1, a file or an embedded name such as par-province-876) "
                  "whose survey leaves are computed");
  cmd->add_option("--scale", o->scales,
                  "Scale quality of NAME=ITEM,ITEM[,...] (repeatable): Cronbach's alpha "
                  "(unweighted as R's psych::alpha, standardized, and weighted), item-rest "
                  "correlations, alpha if an item is dropped, shares of don't know and missing "
                  "answers; with --index, every scoring element is a scale too");
  cmd->add_option("--dont-know", o->dont_know,
                  "Codes that mean don't know in the --scale items, comma-separated (left out as "
                  "missing and counted apart; a questionnaire item's excluded codes always are)");
  cmd->add_flag("--include-open-link", o->include_open_link,
                "Count the rows of a response export answered through the open link (column "
                "channel = open_link), which are otherwise left out: they were not sampled, so "
                "only with the design columns filled in by you");
  cmd->add_option("--publishing-rule", o->publishing_rule,
                  "When an estimate is flagged 'caution' or 'suppressed': a rule file "
                  "(sipas-publishing-rule/1) or a shipped rule's name (default: cv-16-33, an "
                  "example after Statistics Canada's CV thresholds, at least 30 respondents)");
  cmd->add_option("--format", o->format, "json | csv")
      ->check(CLI::IsMember({"json", "csv"}))
      ->capture_default_str();
  cmd->add_option("--out", o->out, "Output file (default: standard output)");
  add_raw_csv_flag(*cmd, o->raw_csv);
  cmd->callback([&run, o] { run = [o] { return run_analyze(*o); }; });
}

}  // namespace sipas::cli
