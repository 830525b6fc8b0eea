// sipas analyze: weighted estimates, satisfaction indices and PAR points.

#include <iostream>
#include <map>
#include <sstream>

#include "analysis/error.hpp"
#include "analysis/run.hpp"
#include "cli/commands.hpp"
#include "cli/design_options.hpp"
#include "cli/flag_names.hpp"
#include "io/file.hpp"

namespace sipas::cli {
namespace {

namespace a = sipas::analysis;

struct AnalyzeOptions {
  DesignOptions design;  // --data, the design, replicates, calibration (cli/design_options.hpp)
  std::string by, ci = "wald", index, scheme, publishing_rule, format = "json", out, dont_know;
  std::vector<std::string> means, totals, ratios, props, quantiles, scales;
  bool raw_csv = false;
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
  if (o.design.data.empty())
    throw a::AnalysisError("analysis.missing_option", "--data FILE.csv is required");
  a::AnalysisRequest r = design_request(o.design, "");
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
  r.interval = a::parse_interval_method(o.ci);
  r.level = o.level;
  if (!o.index.empty()) r.index = o.index;
  if (!o.scheme.empty()) r.scheme = o.scheme;
  r.publishing_rule = o.publishing_rule;
  for (const auto& v : o.scales)
    r.scales.push_back(a::parse_scale(v));
  r.dont_know = split_list(o.dont_know);
  r.command_line = invocation();
  auto result = a::run_analysis(r);
  // Said on standard error whether the results go there or to a file.
  if (auto note = a::describe(result.open_link); !note.empty())
    std::cerr << with_flags(note, {analysis_flags}) << "\n";
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
  add_design_options(*cmd, o->design, "", "");
  cmd->add_option("--mean", o->means, "Mean of VAR");
  cmd->add_option("--total", o->totals, "Total of VAR");
  cmd->add_option("--ratio", o->ratios, "Ratio NUM/DEN");
  cmd->add_option("--prop", o->props, "Proportion VAR=CODE[,CODE...]");
  cmd->add_option("--quantile", o->quantiles, "Quantile VAR:P");
  cmd->add_option("--by", o->by, "Domain columns, comma-separated (estimated on the whole design)");
  cmd->add_option("--ci", o->ci, "Interval for proportions: wald | logit | xlogit | beta")
      ->capture_default_str();
  cmd->add_option("--level", o->level, "Confidence level")->capture_default_str();
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
  cmd->add_option("--publishing-rule", o->publishing_rule,
                  "When an estimate is flagged 'caution' or 'suppressed': a rule file "
                  "(sipas-publishing-rule/1) or a shipped rule's name (default: cv-16-33, an "
                  "example after Statistics Canada's CV thresholds, at least 30 respondents)");
  cmd->add_option("--format", o->format, "json | csv")
      ->check(CLI::IsMember({"json", "csv"}))
      ->capture_default_str();
  cmd->add_option("--out", o->out, "Output file (default: standard output)");
  add_raw_csv_flag(*cmd, o->raw_csv);
  cmd->callback([&run, o] {
    run = [o] { return run_with_flags({analysis_flags}, [&] { return run_analyze(*o); }); };
  });
}

}  // namespace sipas::cli
