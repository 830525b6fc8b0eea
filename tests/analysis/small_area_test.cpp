// The Fay–Herriot fit against the independent R computation of
// tests/reference/small_area_reference.R (metafor and the formulas in base R,
// on the milk data), against the published fixed effects, on cases worked by
// hand, and its errors. The ranks and the coverage study are in
// small_area_ranks_test.cpp.

#include "analysis/small_area.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "analysis/error.hpp"
#include "analysis/table.hpp"
#include "tests/support/reference_values.hpp"

namespace {

using namespace sipas::analysis;
using Json = nlohmann::json;
using ::testing::HasSubstr;

// R's σ²_v is the root of the score to ~1e-15; sipas stops when a scoring
// step changes σ²_v by less than 1e-10 of itself.
constexpr double tolerance = 1e-8;

const Json& reference() {
  return sipas::test::reference_json("small_area_reference.json");
}

AreaData milk(const std::vector<std::string>& covariates, const std::vector<std::string>& factors,
              bool standard_errors = false) {
  const Table table = Table::load(sipas::test::reference_file("small_area_milk.csv"));
  AreaColumns columns;
  columns.area = "SmallArea";
  columns.direct = "yi";
  (standard_errors ? columns.se : columns.variance) = standard_errors ? "SD" : "D";
  columns.covariates = covariates;
  columns.factors = factors;
  return read_area_data(table, columns);
}

std::vector<std::string> strings(const Json& array) {
  std::vector<std::string> out;
  for (const auto& s : array)
    out.push_back(s.get<std::string>());
  return out;
}

void expect_vector(const Eigen::VectorXd& got, const Json& record, const std::string& what) {
  const Json& want = record["value"];
  ASSERT_EQ(got.size(), static_cast<Eigen::Index>(want.size())) << what;
  for (Eigen::Index i = 0; i < got.size(); ++i)
    sipas::test::expect_relative(got[i], want[static_cast<std::size_t>(i)].get<double>(), tolerance,
                                 what + "[" + std::to_string(i) + "]");
}

void expect_scalar(double got, const Json& record, const std::string& what) {
  sipas::test::expect_relative(got, record["value"].get<double>(), tolerance, what);
}

class MilkAgainstR : public ::testing::TestWithParam<std::pair<std::string, VarianceFit>> {};

TEST_P(MilkAgainstR, EveryNumberMatches) {
  const auto& [name, method] = GetParam();
  const Json& c = reference()["cases"][name];
  const Json& ref = c[to_string(method)];
  const AreaData data = milk(strings(c["covariates"]), strings(c["factors"]));
  FayHerriotOptions options;
  options.method = method;
  const FayHerriotFit fit = fit_fay_herriot(data, options);
  SCOPED_TRACE(name + " " + to_string(method));
  EXPECT_TRUE(fit.converged);
  EXPECT_FALSE(fit.truncated);
  EXPECT_LT(fit.iterations, 40);
  expect_scalar(fit.sigma2_v, ref["sigma2_v"], "sigma2_v");
  expect_vector(fit.beta, ref["beta"], "beta");
  expect_vector(fit.beta_se, ref["beta_se"], "beta_se");
  expect_vector(fit.synthetic, ref["synthetic"], "synthetic");
  expect_vector(fit.eblup, ref["eblup"], "eblup");
  expect_vector(fit.gamma, ref["gamma"], "gamma");
  expect_vector(fit.g1, ref["g1"], "g1");
  expect_vector(fit.g2, ref["g2"], "g2");
  expect_vector(fit.g3, ref["g3"], "g3");
  expect_vector(fit.mse, ref["mse"], "mse");
  expect_scalar(fit.loglik, ref["loglik"], "loglik");
  expect_scalar(fit.aic, ref["aic"], "aic");
  expect_scalar(fit.bic, ref["bic"], "bic");
  expect_vector(fit.residual, ref["residual"], "residual");
  const Json& check = ref["residual_check"];
  expect_scalar(fit.residual_check.mean, check["mean"], "residual mean");
  expect_scalar(fit.residual_check.sd, check["sd"], "residual sd");
  EXPECT_EQ(fit.residual_check.beyond, check["beyond_1_96"]["value"].get<std::size_t>());
  expect_scalar(fit.residual_check.skewness, check["skewness"], "skewness");
  expect_scalar(fit.residual_check.kurtosis, check["kurtosis"], "kurtosis");
  expect_scalar(fit.residual_check.jarque_bera, check["jarque_bera"], "jarque_bera");
  expect_scalar(fit.residual_check.jarque_bera_p, check["jarque_bera_p"], "jarque_bera_p");
  if (method == VarianceFit::Ml) expect_scalar(fit.bias_ml, ref["b_ml"], "b_ml");
  // metafor, a tool of its own (to its convergence, 1e-6).
  sipas::test::expect_relative(fit.sigma2_v, ref["metafor"]["tau2"]["value"].get<double>(), 1e-6,
                               "metafor tau2");
  EXPECT_EQ(fit.beta.size(), static_cast<Eigen::Index>(c["columns"].size()));
}

INSTANTIATE_TEST_SUITE_P(
    SmallArea, MilkAgainstR,
    ::testing::Values(std::pair{std::string("milk_factor"), VarianceFit::Reml},
                      std::pair{std::string("milk_factor"), VarianceFit::Ml},
                      std::pair{std::string("milk_logni"), VarianceFit::Reml},
                      std::pair{std::string("milk_logni"), VarianceFit::Ml},
                      std::pair{std::string("milk_logni_factor"), VarianceFit::Reml},
                      std::pair{std::string("milk_logni_factor"), VarianceFit::Ml}),
    [](const auto& param_info) {
      return param_info.param.first + "_" + to_string(param_info.param.second);
    });

TEST(SmallArea, MilkGivesThePublishedFixedEffects) {
  // Rao and Molina (2015) and sae's example: 0.968, 0.133, 0.227, −0.241.
  const FayHerriotFit fit = fit_fay_herriot(milk({}, {"MajorArea"}));
  const double published[] = {0.968, 0.133, 0.227, -0.241};
  for (int k = 0; k < 4; ++k)
    EXPECT_NEAR(fit.beta[k], published[k], 5e-4) << k;
}

TEST(SmallArea, FactorDummiesAreNamedAfterTheirLevels) {
  const AreaData data = milk({"log_ni"}, {"MajorArea"});
  EXPECT_EQ(data.x_names, (std::vector<std::string>{"(intercept)", "log_ni", "MajorArea=2",
                                                    "MajorArea=3", "MajorArea=4"}));
  EXPECT_EQ(data.areas.front(), "1");
  EXPECT_EQ(data.areas.back(), "43");
  EXPECT_EQ(data.lines.front(), 2u);
}

TEST(SmallArea, StandardErrorsAreSquared) {
  const FayHerriotFit a = fit_fay_herriot(milk({}, {"MajorArea"}, false));
  const FayHerriotFit b = fit_fay_herriot(milk({}, {"MajorArea"}, true));
  EXPECT_EQ(a.sigma2_v, b.sigma2_v);
  EXPECT_EQ(a.mse, b.mse);
}

TEST(SmallArea, LevelsInNumericOrderWhenNumbersElseByteOrder) {
  const Table numeric = Table::from_columns("f.csv", {{"a", {"a", "b", "c", "d", "e", "f"}},
                                                      {"y", {"1", "2", "3", "4", "5", "7"}},
                                                      {"d", {"1", "1", "1", "1", "1", "1"}},
                                                      {"g", {"10", "9", "10", "9", "2", "2"}},
                                                      {"h", {"x", "B", "x", "B", "a", "a"}}});
  AreaColumns c;
  c.area = "a";
  c.direct = "y";
  c.variance = "d";
  c.factors = {"g", "h"};
  const AreaData data = read_area_data(numeric, c);
  EXPECT_EQ(data.x_names, (std::vector<std::string>{"(intercept)", "g=9", "g=10", "h=a", "h=x"}));
  EXPECT_EQ(data.x(0, 2), 1);                 // a: g = 10
  EXPECT_EQ(data.x(1, 1), 1);                 // b: g = 9
  EXPECT_EQ(data.x(4, 1) + data.x(4, 2), 0);  // e: g = 2, the base level
}

// Equal D and an intercept only: REML gives σ²_v = s² − D and ML
// (m − 1)/m s² − D (Rao and Molina 2015, §6.1.2), and everything else
// follows by hand. y = 1, 2, 4 (mean 7/3, s² = 7/3), D = 1/2.
AreaData three_areas() {
  AreaData d;
  d.areas = {"a", "b", "c"};
  d.direct = Eigen::Vector3d(1, 2, 4);
  d.variance = Eigen::Vector3d::Constant(0.5);
  d.x = Eigen::MatrixXd::Ones(3, 1);
  d.x_names = {"(intercept)"};
  return d;
}

TEST(SmallArea, ThreeAreasByHandReml) {
  const FayHerriotFit f = fit_fay_herriot(three_areas());
  EXPECT_NEAR(f.sigma2_v, 11.0 / 6, 1e-12);
  EXPECT_NEAR(f.beta[0], 7.0 / 3, 1e-12);
  // γ = σ²/(σ² + D) = (11/6)/(14/6).
  for (int i = 0; i < 3; ++i)
    EXPECT_NEAR(f.gamma[i], 11.0 / 14, 1e-12);
  EXPECT_NEAR(f.eblup[0], 11.0 / 14 * 1 + 3.0 / 14 * 7 / 3, 1e-12);  // 9/7
  EXPECT_NEAR(f.eblup[2], 11.0 / 14 * 4 + 3.0 / 14 * 7 / 3, 1e-12);
  // g1 = γD = 11/28; g2 = (1 − γ)² (σ² + D)/m = 1/28;
  // g3 = (1 − γ)² V̄/(σ² + D) with V̄ = 2 (σ² + D)²/m: 1/14; MSE = 4/7.
  EXPECT_NEAR(f.g1[1], 11.0 / 28, 1e-12);
  EXPECT_NEAR(f.g2[1], 1.0 / 28, 1e-12);
  EXPECT_NEAR(f.g3[1], 1.0 / 14, 1e-12);
  EXPECT_NEAR(f.mse[1], 4.0 / 7, 1e-12);
  EXPECT_NEAR(f.beta_se[0], std::sqrt((11.0 / 6 + 0.5) / 3), 1e-12);
}

TEST(SmallArea, ThreeAreasByHandMl) {
  FayHerriotOptions ml;
  ml.method = VarianceFit::Ml;
  const FayHerriotFit f = fit_fay_herriot(three_areas(), ml);
  EXPECT_NEAR(f.sigma2_v, 2.0 / 3 * 7 / 3 - 0.5, 1e-12);  // 19/18
  EXPECT_NEAR(f.gamma[0], 19.0 / 28, 1e-12);
  // b_ML = −tr(Q X'V⁻²X)/Σ(σ² + D)⁻² = −1/m · (σ² + D)... = −(σ² + D)/m
  const double v = 19.0 / 18 + 0.5;
  EXPECT_NEAR(f.bias_ml, -v / 3, 1e-12);
  const double shrink2 = (9.0 / 28) * (9.0 / 28);
  EXPECT_NEAR(f.mse[0],
              19.0 / 28 * 0.5 + shrink2 * v / 3 + 2 * shrink2 * 2 * v / 3 + shrink2 * v / 3, 1e-12);
}

TEST(SmallArea, VarianceTruncatedAtZeroWhenDirectEstimatesVaryLessThanTheirVariances) {
  AreaData d;
  d.areas = {"a", "b", "c", "d", "e"};
  d.direct.resize(5);
  d.direct << 1.0, 1.1, 0.9, 1.05, 0.95;  // s² = 0.00625
  d.variance = Eigen::VectorXd::LinSpaced(5, 0.5, 1.5);
  d.x = Eigen::MatrixXd::Ones(5, 1);
  for (VarianceFit method : {VarianceFit::Reml, VarianceFit::Ml}) {
    FayHerriotOptions o;
    o.method = method;
    const FayHerriotFit f = fit_fay_herriot(d, o);
    EXPECT_TRUE(f.converged);
    EXPECT_TRUE(f.truncated);
    EXPECT_EQ(f.sigma2_v, 0);
    EXPECT_EQ(f.gamma, Eigen::VectorXd::Zero(5));
    EXPECT_EQ(f.eblup, f.synthetic);  // every EBLUP is the weighted mean
    const double mean =
        (d.direct.array() / d.variance.array()).sum() / d.variance.array().inverse().sum();
    EXPECT_NEAR(f.eblup[3], mean, 1e-14);
    EXPECT_EQ(f.g1, Eigen::VectorXd::Zero(5));
    EXPECT_GT(f.mse.minCoeff(), 0);
  }
}

TEST(SmallArea, TooFewAreas) {
  AreaData d = three_areas();
  d.x.conservativeResize(3, 2);
  d.x.col(1) << 1, 2, 5;
  d.x_names.push_back("z");
  try {
    fit_fay_herriot(d);
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "small_area.too_few_areas");
    EXPECT_THAT(e.what(), HasSubstr("3 areas for 2 regression coefficients"));
  }
}

TEST(SmallArea, InvalidVarianceNamesTheAreaAndLine) {
  AreaData d = three_areas();
  d.source = "communes.csv";
  d.lines = {2, 3, 4};
  d.variance[1] = 0;
  try {
    fit_fay_herriot(d);
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "small_area.invalid_variance");
    EXPECT_THAT(e.what(), HasSubstr("communes.csv:3: area 'b'"));
  }
}

TEST(SmallArea, SingularCovariatesNameTheColumn) {
  AreaData d;
  d.direct = Eigen::VectorXd::LinSpaced(6, 1, 6);
  d.variance = Eigen::VectorXd::Constant(6, 1);
  d.x.resize(6, 3);
  d.x.col(0).setOnes();
  d.x.col(1) << 1, 2, 3, 1, 2, 3;
  d.x.col(2) = 1000 + 2 * d.x.col(1).array();  // intercept and x1 make it
  d.x_names = {"(intercept)", "x1", "x2"};
  try {
    fit_fay_herriot(d);
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "small_area.singular_covariates");
    EXPECT_THAT(e.what(), HasSubstr("'x2' is a linear combination"));
  }
  d.x.col(2) << 0.001, 0, 0, 0, 0, 0.002;  // tiny but not a combination: fine
  EXPECT_NO_THROW(fit_fay_herriot(d));
}

TEST(SmallArea, NotConverged) {
  FayHerriotOptions o;
  o.max_iterations = 1;
  try {
    fit_fay_herriot(milk({}, {"MajorArea"}), o);
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "small_area.not_converged");
    EXPECT_THAT(e.what(), HasSubstr("did not settle in 1 iterations"));
  }
}

TEST(SmallArea, ReadingNamesFileLineAndColumn) {
  auto table = [](std::vector<std::string> y, std::vector<std::string> d,
                  std::vector<std::string> area) {
    return Table::from_columns("communes.csv", {{"area", area}, {"y", y}, {"d", d}});
  };
  AreaColumns c;
  c.area = "area";
  c.direct = "y";
  c.variance = "d";
  const std::vector<std::string> names{"A", "B", "C", "D"};
  auto expect_error = [&](const Table& t, const std::string& id, const std::string& text) {
    try {
      read_area_data(t, c);
      FAIL() << id;
    } catch (const AnalysisError& e) {
      EXPECT_EQ(e.id(), id);
      EXPECT_THAT(e.what(), HasSubstr(text));
    }
  };
  expect_error(table({"1", "x", "3", "4"}, {"1", "1", "1", "1"}, names), "small_area.not_numeric",
               "communes.csv:3: column 'y' (area 'B'): must be a number, not 'x'");
  expect_error(table({"1", "2", "", "4"}, {"1", "1", "1", "1"}, names), "small_area.missing_value",
               "communes.csv:4: column 'y' (area 'C'): no value");
  expect_error(table({"1", "2", "3", "4"}, {"1", "1", "1", "-2"}, names),
               "small_area.invalid_variance", "communes.csv:5: column 'd' (area 'D')");
  expect_error(table({"1", "2", "3", "4"}, {"1", "0", "1", "1"}, names),
               "small_area.invalid_variance", "must be > 0, not 0");
  expect_error(table({"1", "2", "3", "4"}, {"1", "1", "1", "1"}, {"A", "B", "A", "D"}),
               "small_area.duplicate_area",
               "communes.csv:4: column 'area' (area 'A'): appears "
               "twice (first on line 2)");
  expect_error(table({"1", "2", "3", "4"}, {"1", "1", "1", "1"}, {"A", "", "C", "D"}),
               "small_area.missing_value", "communes.csv:3: column 'area': no area name");
}

}  // namespace
