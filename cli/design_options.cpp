#include "cli/design_options.hpp"

#include <filesystem>
#include <sstream>

#include "analysis/error.hpp"
#include "cli/commands.hpp"
#include "cli/flag_names.hpp"
#include "io/file.hpp"

namespace sipas::cli {
namespace {

namespace a = sipas::analysis;

// The options add_design_options registers, without their prefix.
constexpr const char* design_option_names[] = {
    "data",       "strata",     "psu",     "weights",    "weights-file",     "weights-id", "fpc",
    "replicates", "repweights", "reptype", "repscale",   "rscales",          "mse",        "seed",
    "calibrate",  "calfun",     "bounds",  "lonely-psu", "include-open-link"};

}  // namespace

bool DesignOptions::any_given(const CLI::App& command, const std::string& prefix) const {
  for (const char* name : design_option_names) {
    if (command.count("--" + prefix + name) > 0) return true;
  }
  return false;
}

void add_design_options(CLI::App& cmd, DesignOptions& o, const std::string& prefix,
                        const std::string& whose) {
  auto name = [&](const char* option) { return "--" + prefix + option; };
  cmd.add_option(name("data"), o.data, "Survey data (CSV with a header row)" + whose);
  cmd.add_option(name("strata"), o.strata, "Stratum column" + whose);
  cmd.add_option(name("psu"), o.psu, "Cluster columns by stage: PSU[,SSU...]" + whose);
  cmd.add_option(name("weights"), o.weights, "Design weight column" + whose);
  cmd.add_option(name("weights-file"), o.weights_file,
                 "The weights of sipas weights (weights.csv), joined to the data by id: the "
                 "design starts from w_eligible and post-stratifies on weighting_class (the "
                 "nonresponse adjustment as a calibration step of the variance), then "
                 "--calibrate as sipas weights --margins; with --repweights rw the file's weight "
                 "and replicate columns" +
                     whose);
  cmd.add_option(name("weights-id"), o.weights_id, "Column of the data holding weights.csv's id")
      ->capture_default_str();
  cmd.add_option(name("fpc"), o.fpc,
                 "Per stage: population size (> 1) or sampling fraction (<= 1) columns" + whose);
  cmd.add_option(name("replicates"), o.replicates, "jk1 | jkn | bootstrap[:R] | brr[:FAY]" + whose);
  cmd.add_option(name("repweights"), o.repweights,
                 "Replicate weight columns PREFIX1..PREFIXR" + whose);
  cmd.add_option(name("reptype"), o.reptype,
                 "Type of the replicate weights: jk1 | jkn | bootstrap | brr | fay | other");
  cmd.add_option(name("repscale"), o.repscale,
                 "Scale of the replicate weights (else from the type)");
  cmd.add_option(name("rscales"), o.rscales,
                 "Per-replicate scales of the replicate weights (JKn needs them): "
                 "comma-separated, or a file holding them (sipas weights writes weights.rscales)");
  cmd.add_flag(name("mse"), o.mse, "Centre replicate variance on the full-sample estimate");
  cmd.add_option(name("seed"), o.seed, "Seed for bootstrap replicates")->capture_default_str();
  cmd.add_option(name("calibrate"), o.margins, "Margins CSV: variable,level,total" + whose);
  cmd.add_option(name("calfun"), o.calfun, "poststratify | raking | linear")->capture_default_str();
  cmd.add_option(name("bounds"), o.bounds, "Bounds LO,HI on the calibration factors");
  cmd.add_option(name("lonely-psu"), o.lonely, "fail | adjust | average | certainty | remove")
      ->capture_default_str();
  cmd.add_flag(name("include-open-link"), o.include_open_link,
               "Count the rows of a response export answered through the open link (column "
               "channel = open_link), which are otherwise left out: they were not sampled, so "
               "only with the design columns filled in by you" +
                   whose);
}

namespace {

// The request of the options, each typed value parsed here, once.
a::AnalysisRequest parsed_design_request(const DesignOptions& o, const std::string& prefix) {
  a::AnalysisRequest r;
  r.data = o.data;
  r.design.strata = o.strata;
  r.design.clusters = split_list(o.psu);
  r.design.weights = o.weights;
  if (!o.weights_file.empty()) r.weights_file = o.weights_file;
  r.weights_id = o.weights_id;
  r.design.fpc = split_list(o.fpc);
  r.design.lonely_psu = a::parse_lonely_psu(o.lonely);
  if (!o.replicates.empty()) r.replicates = a::parse_replicate_method(o.replicates);
  r.repweights_prefix = o.repweights;
  if (!o.reptype.empty()) r.reptype = a::parse_replicate_type(o.reptype);
  r.repscale = o.repscale;
  if (!o.rscales.empty()) r.rscales = parse_rscales(o.rscales, "--" + prefix + "rscales");
  r.mse = o.mse;
  r.seed = o.seed;
  if (!o.margins.empty()) r.margins = o.margins;
  r.calfun = a::parse_calibration_function(o.calfun);
  if (!o.bounds.empty()) {
    auto parts = split_list(o.bounds);
    double lo = 0, hi = 0;
    if (parts.size() != 2 || !(std::istringstream(parts[0]) >> lo) ||
        !(std::istringstream(parts[1]) >> hi) || !(lo < hi)) {
      throw a::AnalysisError("analysis.invalid_option",
                             "--" + prefix + "bounds must be LO,HI with LO < HI, e.g. 0.5,2");
    }
    r.bounds = std::make_pair(lo, hi);
  }
  r.include_open_link = o.include_open_link;
  return r;
}

}  // namespace

a::AnalysisRequest design_request(const DesignOptions& o, const std::string& prefix) {
  try {
    return parsed_design_request(o, prefix);
  } catch (const Error& e) {
    // Last year's options are --last-year-...: the prefix is known here only.
    throw Error(e.id(), with_flags(e.what(), {analysis_flags}, prefix));
  }
}

std::vector<double> parse_rscales(const std::string& text, const std::string& option) {
  std::string numbers = text;
  std::error_code ec;
  if (std::filesystem::is_regular_file(text, ec)) numbers = io::read_file(text, 1 << 24);
  for (char& c : numbers) {
    if (c == ',' || c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  std::istringstream in(numbers);
  std::vector<double> out;
  std::string item;
  while (in >> item) {
    double x = 0;
    std::istringstream parse(item);
    if (!(parse >> x) || !parse.eof()) {
      throw a::AnalysisError("analysis.invalid_option",
                             option + ": '" + item.substr(0, 40) + "' is not a number");
    }
    out.push_back(x);
  }
  if (out.empty()) {
    throw a::AnalysisError("analysis.invalid_option",
                           option + ": give numbers (comma-separated) or a file that holds them");
  }
  return out;
}

}  // namespace sipas::cli
