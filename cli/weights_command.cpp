// sipas weights: the respondents' weights in steps, from a sample file with a
// disposition column or from the invitations in a survey database.

#include <cmath>
#include <iostream>
#include <limits>
#include <sstream>

#include "analysis/calibration.hpp"
#include "analysis/error.hpp"
#include "analysis/nonresponse.hpp"
#include "analysis/nonresponse_output.hpp"
#include "app/fieldwork_table.hpp"
#include "cli/commands.hpp"
#include "cli/database.hpp"
#include "cli/flag_names.hpp"
#include "io/file.hpp"
#include "io/sha256.hpp"
#include "store/store.hpp"

namespace sipas::cli {
namespace {

namespace a = sipas::analysis;
namespace fs = std::filesystem;

struct WeightsOptions {
  std::string sample, disposition, db, survey, classes, margins,
      calfun = "raking", bounds, replicates, lonely = "fail", carry, unopened = "nonrespondent",
      out, report;
  std::size_t min_respondents = 20;
  double max_factor = 2;
  bool no_collapse = false, raw_csv = false;
  std::uint64_t seed = 1;
};

a::AnalysisError invalid(const std::string& message) {
  return a::AnalysisError("weights.invalid_option", message);
}

// An option of the analysis parsed for sipas weights: its errors are
// weights.invalid_option, as the command's own.
template <typename Parse>
auto weights_option(Parse parse) {
  try {
    return parse();
  } catch (const a::AnalysisError& e) {
    throw invalid(e.what());
  }
}

a::CalibrationOptions calibration_options(const WeightsOptions& o) {
  a::CalibrationOptions c;
  c.method = weights_option([&] { return a::parse_calibration_function(o.calfun); });
  // Raked to its fixed point (a change of the weighted table below 1e-13 of
  // Σw in a pass): the weights are the result here, not a step towards an
  // estimate.
  if (c.method == a::CalibrationOptions::Raking) {
    c.epsilon = 1e-13;
    c.maxit = 100;
  }
  if (!o.bounds.empty()) {
    auto parts = split_list(o.bounds);
    double lo = 0, hi = 0;
    if (parts.size() != 2 || !(std::istringstream(parts[0]) >> lo) ||
        !(std::istringstream(parts[1]) >> hi) || !(lo < hi)) {
      throw invalid("--bounds must be LO,HI with LO < HI, e.g. 0.5,2");
    }
    c.bounds = std::make_pair(lo, hi);
  }
  return c;
}

a::NonresponseOptions nonresponse_options(const WeightsOptions& o) {
  a::NonresponseOptions n;
  n.class_columns = split_list(o.classes);
  n.min_respondents = o.min_respondents;
  if (!(o.max_factor >= 1 || o.max_factor == 0)) {
    throw invalid("--max-factor must be at least 1 (or 0: no limit)");
  }
  n.max_factor = o.max_factor == 0 ? std::numeric_limits<double>::infinity() : o.max_factor;
  n.collapse = !o.no_collapse;
  if (!o.margins.empty()) {
    n.margins = a::load_margins(o.margins);
    n.calibration = calibration_options(o);
  } else if (!o.bounds.empty()) {
    throw invalid("--bounds applies to calibration: give --margins too");
  }
  if (!o.replicates.empty()) {
    a::ReplicateRequest r = a::parse_replicate_request(o.replicates);
    r.lonely_psu = weights_option([&] { return a::parse_lonely_psu(o.lonely); });
    r.seed = o.seed;
    n.replicates = r;
  }
  return n;
}

// weights.csv -> weights.json; weights -> weights.json.
fs::path beside(const fs::path& out, const std::string& extension) {
  fs::path p = out;
  p.replace_extension(extension);
  return p;
}

struct Loaded {
  a::FieldworkSample sample;
  nlohmann::json inputs;
};

Loaded load(const WeightsOptions& o) {
  if (!o.sample.empty() == !o.db.empty()) {
    throw a::AnalysisError("weights.missing_option",
                           "give --sample FILE --disposition COL, or --db FILE --survey ID");
  }
  Loaded l;
  if (!o.sample.empty()) {
    if (o.disposition.empty()) {
      throw a::AnalysisError("weights.missing_option",
                             "--disposition COL is required with --sample: the column that holds "
                             "respondent, nonrespondent, ineligible or unknown");
    }
    if (!o.survey.empty()) throw invalid("--survey goes with --db, not --sample");
    const a::Table table = a::Table::load(o.sample);
    a::FieldworkColumns columns;
    columns.disposition = o.disposition;
    l.sample = a::read_fieldwork(table, columns);
    l.inputs["sample"] = {{"path", o.sample}, {"sha256", table.sha256()}};
    l.inputs["db"] = nullptr;
    return l;
  }
  if (o.survey.empty()) throw a::AnalysisError("weights.missing_option", "--db needs --survey ID");
  if (!o.disposition.empty()) {
    throw invalid("--disposition goes with --sample; with --db the invitations give it");
  }
  if (o.unopened != "nonrespondent" && o.unopened != "unknown")
    throw invalid("--unopened must be nonrespondent or unknown");
  app::FieldworkRules rules;
  rules.unopened_unknown = o.unopened == "unknown";
  l.sample = app::fieldwork_sample(o.db, o.survey, rules);
  l.inputs["sample"] = nullptr;
  l.inputs["db"] = {{"path", o.db}, {"survey", o.survey}, {"unopened", o.unopened}};
  return l;
}

int run_weights(const WeightsOptions& o) {
  const a::NonresponseOptions options = nonresponse_options(o);
  Loaded loaded = load(o);
  const a::WeightingResult result = a::adjust_weights(loaded.sample, options);

  const fs::path out = o.out.empty() ? fs::path("weights.csv") : fs::path(o.out);
  const fs::path report_path = o.report.empty() ? beside(out, ".json") : fs::path(o.report);
  const bool jkn = options.replicates && result.replicate_type == a::ReplicateType::JKn;
  const fs::path rscales_path = beside(out, ".rscales");
  nlohmann::json report = a::weights_report(loaded.sample, result, options);
  report["command_line"] = invocation();
  loaded.inputs["margins"] =
      o.margins.empty()
          ? nlohmann::json(nullptr)
          : nlohmann::json{{"path", o.margins}, {"sha256", io::sha256_file(o.margins)}};
  report["inputs"] = loaded.inputs;
  report["output"] = {{"path", out.string()}, {"rows", result.respondents.size()}};
  std::string analyze = "--weights weight";
  if (options.replicates) {
    analyze += " --repweights rw --reptype " + a::reptype_option(result.replicate_type);
    if (jkn) {
      analyze += " --rscales " + rscales_path.string();
      report["replicates"]["rscales_file"] = rscales_path.string();
    } else if (result.replicate_type == a::ReplicateType::Bootstrap) {
      std::ostringstream scale;
      scale.precision(17);
      scale << result.scale;
      analyze += " --repscale " + scale.str();
    }
    report["replicates"]["columns"] = "rw1..rw" + std::to_string(result.replicate_weights.cols());
  }
  report["analyze_options"] = analyze;

  a::WeightsCsvOptions csv;
  csv.carry = split_list(o.carry);
  csv.neutralise_formulas = !o.raw_csv;
  // Every check is behind us; the CSV first (it names a missing --carry
  // column before writing), then the files beside it.
  a::write_weights_csv(out, loaded.sample, result, csv);
  if (jkn) {
    std::ostringstream line;
    line.precision(17);
    for (Eigen::Index r = 0; r < result.rscales.size(); ++r)
      line << result.rscales[r] << "\n";
    io::write_file_atomic(rscales_path, line.str(), io::FileAccess::shared);
  }
  // Counts, classes and spreads: no person's data.
  io::write_file_atomic(report_path, report.dump(2) + "\n", io::FileAccess::shared);

  std::cout << with_flags(a::weights_summary(loaded.sample, result, options), {weights_flags});
  if (options.replicates) {
    std::cout << "replicates: " << a::to_string(result.replicate_type) << ", "
              << result.replicate_weights.cols()
              << " columns rw1.., each replicate adjusted again (eligibility, classes"
              << (options.margins.empty() ? "" : ", calibration") << ")\n";
  }
  std::cout << out.string() << ": " << result.respondents.size() << " respondents, columns id, ";
  for (const auto& name : result.step_names)
    std::cout << name << ", ";
  std::cout << "weight" << (options.replicates ? ", rw1.." : "") << "\n";
  std::cout << report_path.string() << ": the report\n";
  std::cout << "analyse with: sipas analyze " << analyze
            << " (on the respondents' data joined with " << out.string() << " by id)\n";
  return exit_ok;
}

}  // namespace

void add_weights_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<WeightsOptions>();
  auto* cmd = app.add_subcommand(
      "weights",
      "The respondents' weights in steps, each its own column: w_design (1/pi of the fielded "
      "sample) -> w_eligible (ineligible cases out of the base; the weight of cases of unknown "
      "eligibility shared in their class's known proportions) -> w_nonresponse (weighting-class "
      "adjustment (R + N)/R; classes that fail the rule collapsed with a neighbour, and "
      "reported) -> w_calibrated (with --margins) -> weight. From a sample file with a "
      "disposition column, or from the invitations of a survey database. Writes weights.csv, "
      "the report weights.json (each step's min, max, CV and Kish's 1 + CV^2) and, with "
      "--replicates, replicate weights re-adjusted inside every replicate "
      "(analysis/README.md, \"Nonresponse adjustment\").");
  cmd->add_option("--sample", o->sample,
                  "Sample file as sipas sample writes it (id, stratum, psu, design_weight, role, "
                  "...) with a disposition column");
  cmd->add_option("--disposition", o->disposition,
                  "Column of --sample holding respondent, nonrespondent, ineligible or unknown; "
                  "empty only for reserves never activated (not in the sample)");
  cmd->add_option("--db", o->db, std::string(database_help) + ", instead of --sample");
  cmd->add_option("--survey", o->survey, "Survey id in --db");
  cmd->add_option("--unopened", o->unopened,
                  "--db: an invitation never opened is a nonrespondent, or of unknown eligibility")
      ->capture_default_str();
  cmd->add_option("--classes", o->classes,
                  "Weighting-class columns, comma-separated (default: the stratum)");
  cmd->add_option("--min-respondents", o->min_respondents,
                  "A class with fewer respondents is collapsed with a neighbour")
      ->capture_default_str();
  cmd->add_option("--max-factor", o->max_factor,
                  "A class whose nonresponse factor (R + N)/R is above this is collapsed with a "
                  "neighbour (0: no limit)")
      ->capture_default_str();
  cmd->add_flag("--no-collapse", o->no_collapse,
                "Keep the classes as they are: failing classes are only reported, and a class "
                "with nonrespondents but no respondent is an error");
  cmd->add_option("--margins", o->margins,
                  "Margins CSV (variable,level,total) to calibrate the respondents to, as "
                  "sipas analyze --calibrate");
  cmd->add_option("--calfun", o->calfun, "poststratify | raking | linear")->capture_default_str();
  cmd->add_option("--bounds", o->bounds, "Bounds LO,HI on the calibration factors (linear)");
  cmd->add_option("--replicates", o->replicates,
                  "jk1 | jkn | bootstrap[:R]: also write replicate weights rw1..rwR, every "
                  "replicate adjusted again (strata and PSUs of the sample; no fpc)");
  cmd->add_option("--seed", o->seed, "Seed for bootstrap replicates")->capture_default_str();
  cmd->add_option("--lonely-psu", o->lonely, "fail | adjust | average | certainty | remove")
      ->capture_default_str();
  cmd->add_option("--carry", o->carry, "Sample columns copied into weights.csv, comma-separated");
  cmd->add_option("--out", o->out, "Output CSV (default weights.csv)");
  cmd->add_option("--report", o->report, "The report JSON (default: --out with .json)");
  add_raw_csv_flag(*cmd, o->raw_csv);
  cmd->callback([&run, o] {
    run = [o] { return run_with_flags({weights_flags}, [&] { return run_weights(*o); }); };
  });
}

}  // namespace sipas::cli
