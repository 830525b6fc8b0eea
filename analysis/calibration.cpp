// Calibration of a linearization design to population totals (R's survey
// package: postStratify, rake, calibrate with regcalibrate / grake and
// cal.linear; the variance adjustments are those of svyrecvar). Deville and
// Särndal (1992), JASA 87:376; Lumley (2010), Complex Surveys, ch. 7.

#include "analysis/calibration.hpp"

#include <charconv>
#include <cmath>
#include <string>

#include "analysis/calibration_variables.hpp"
#include "analysis/error.hpp"
#include "io/csv_reader.hpp"
#include "io/enum_names.hpp"

namespace sipas::analysis {
namespace {

using namespace calibrating;

constexpr io::EnumName<CalibrationOptions::Method> calibration_function_names[] = {
    {CalibrationOptions::PostStratify, "poststratify"},
    {CalibrationOptions::Raking, "raking"},
    {CalibrationOptions::Linear, "linear"}};

void check_options(const CalibrationOptions& options) {
  if (options.maxit < 1) {
    throw AnalysisError("calibration.invalid_options",
                        "maxit must be at least 1, not " + std::to_string(options.maxit));
  }
  if (!(options.epsilon > 0) || !std::isfinite(options.epsilon)) {
    throw AnalysisError("calibration.invalid_options",
                        "epsilon must be a positive number, not " + number(options.epsilon));
  }
  if (!options.bounds) return;
  if (options.method != CalibrationOptions::Linear) {
    throw AnalysisError("calibration.invalid_options", "bounds apply to linear calibration only");
  }
  const auto [lower, upper] = *options.bounds;
  if (!(lower > 0) || !(lower < upper) || std::isinf(lower)) {
    throw AnalysisError("calibration.invalid_bounds",
                        "the bounds on g must satisfy 0 < lower < upper; got [" + number(lower) +
                            ", " + number(upper) + "]");
  }
}

}  // namespace

CalibrationOptions::Method parse_calibration_function(std::string_view name) {
  if (auto method = io::enum_from_name(calibration_function_names, name)) return *method;
  throw AnalysisError("analysis.invalid_option",
                      "`calfun` must be " + io::enum_names_text(calibration_function_names));
}

std::string to_string(CalibrationOptions::Method method) {
  return io::enum_name(calibration_function_names, method);
}

std::vector<Margin> load_margins(const std::filesystem::path& path) {
  io::CsvReader reader(path);
  const std::size_t variable = reader.require_column("variable");
  const std::size_t level = reader.require_column("level");
  const std::size_t total = reader.require_column("total");
  std::vector<Margin> margins;
  while (reader.next()) {
    Margin m;
    m.variable = std::string(reader.field(variable));
    m.level = std::string(reader.field(level));
    m.where = reader.where();
    const std::string_view text = reader.field(total);
    const char* end = text.data() + text.size();
    auto [stop, ec] = std::from_chars(text.data(), end, m.total);
    if (text.empty() || ec != std::errc() || stop != end || !std::isfinite(m.total)) {
      throw AnalysisError("calibration.invalid_total",
                          m.where + ": the total of " + (m.variable.empty() ? "?" : label(m)) +
                              " is '" + std::string(text) + "', not a number");
    }
    margins.push_back(std::move(m));
  }
  if (margins.empty())
    throw AnalysisError("calibration.no_margins", reader.source() + ": no margins");
  check_margins(margins);
  return margins;
}

Design calibrate(const Design& design, const Table& data, const std::vector<Margin>& margins,
                 const CalibrationOptions& options, CalibrationReport* report) {
  check_options(options);
  if (data.rows() != design.rows()) {
    throw AnalysisError("calibration.size_mismatch",
                        data.source() + " has " + std::to_string(data.rows()) +
                            " rows but the design has " + std::to_string(design.rows()));
  }
  const std::vector<Variable> variables = resolve(data, margins);
  CalibrationReport r;
  Design out = [&] {
    switch (options.method) {
      case CalibrationOptions::PostStratify:
        return do_post_stratify(design, variables, r);
      case CalibrationOptions::Raking:
        return do_rake(design, variables, options, r);
      case CalibrationOptions::Linear:
        break;
    }
    return do_linear(design, variables, options, r);
  }();
  const Eigen::VectorXd& w = out.weights();
  r.min_weight = r.max_weight = w[0];
  r.min_g = r.max_g = w[0] / design.weights()[0];
  for (Index i = 1; i < w.size(); ++i) {
    const double g = w[i] / design.weights()[i];
    r.min_weight = std::min(r.min_weight, w[i]);
    r.max_weight = std::max(r.max_weight, w[i]);
    r.min_g = std::min(r.min_g, g);
    r.max_g = std::max(r.max_g, g);
  }
  r.max_margin_error = worst_margin(variables, w).error;
  if (report) *report = r;
  return out;
}

}  // namespace sipas::analysis
