// Calibration (post-stratification, raking, linear and bounded linear) of the
// one-stage cluster sample apiclus1 against R's survey package
// (tests/reference/analysis_reference.json "calibration" and
// calibration_weights_dclus1.csv, made by analysis_reference.R). Estimates and
// weights must agree to a relative 1e-9 and standard errors to 1e-7.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "analysis/calibration.hpp"
#include "analysis/design.hpp"
#include "analysis/error.hpp"
#include "analysis/estimators.hpp"
#include "io/csv_reader.hpp"
#include "io/file.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sipas::analysis;
using Json = nlohmann::json;
using ::testing::HasSubstr;

const Json& reference() {
  static const Json doc = Json::parse(sipas::io::read_file(
      std::string(SIPAS_SOURCE_DIR) + "/tests/reference/analysis_reference.json", 1 << 24));
  return doc;
}
const Json& calibration_reference() {
  return reference()["calibration"];
}

double value_of(const Json& entry) {
  const Json& v = entry["value"];
  if (v.is_object()) return v.begin()->get<double>();
  return v.get<double>();
}

void expect_rel(double got, double want, double tolerance, const std::string& what) {
  EXPECT_NEAR(got, want, tolerance * std::max(1.0, std::fabs(want))) << what;
}
constexpr double estimate_tolerance = 1e-9;
constexpr double se_tolerance = 1e-7;
constexpr double margin_tolerance = 1e-8;

const Table& apiclus1() {
  static const Table t =
      Table::load(std::string(SIPAS_SOURCE_DIR) + "/../shared/data/api/apiclus1.csv");
  return t;
}

const Table& calibrated_weights() {
  static const Table t = Table::load(std::string(SIPAS_SOURCE_DIR) +
                                     "/tests/reference/calibration_weights_dclus1.csv");
  return t;
}

// dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
Design dclus1() {
  DesignColumns columns;
  columns.clusters = {"dnum"};
  columns.weights = "pw";
  columns.fpc = {"fpc"};
  return Design::build(apiclus1(), columns);
}

// The population figures of the reference, as margins.
std::vector<Margin> margins_of(const std::vector<std::string>& variables) {
  const Json& population = calibration_reference()["population"];
  std::vector<Margin> out;
  for (const auto& v : variables) {
    if (v == "stype" || v == "sch.wide") {
      const Json& levels = population[v == "stype" ? "stype" : "sch_wide"]["value"];
      for (auto it = levels.begin(); it != levels.end(); ++it)
        out.push_back({v, it.key(), it.value().get<double>()});
    } else {
      out.push_back({v, "", population["totals"]["value"][v].get<double>()});
    }
  }
  return out;
}

std::vector<double> indicator(const std::string& column, const std::string& level) {
  const Column& c = apiclus1().column(column);
  std::vector<double> out(apiclus1().rows());
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = c.text(i) == level ? 1 : 0;
  return out;
}

CalibrationOptions options_for(CalibrationOptions::Method method) {
  CalibrationOptions o;
  o.method = method;
  return o;
}

struct Case {
  std::string name;  // entry of "calibration" and column w_<name> of the weights CSV
  std::vector<std::string> variables;
  CalibrationOptions options;
};

std::vector<Case> cases() {
  CalibrationOptions rake_default = options_for(CalibrationOptions::Raking);
  rake_default.maxit = 10;  // R's rake(control = list(maxit = 10, epsilon = 1))
  rake_default.epsilon = 1;
  CalibrationOptions bounded = options_for(CalibrationOptions::Linear);
  bounded.bounds = std::make_pair(0.5, 2.0);
  return {{"poststratify", {"stype"}, options_for(CalibrationOptions::PostStratify)},
          {"rake", {"stype", "sch.wide"}, rake_default},
          // sipas's default raking converges to the fixed point, as R's tight control does.
          {"rake_tight", {"stype", "sch.wide"}, options_for(CalibrationOptions::Raking)},
          {"linear", {"stype", "api99"}, options_for(CalibrationOptions::Linear)},
          {"linear_bounded", {"stype", "api99"}, bounded}};
}

class RCalibrationTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    base_ = dclus1();
    design_ = calibrate(base_, apiclus1(), margins_of(GetParam().variables), GetParam().options,
                        &report_);
    ref_ = &calibration_reference()[GetParam().name];
  }
  Design base_ = Design();
  Design design_ = Design();
  CalibrationReport report_;
  const Json* ref_ = nullptr;
};

TEST_P(RCalibrationTest, MeanAndTotalWithTheirStandardErrors) {
  const std::string where = GetParam().name;
  auto m = mean(design_, apiclus1().numbers("api00")).estimate;
  expect_rel(m.estimate, value_of((*ref_)["mean_api00"]["estimate"]), estimate_tolerance,
             where + " mean api00");
  expect_rel(m.se, value_of((*ref_)["mean_api00"]["SE"]), se_tolerance, where + " mean api00 SE");
  auto t = total(design_, apiclus1().numbers("enroll")).estimate;
  expect_rel(t.estimate, value_of((*ref_)["total_enroll"]["estimate"]), estimate_tolerance,
             where + " total enroll");
  expect_rel(t.se, value_of((*ref_)["total_enroll"]["SE"]), se_tolerance,
             where + " total enroll SE");
  // Calibration changes neither the PSUs nor the degrees of freedom.
  EXPECT_EQ(m.df, base_.degrees_of_freedom());
}

TEST_P(RCalibrationTest, WeightRangeAndSum) {
  const std::string where = GetParam().name;
  expect_rel(report_.min_weight, value_of((*ref_)["weight_min"]), estimate_tolerance, where);
  expect_rel(report_.max_weight, value_of((*ref_)["weight_max"]), estimate_tolerance, where);
  expect_rel(report_.min_g, value_of((*ref_)["g_min"]), estimate_tolerance, where);
  expect_rel(report_.max_g, value_of((*ref_)["g_max"]), estimate_tolerance, where);
  EXPECT_EQ(report_.min_weight, design_.weights().minCoeff());
  EXPECT_EQ(report_.max_weight, design_.weights().maxCoeff());
  expect_rel(design_.weights().sum(), value_of((*ref_)["sum_weights"]), estimate_tolerance, where);
}

TEST_P(RCalibrationTest, EverySchoolsWeightAsR) {
  const Table& csv = calibrated_weights();
  ASSERT_EQ(csv.rows(), design_.rows());
  const Column& cds = csv.column("cds");
  const Column& data_cds = apiclus1().column("cds");
  const auto want = csv.numbers("w_" + GetParam().name);
  const auto base = csv.numbers("w_dclus1");
  for (std::size_t i = 0; i < csv.rows(); ++i) {
    ASSERT_EQ(cds.text(i), data_cds.text(i));
    const auto k = static_cast<Eigen::Index>(i);
    EXPECT_NEAR(design_.weights()[k], want[i], estimate_tolerance * want[i])
        << GetParam().name << " school " << cds.text(i);
    EXPECT_NEAR(base_.weights()[k], base[i], estimate_tolerance * base[i]);
  }
}

TEST_P(RCalibrationTest, CalibratedTotalsAsR) {
  const Json& ref = *ref_;
  auto check = [&](const char* key, const std::string& column, const std::string& prefix) {
    if (!ref.contains(key)) return;
    for (auto it = ref[key]["value"].begin(); it != ref[key]["value"].end(); ++it) {
      const std::string level = it.key().substr(prefix.size());
      auto t = total(design_, indicator(column, level)).estimate;
      expect_rel(t.estimate, it.value().get<double>(), estimate_tolerance,
                 GetParam().name + " " + it.key());
    }
  };
  check("check_total_stype", "stype", "stype");
  check("check_total_sch_wide", "sch.wide", "sch.wide");
  if (ref.contains("check_total_api99")) {
    expect_rel(total(design_, apiclus1().numbers("api99")).estimate.estimate,
               value_of(ref["check_total_api99"]), estimate_tolerance, GetParam().name + " api99");
  }
}

TEST_P(RCalibrationTest, IterationsAndMarginError) {
  const std::string name = GetParam().name;
  if (name == "rake") {
    // R's own stopping rule (epsilon = 1 count) stops after the same passes.
    EXPECT_EQ(report_.iterations, value_of((*ref_)["iterations"]));
    // ... short of the margins: the last pass still moved the table by 0.32.
    EXPECT_GT(report_.max_margin_error, 1e-6);
    EXPECT_LT(report_.max_margin_error, 1e-4);
    return;
  }
  if (name == "rake_tight") {
    // 1e-10 × Σw: R's recorded changes fall below 6.2e-7 at pass 10.
    const Json& deltas = (*ref_)["iterations"]["deltas"];
    int passes = 0;
    while (deltas[static_cast<std::size_t>(passes)].get<double>() >= 1e-10 * 6194)
      ++passes;
    EXPECT_EQ(report_.iterations, passes + 1);
    EXPECT_EQ(report_.iterations, 10);
  } else if (name == "linear_bounded") {
    // Newton steps of grake on the truncated linear distance (R converges after 2 too).
    EXPECT_EQ(report_.iterations, 2);
  } else {
    EXPECT_EQ(report_.iterations, 1);  // direct solutions
  }
  EXPECT_LT(report_.max_margin_error, margin_tolerance);
}

// Invariant: the calibrated weights meet every margin total. R's default
// raking stops early: only its last margin (post-stratified last) is met, the
// others are within its epsilon of 1 count.
TEST_P(RCalibrationTest, WeightsReproduceEveryMarginTotal) {
  const bool early_stop = GetParam().name == "rake";
  for (const Margin& m : margins_of(GetParam().variables)) {
    const auto y =
        m.level.empty() ? apiclus1().numbers(m.variable) : indicator(m.variable, m.level);
    double t = 0;
    for (std::size_t i = 0; i < y.size(); ++i)
      t += design_.weights()[static_cast<Eigen::Index>(i)] * y[i];
    const double tolerance = early_stop && m.variable != "sch.wide"
                                 ? 1.0 / std::max(1.0, std::fabs(m.total))
                                 : margin_tolerance;
    EXPECT_NEAR(t, m.total, tolerance * std::max(1.0, std::fabs(m.total)))
        << GetParam().name << " " << m.variable << "=" << m.level;
  }
}

INSTANTIATE_TEST_SUITE_P(Api, RCalibrationTest, ::testing::ValuesIn(cases()),
                         [](const auto& test) { return test.param.name; });

TEST(CalibrationTest, RakingWithRsTightControlTakesRsPasses) {
  CalibrationOptions o = options_for(CalibrationOptions::Raking);
  o.maxit = 100;
  o.epsilon = 1e-12;
  CalibrationReport report;
  Design d = calibrate(dclus1(), apiclus1(), margins_of({"stype", "sch.wide"}), o, &report);
  EXPECT_EQ(report.iterations, value_of(calibration_reference()["rake_tight"]["iterations"]));
  const auto want = calibrated_weights().numbers("w_rake_tight");
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(d.weights()[static_cast<Eigen::Index>(i)], want[i], 1e-12 * want[i]);
}

// Post-stratum counts are known exactly after post-stratification: they
// come out as the population counts, with no variance (R gives SE 0 too).
TEST(CalibrationTest, PostStratifiedDesignReproducesThePostStratumCounts) {
  Design d = calibrate(dclus1(), apiclus1(), margins_of({"stype"}),
                       options_for(CalibrationOptions::PostStratify));
  for (const Margin& m : margins_of({"stype"})) {
    auto t = total(d, indicator("stype", m.level)).estimate;
    EXPECT_NEAR(t.estimate, m.total, 1e-9 * m.total) << m.level;
    EXPECT_NEAR(t.se, 0, 1e-7 * m.total) << m.level;
  }
  // The original design is untouched.
  EXPECT_FALSE(dclus1().calibrated());
  EXPECT_TRUE(d.calibrated());
}

TEST(CalibrationTest, LinearCalibrationVariablesHaveNoVariance) {
  Design d = calibrate(dclus1(), apiclus1(), margins_of({"stype", "api99"}));
  auto t = total(d, apiclus1().numbers("api99")).estimate;
  EXPECT_NEAR(t.estimate, 3914069, 1e-9 * 3914069);
  EXPECT_NEAR(t.se, 0, 1e-7 * 3914069);
}

TEST(CalibrationTest, BoundsHold) {
  CalibrationOptions o = options_for(CalibrationOptions::Linear);
  o.bounds = std::make_pair(0.5, 2.0);
  CalibrationReport report;
  Design base = dclus1();
  Design d = calibrate(base, apiclus1(), margins_of({"stype", "api99"}), o, &report);
  const Eigen::VectorXd g = d.weights().cwiseQuotient(base.weights());
  EXPECT_GE(g.minCoeff(), 0.5 - 1e-12);
  EXPECT_LE(g.maxCoeff(), 2.0);
  EXPECT_EQ(report.min_g, g.minCoeff());
}

// A calibrated design can be calibrated again; the adjustments stack in
// order, as R appends to design$postStrata. Post-stratifying on what a linear
// calibration already met changes no weight, but the variance goes through
// both adjustments. R (survey 4.1-1), on the same data:
//   dlin <- calibrate(dclus1, ~stype + api99, population = pop_totals)
//   SE(svymean(~api00, postStratify(dlin, ~stype, pop_stype)))  # 3.4210599745815515
TEST(CalibrationTest, CalibratingTwiceStacksAsR) {
  Design once = calibrate(dclus1(), apiclus1(), margins_of({"stype", "api99"}));
  Design twice = calibrate(once, apiclus1(), margins_of({"stype"}),
                           options_for(CalibrationOptions::PostStratify));
  EXPECT_TRUE(twice.weights().isApprox(once.weights(), 1e-12));
  auto a = mean(once, apiclus1().numbers("api00")).estimate;
  auto b = mean(twice, apiclus1().numbers("api00")).estimate;
  EXPECT_NEAR(a.estimate, b.estimate, 1e-9 * a.estimate);
  expect_rel(b.se, 3.4210599745815515, se_tolerance, "post-stratified after linear");
}

// ---- margins.csv -------------------------------------------------------------------------------

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

void expect_error(const std::function<void()>& f, const std::string& id,
                  const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no error; expected " << id;
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), id) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(fragment));
  }
}

TEST(MarginsFileTest, LoadsAndCalibratesAsMarginsInCode) {
  sipas::test::TempDir dir("sipas-calibration");
  write(dir / "margins.csv",
        "variable,level,total\nstype,E,4421\nstype,H,755\nstype,M,1018\napi99,,3914069\n");
  const auto margins = load_margins(dir / "margins.csv");
  ASSERT_EQ(margins.size(), 4u);
  EXPECT_EQ(margins[1].variable, "stype");
  EXPECT_EQ(margins[1].level, "H");
  EXPECT_EQ(margins[1].total, 755);
  EXPECT_EQ(margins[3].level, "");
  EXPECT_EQ(margins[3].where, "margins.csv:5");
  Design a = calibrate(dclus1(), apiclus1(), margins);
  Design b = calibrate(dclus1(), apiclus1(), margins_of({"stype", "api99"}));
  EXPECT_TRUE(a.weights().isApprox(b.weights(), 1e-14));
}

TEST(MarginsFileTest, ErrorsNameTheLine) {
  sipas::test::TempDir dir("sipas-calibration");
  auto load = [&](const std::string& text) {
    return [&dir, text] {
      write(dir / "margins.csv", text);
      load_margins(dir / "margins.csv");
    };
  };
  expect_error(load("variable,level,total\nstype,E,4421\nstype,H,many\n"),
               "calibration.invalid_total", "margins.csv:3: the total of stype=H is 'many'");
  expect_error(load("variable,level,total\nstype,E,\n"), "calibration.invalid_total",
               "margins.csv:2: the total of stype=E is ''");
  expect_error(load("variable,level,total\nstype,E,1\nstype,H,2\nstype,E,3\n"),
               "calibration.duplicate_margin",
               "margins.csv:4: stype=E is given twice (first at margins.csv:2)");
  expect_error(load("variable,level,total\napi99,,1\napi99,,2\n"), "calibration.duplicate_margin",
               "margins.csv:3: api99 is given twice");
  expect_error(load("variable,level,total\napi99,,1\napi99,x,2\n"), "calibration.mixed_margin",
               "margins.csv:3: api99 has rows with and without a level");
  expect_error(load("variable,level,total\nstype,E,-4\n"), "calibration.negative_total",
               "margins.csv:2: the total of stype=E is -4");
  expect_error(load("variable,level,total\n,E,4\n"), "calibration.empty_variable",
               "margins.csv:2: the variable is empty");
  expect_error(load("variable,level,total\n"), "calibration.no_margins", "margins.csv: no margins");
  write(dir / "margins.csv", "variable,total\nstype,4\n");
  EXPECT_THROW(load_margins(dir / "margins.csv"), sipas::io::CsvError);
}

// ---- calibrations that cannot be done -----------------------------------------------------------

std::vector<Margin> with(std::vector<Margin> margins, const Margin& extra) {
  margins.push_back(extra);
  return margins;
}

TEST(CalibrationErrorTest, UnknownVariableOrLevel) {
  const Design d = dclus1();
  const auto raking = options_for(CalibrationOptions::Raking);
  expect_error(
      [&] {
        calibrate(d, apiclus1(), {{"stipe", "E", 1, "margins.csv:2"}});
      },
      "calibration.unknown_variable", "margins.csv:2: no column 'stipe' in apiclus1.csv");
  expect_error(
      [&] {
        calibrate(d, apiclus1(), with(margins_of({"stype"}), {"stype", "X", 10, "margins.csv:5"}),
                  raking);
      },
      "calibration.unknown_level",
      "margins.csv:5: level 'X' of stype (total 10) does not occur in apiclus1.csv (levels: H, E, "
      "M)");
  // A level with total 0 that the sample lacks too is harmless.
  EXPECT_NO_THROW(calibrate(d, apiclus1(), with(margins_of({"stype"}), {"stype", "X", 0}),
                            options_for(CalibrationOptions::PostStratify)));
}

TEST(CalibrationErrorTest, LevelOfTheDataMissingFromTheMargins) {
  std::vector<Margin> margins = {{"stype", "E", 4421}, {"stype", "H", 755}};
  expect_error(
      [&] {
        calibrate(dclus1(), apiclus1(), margins, options_for(CalibrationOptions::PostStratify));
      },
      "calibration.missing_level",
      "apiclus1.csv:11: level 'M' of stype occurs in the data but has no total in the margins");
}

TEST(CalibrationErrorTest, MissingValues) {
  expect_error(
      [&] {
        calibrate(dclus1(), apiclus1(), {{"acs.k3", "", 1000}});
      },
      "calibration.missing_value",
      "apiclus1.csv:2: 'acs.k3' is empty; a calibration variable cannot have missing "
      "values");
}

TEST(CalibrationErrorTest, TotalsThatCannotBeMet) {
  const Design d = dclus1();
  // Margins of two variables that count different populations.
  auto margins = margins_of({"stype", "sch.wide"});
  margins.back().total += 10;
  for (auto method : {CalibrationOptions::Raking, CalibrationOptions::Linear}) {
    expect_error([&] { calibrate(d, apiclus1(), margins, options_for(method)); },
                 "calibration.inconsistent_totals",
                 "the totals of sch.wide sum to 6204 but those of stype to 6194");
  }
  // A variable constant in the sample duplicates the population size.
  expect_error(
      [&] {
        calibrate(d, apiclus1(), with(margins_of({"stype"}), {"fpc", "", 1e6}));
      },
      "calibration.collinear", "fpc is a combination of the other margins");
  // A numeric variable that is 0 throughout the sample.
  std::vector<std::string> stype;
  for (std::size_t i = 0; i < apiclus1().rows(); ++i)
    stype.push_back(apiclus1().column("stype").text(i));
  const Table zeros = Table::from_columns(
      "zeros.csv", {{"stype", stype}, {"z", std::vector<std::string>(stype.size(), "0")}});
  expect_error(
      [&] {
        calibrate(d, zeros, with(margins_of({"stype"}), {"z", "", 5}));
      },
      "calibration.collinear", "z is 0 in every row of the sample");
  // A level present in the sample with no one in the population.
  expect_error(
      [&] {
        calibrate(d, apiclus1(),
                  {{"stype", "E", 4421, "m:2"}, {"stype", "H", 0, "m:3"}, {"stype", "M", 1018}},
                  options_for(CalibrationOptions::PostStratify));
      },
      "calibration.zero_total", "m:3: stype=H has total 0 but 14 rows of the data");
  // Unbounded linear calibration to a far-off total gives negative weights.
  auto far = margins_of({"stype", "api99"});
  far.back().total *= 1.5;
  expect_error([&] { calibrate(d, apiclus1(), far); }, "calibration.nonpositive_weight",
               "give bounds");
}

TEST(CalibrationErrorTest, InfeasibleBoundsAreAnError) {
  CalibrationOptions o = options_for(CalibrationOptions::Linear);
  o.bounds = std::make_pair(0.9, 1.1);  // the unbounded g spans 0.42 to 1.83
  expect_error(
      [&] {
        calibrate(dclus1(), apiclus1(), margins_of({"stype", "api99"}), o);
      },
      "calibration.not_converged",
      "linear calibration with bounds [0.9, 1.1] did not converge in 50 iterations: the "
      "largest margin error is ");
}

TEST(CalibrationErrorTest, RakingThatDoesNotConvergeIsAnError) {
  CalibrationOptions o = options_for(CalibrationOptions::Raking);
  o.maxit = 3;
  expect_error(
      [&] {
        calibrate(dclus1(), apiclus1(), margins_of({"stype", "sch.wide"}), o);
      },
      "calibration.not_converged",
      "raking did not converge in 3 passes: the weighted table of stype x sch.wide still "
      "changed by 3.98003602");
  try {
    calibrate(dclus1(), apiclus1(), margins_of({"stype", "sch.wide"}), o);
  } catch (const AnalysisError& e) {
    EXPECT_THAT(e.what(), HasSubstr("the largest margin error is stype="));
  }
}

TEST(CalibrationErrorTest, OptionsAndMethods) {
  const Design d = dclus1();
  CalibrationOptions o = options_for(CalibrationOptions::Raking);
  o.bounds = std::make_pair(0.5, 2.0);
  expect_error([&] { calibrate(d, apiclus1(), margins_of({"stype"}), o); },
               "calibration.invalid_options", "bounds apply to linear calibration only");
  o = options_for(CalibrationOptions::Linear);
  o.bounds = std::make_pair(0.0, 2.0);
  expect_error([&] { calibrate(d, apiclus1(), margins_of({"stype"}), o); },
               "calibration.invalid_bounds", "0 < lower < upper; got [0, 2]");
  o.bounds = std::make_pair(2.0, 0.5);
  expect_error([&] { calibrate(d, apiclus1(), margins_of({"stype"}), o); },
               "calibration.invalid_bounds", "got [2, 0.5]");
  o = options_for(CalibrationOptions::Raking);
  o.maxit = 0;
  expect_error([&] { calibrate(d, apiclus1(), margins_of({"stype"}), o); },
               "calibration.invalid_options", "maxit must be at least 1");
  expect_error(
      [&] {
        calibrate(d, apiclus1(), margins_of({"stype", "sch.wide"}),
                  options_for(CalibrationOptions::PostStratify));
      },
      "calibration.method_variables", "post-stratification takes one categorical variable");
  expect_error(
      [&] {
        calibrate(d, apiclus1(), margins_of({"stype", "api99"}),
                  options_for(CalibrationOptions::Raking));
      },
      "calibration.method_variables", "raking takes categorical variables; api99");
  expect_error([&] { calibrate(d, apiclus1(), {}); }, "calibration.no_margins", "no margins");
  const Table other = Table::from_columns("other.csv", {{"stype", {"E", "H"}}});
  expect_error([&] { calibrate(d, other, margins_of({"stype"})); }, "calibration.size_mismatch",
               "other.csv has 2 rows but the design has 183");
}

}  // namespace
