#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/calibration.hpp"
#include "analysis/design.hpp"
#include "analysis/estimate.hpp"
#include "analysis/intervals.hpp"
#include "analysis/open_link.hpp"
#include "analysis/par_points.hpp"
#include "analysis/publishing_rule.hpp"
#include "analysis/replicate.hpp"
#include "analysis/scale_quality.hpp"
#include "io/csv_writer.hpp"

namespace sipas::analysis {

// One statistic asked for on the command line.
struct StatisticRequest {
  enum class Kind { Mean, Total, Ratio, Proportion, Quantile };
  Kind kind = Kind::Mean;
  std::string variable;
  std::string denominator;         // Ratio
  std::vector<std::string> codes;  // Proportion: the codes that count
  double p = 0.5;                  // Quantile
};

// "mean", "total", "ratio", "proportion", "quantile" (results.json's
// `statistic`); AnalysisError analysis.invalid_option naming `statistics`
// for another word.
StatisticRequest::Kind parse_statistic_kind(std::string_view name);
std::string to_string(StatisticRequest::Kind kind);

// Parses "VAR", "NUM/DEN", "VAR=CODE[,CODE]", "VAR:P" (throws AnalysisError
// analysis.invalid_option naming the field, `statistics.ratio`).
StatisticRequest parse_statistic(StatisticRequest::Kind kind, const std::string& text);

// Everything `sipas analyze` does in one run (analysis/README.md). Its
// options are typed, parsed where they enter (the command line, a results
// file's `request`); a message about one names it as `field` (`replicates`,
// `design.lonely_psu`), which the command line shows as its flag.
struct AnalysisRequest {
  std::filesystem::path data;
  DesignColumns design;
  std::optional<ReplicateMethod> replicates;  // built from the design
  std::string repweights_prefix;         // replicate weights read from columns PREFIX1..PREFIXR
  std::optional<ReplicateType> reptype;  // their type (absent: other)
  std::optional<double> repscale;
  // Their rscales: one per replicate, or one for all (JKn needs them; `sipas
  // weights --replicates jkn` writes them beside its CSV).
  std::optional<std::vector<double>> rscales;
  bool mse = false;
  std::uint64_t seed = 1;
  std::vector<StatisticRequest> statistics;
  std::vector<std::string> by;
  IntervalMethod interval = IntervalMethod::Wald;
  double level = 0.95;
  // The weights of `sipas weights` (weights.csv), joined to the rows by
  // their `weights_id` column (analysis/weights_join.hpp). With
  // linearization the design starts from w_eligible and post-stratifies on
  // the weighting classes before any --margins; with --repweights the
  // weights and replicate columns come from the file.
  std::optional<std::filesystem::path> weights_file;
  std::string weights_id = "respondent_id";
  std::optional<std::filesystem::path> margins;
  CalibrationOptions::Method calfun = CalibrationOptions::Raking;
  std::optional<std::pair<double, double>> bounds;
  std::optional<std::filesystem::path> index;   // questionnaire with scoring
  std::optional<std::filesystem::path> scheme;  // PAR survey scheme
  // Count the rows of a response export marked open_link (analysis/open_link.hpp)
  // instead of leaving them out; only with design values filled in.
  bool include_open_link = false;
  // The publishing rule that flags each estimate: a file or a shipped rule's
  // name; empty: the shipped default (publishing_rule.hpp).
  std::string publishing_rule;
  // Scale quality (analysis/scale_quality.hpp): --scale, and the codes that
  // mean "don't know" in their items (--dont-know).
  std::vector<ScaleRequest> scales;
  std::vector<std::string> dont_know;
  std::string command_line;
};

struct AnalysisResult {
  nlohmann::json
      design;  // kind, columns, df, rows, weight sum, calibration report, inputs' SHA-256
  std::vector<Estimate> estimates;
  std::vector<RankedUnit> ranking;
  OpenLinkRows open_link;  // also in design["open_link"]
  // Scale quality: the --scale ones, then --index's elements.
  std::vector<ScaleQuality> scales;
  nlohmann::json request;  // the request as `sipas verify` runs it again (verify.hpp)
};

AnalysisResult run_analysis(const AnalysisRequest& request);

// The results file formats (design.md "Results"): JSON with full double
// precision, or one CSV row per estimate (written as io's CSV writer writes:
// a text cell a spreadsheet would run as a formula, such as a domain level
// "=x" from the data, gets an apostrophe in front unless `csv` says
// neutralise_formulas = false).
nlohmann::json to_json(const AnalysisResult& result);
std::string to_csv(const AnalysisResult& result, const io::CsvWriterOptions& csv = {});

}  // namespace sipas::analysis
