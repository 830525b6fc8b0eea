#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/design.hpp"
#include "analysis/table.hpp"

namespace sipas::analysis {

// One population total to calibrate to. A categorical variable has one margin
// per level (the population count of the level); a numeric variable has one
// margin with an empty level (the population total of the variable).
struct Margin {
  std::string variable;
  std::string level;  // empty: a numeric variable
  double total = 0;
  std::string where = {};  // "margins.csv:4" for messages; empty for margins built in code
};

// Reads margins.csv: a header with the columns variable, level, total, then
// one row per margin. Throws io::IoError / io::CsvError, or AnalysisError
// naming the file and line: a total that is not a finite number
// (calibration.invalid_total), a negative count for a level
// (calibration.negative_total), a variable or level given twice
// (calibration.duplicate_margin), a variable given both with and without
// levels (calibration.mixed_margin), an empty variable name
// (calibration.empty_variable), no margins at all (calibration.no_margins).
// Levels are checked against the data by calibrate().
std::vector<Margin> load_margins(const std::filesystem::path& path);

struct CalibrationOptions {
  enum Method {
    PostStratify,  // R's postStratify(design, ~v, pop): one categorical variable
    Raking,        // R's rake(): iterative proportional fitting on categorical margins
    Linear,        // R's calibrate(..., calfun = "linear"): GREG, optionally bounded
  };
  Method method = Linear;
  // Linear only: lower < upper bounds on g = calibrated / design weight,
  // 0 < lower (weights stay positive). Without bounds the calibration is
  // solved directly (R's regcalibrate); with them by Newton steps on the
  // truncated linear distance (R's grake with cal.linear).
  std::optional<std::pair<double, double>> bounds;
  // Raking passes / bounded Newton steps before the calibration is an error.
  int maxit = 50;
  // Convergence, with R's rules. Raking stops when the largest change of the
  // weighted joint table of the margin variables in one pass is below
  // epsilon × Σw if epsilon < 1, else below epsilon (an absolute count; R's
  // rake default is epsilon = 1, maxit = 10). Bounded linear stops when every
  // |achieved − total| / (1 + |total|) is below epsilon (R's default 1e-7).
  // The default 1e-10 rakes to ~1e-12 of a count on the api data, so the
  // weights are those of the fixed point, not of an early stop.
  double epsilon = 1e-10;
};

// The request's `calfun`: "poststratify", "raking", "linear"; AnalysisError
// analysis.invalid_option naming `calfun` for another word.
CalibrationOptions::Method parse_calibration_function(std::string_view name);
std::string to_string(CalibrationOptions::Method method);

struct CalibrationReport {
  int iterations = 0;                     // raking passes, Newton steps (1 for direct solutions)
  double min_weight = 0, max_weight = 0;  // calibrated weights
  double min_g = 0, max_g = 0;            // calibrated / design weights
  // max over all margins of |Σ w x − total| / (1 + |total|)
  double max_margin_error = 0;
};

// A new design with calibrated weights whose variance() accounts for the
// calibration as R's svyrecvar does (post-stratum, raking or GREG residuals of
// the influence values, then the design's own variance). `data` holds the
// margin variables, row for row with the design. Throws AnalysisError
// (calibration.*): an unknown variable or level, a level of the data missing
// from the margins, a missing value, totals that cannot be met (inconsistent
// across variables, collinear variables, a weight that would not be
// positive), bounds that make the calibration infeasible and raking that does
// not converge within maxit.
Design calibrate(const Design& design, const Table& data, const std::vector<Margin>& margins,
                 const CalibrationOptions& options = {}, CalibrationReport* report = nullptr);

}  // namespace sipas::analysis
