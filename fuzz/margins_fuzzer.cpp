// Calibration margins (analysis/calibration.hpp, margins.csv): any bytes read
// by load_margins from a file, ending in margins or a typed error (CsvError,
// AnalysisError). Margins that load are applied to a small stratified sample
// by every method (post-stratification, raking, linear, bounded linear): the
// calibration ends in a design whose weights are finite and positive, whose
// mean of income has a finite standard error, or in an AnalysisError.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/calibration.hpp"
#include "analysis/design.hpp"
#include "analysis/error.hpp"
#include "analysis/estimators.hpp"
#include "analysis/table.hpp"
#include "fuzz/fuzz_support.hpp"
#include "io/error.hpp"

namespace {

namespace a = sipas::analysis;
using sipas::fuzz::expect;

// Twelve respondents in two strata: sex, age group, income and design weight.
struct Sample {
  a::Table data = a::Table::from_columns(
      "sample.csv",
      {{"stratum", {"d1", "d1", "d1", "d1", "d1", "d1", "d2", "d2", "d2", "d2", "d2", "d2"}},
       {"sex", {"1", "2", "1", "2", "1", "2", "1", "2", "2", "1", "2", "1"}},
       {"age_group", {"a", "a", "b", "b", "c", "c", "a", "b", "c", "a", "b", "c"}},
       {"income", {"3.5", "4", "5.25", "2", "8", "6", "3", "7.5", "4.5", "5", "6", "9"}},
       {"w", {"10", "10", "10", "12", "12", "12", "20", "20", "25", "25", "30", "30"}}});
  a::Design design = [this] {
    a::DesignColumns columns;
    columns.strata = "stratum";
    columns.weights = "w";
    return a::Design::build(data, columns);
  }();
  std::vector<double> income = data.numbers("income");
};

const Sample& sample() {
  static const Sample s;
  return s;
}

void calibrate(const std::vector<a::Margin>& margins, const a::CalibrationOptions& options) {
  const Sample& s = sample();
  try {
    const a::Design calibrated = a::calibrate(s.design, s.data, margins, options);
    const auto& w = calibrated.weights();
    expect(static_cast<std::size_t>(w.size()) == s.data.rows(), "a weight per row");
    for (Eigen::Index i = 0; i < w.size(); ++i)
      expect(std::isfinite(w[i]) && w[i] > 0, "calibrated weights are finite and positive");
    const a::Linearized m = a::mean(calibrated, s.income);
    const Eigen::VectorXd v = calibrated.variance_diagonal(m.influence);
    expect(v.size() == 1 && std::isfinite(v[0]), "the mean of income has a finite variance");
  } catch (const a::AnalysisError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = sipas::fuzz::scratch().write("margins.csv", sipas::fuzz::as_text(data, size));
  std::vector<a::Margin> margins;
  try {
    margins = a::load_margins(path);
  } catch (const sipas::Error&) {
    return 0;
  }
  expect(!margins.empty(), "load_margins returns margins");
  for (const auto& m : margins)
    expect(std::isfinite(m.total), "a margin's total is finite");
  a::CalibrationOptions options;
  options.method = a::CalibrationOptions::PostStratify;
  calibrate(margins, options);
  options.method = a::CalibrationOptions::Raking;
  calibrate(margins, options);
  options.method = a::CalibrationOptions::Linear;
  calibrate(margins, options);
  options.bounds = std::pair{0.5, 2.0};
  calibrate(margins, options);
  return 0;
}
