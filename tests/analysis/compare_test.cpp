// Comparisons within one design (analysis/compare.*, compare_run.*) and the
// multiple-testing adjustments (analysis/multiple_testing.*), against R
// (tests/reference/compare_reference.R): svycontrast of svyby(covmat = TRUE)
// for pairs, the SE of an influence variable's total (checked in R against
// the delta method) for each domain against everyone, svrVar of replicate
// differences for JKn and JK1, p from pt(df = degf), p.adjust.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "analysis/compare_run.hpp"
#include "analysis/error.hpp"
#include "analysis/multiple_testing.hpp"
#include "tests/support/reference_values.hpp"

namespace sipas::analysis {
namespace {

using Json = nlohmann::json;
using sipas::test::expect_relative;
using sipas::test::reference_file;

constexpr double estimate_tolerance = 1e-9;
constexpr double se_tolerance = 1e-7;

const Json& reference() {
  return sipas::test::reference_json("compare_reference.json");
}

std::string api_file(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/../shared/data/api/" + name + ".csv";
}

// The designs of the reference, as compare_reference.R builds them.
AnalysisRequest design_of(const std::string& name) {
  AnalysisRequest r;
  if (name == "dstrat" || name == "jkn_dstrat") {
    r.data = api_file("apistrat");
    r.design.strata = "stype";
  } else {
    r.data = api_file("apiclus1");
    r.design.clusters = {"dnum"};
  }
  r.design.weights = "pw";
  r.design.fpc = {"fpc"};
  if (name == "jkn_dstrat")
    r.replicates = ReplicateMethod{ReplicateMethod::Kind::JKn, std::nullopt};
  if (name == "jk1_dclus1")
    r.replicates = ReplicateMethod{ReplicateMethod::Kind::JK1, std::nullopt};
  if (name == "dclus1_ps") {
    r.margins = reference_file("compare_margins.csv");
    r.calfun = CalibrationOptions::PostStratify;
  }
  return r;
}

std::string design_name(const std::string& case_name) {
  return case_name.substr(0, case_name.rfind('_'));
}

CompareRequest request_for(const std::string& case_name, const Json& c) {
  CompareRequest r;
  r.analysis = design_of(design_name(case_name));
  r.analysis.statistics = {
      c["statistic"] == "mean"
          ? parse_statistic(StatisticRequest::Kind::Mean, "api00")
          : parse_statistic(StatisticRequest::Kind::Proportion, "sch.wide=Yes")};
  r.analysis.by = {c["by"].get<std::string>()};
  return r;
}

std::vector<std::string> case_names() {
  std::vector<std::string> out;
  for (const auto& [name, c] : reference()["cases"].items())
    out.push_back(name);
  return out;
}

class CompareCase : public ::testing::TestWithParam<std::string> {};

TEST_P(CompareCase, DomainEstimatesMatchSvyby) {
  const Json& c = reference()["cases"][GetParam()];
  CompareRequest r = request_for(GetParam(), c);
  r.each_vs_all = true;
  const CompareResult result = run_compare(r);
  ASSERT_EQ(result.estimates.size(), c["estimates"]["value"].size() + 1);
  expect_relative(result.estimates[0].estimate, c["overall"]["value"]["estimate"], 1e-9, "overall");
  expect_relative(result.estimates[0].se, c["overall"]["value"]["se"], se_tolerance, "overall se");
  for (std::size_t k = 1; k < result.estimates.size(); ++k) {
    const std::string level = result.estimates[k].domain.front().second;
    expect_relative(result.estimates[k].estimate, c["estimates"]["value"][level],
                    estimate_tolerance, level);
    expect_relative(result.estimates[k].se, c["se"]["value"][level], se_tolerance, level + " se");
  }
}

TEST_P(CompareCase, EachDomainAgainstEveryone) {
  const Json& c = reference()["cases"][GetParam()];
  CompareRequest r = request_for(GetParam(), c);
  r.each_vs_all = true;
  r.adjustment = Adjustment::Holm;
  CompareResult result = run_compare(r);
  const Json& want = c["each_vs_all"];
  ASSERT_EQ(result.comparisons.size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k) {
    const Difference& d = result.comparisons[k];
    const std::string what = GetParam() + " " + d.a + " - all";
    EXPECT_EQ(d.a, want[k]["a"]);
    EXPECT_EQ(d.b, "all");
    EXPECT_EQ(d.df, c["df"]["value"].get<double>()) << what;
    expect_relative(d.difference, want[k]["difference"], estimate_tolerance, what);
    expect_relative(d.se, want[k]["se"], se_tolerance, what + " se");
    expect_relative(d.ci_low, want[k]["ci_low"], se_tolerance, what + " ci_low");
    expect_relative(d.ci_high, want[k]["ci_high"], se_tolerance, what + " ci_high");
    expect_relative(d.p, want[k]["p"], se_tolerance, what + " p");
    expect_relative(d.p_adjusted, c["each_holm"]["value"][k], se_tolerance, what + " holm");
    EXPECT_EQ(d.significant, d.p_adjusted < 0.05) << what;
    EXPECT_EQ(d.direction, !d.significant ? "none" : d.difference > 0 ? "above" : "below");
  }
  adjust(result.comparisons, Adjustment::BH, 0.95);
  for (std::size_t k = 0; k < want.size(); ++k) {
    expect_relative(result.comparisons[k].p_adjusted, c["each_BH"]["value"][k], se_tolerance,
                    GetParam() + " BH " + std::to_string(k));
  }
}

TEST_P(CompareCase, PairsAsSvycontrast) {
  const Json& c = reference()["cases"][GetParam()];
  CompareRequest r = request_for(GetParam(), c);
  for (const auto& p : c["pairs"])
    r.pairs.emplace_back(p["a"], p["b"]);
  r.adjustment = Adjustment::BH;
  const CompareResult result = run_compare(r);
  const Json& want = c["pairs"];
  ASSERT_EQ(result.comparisons.size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k) {
    const Difference& d = result.comparisons[k];
    const std::string what = GetParam() + " " + d.a + " - " + d.b;
    expect_relative(d.difference, want[k]["difference"], estimate_tolerance, what);
    expect_relative(d.se, want[k]["se"], se_tolerance, what + " se");
    if (want[k].contains("covariance"))
      expect_relative(d.covariance, want[k]["covariance"], se_tolerance, what + " covariance");
    expect_relative(d.ci_low, want[k]["ci_low"], se_tolerance, what + " ci_low");
    expect_relative(d.ci_high, want[k]["ci_high"], se_tolerance, what + " ci_high");
    expect_relative(d.p, want[k]["p"], se_tolerance, what + " p");
    const Json& bh = c["pairs_BH"]["value"];
    expect_relative(d.p_adjusted, bh.is_array() ? bh[k] : bh, se_tolerance, what + " BH");
  }
}

std::string case_label(const ::testing::TestParamInfo<std::string>& param) {
  return param.param;
}

INSTANTIATE_TEST_SUITE_P(Reference, CompareCase, ::testing::ValuesIn(case_names()), case_label);

// Two domains of a stratified sample are in different strata: their
// estimates are independent, and svyby's covariance is exactly 0.
TEST(Compare, DomainsInSeparateStrataHaveNoCovariance) {
  const Json& c = reference()["cases"]["dstrat_mean"];
  CompareRequest r = request_for("dstrat_mean", c);
  r.pairs = {{"E", "H"}};
  const auto result = run_compare(r);
  EXPECT_EQ(result.comparisons[0].covariance, 0);
}

// A level against "all" through --pair is the each-vs-all comparison.
TEST(Compare, PairWithAllIsTheOverlapComparison) {
  const Json& c = reference()["cases"]["dclus1_mean"];
  CompareRequest r = request_for("dclus1_mean", c);
  r.pairs = {{"H", "all"}};
  const auto result = run_compare(r);
  ASSERT_EQ(result.comparisons.size(), 1u);
  expect_relative(result.comparisons[0].se, c["each_vs_all"][1]["se"], se_tolerance, "H - all");
  EXPECT_EQ(c["each_vs_all"][1]["a"], "H");
}

TEST(Compare, RequestErrors) {
  const Json& c = reference()["cases"]["dstrat_mean"];
  auto expect_error = [&](CompareRequest r, const std::string& id, const std::string& message) {
    try {
      run_compare(r);
      ADD_FAILURE() << "no error, expected " << id;
    } catch (const AnalysisError& e) {
      EXPECT_EQ(e.id(), id);
      EXPECT_EQ(std::string(e.what()), message);
    }
  };
  CompareRequest r = request_for("dstrat_mean", c);
  r.pairs = {{"E", "X"}};
  expect_error(r, "compare.unknown_level",
               "`pairs` E,X: 'X' is no level of column 'stype' (levels: E, H, M; or all)");
  r.pairs = {{"E", "E"}};
  expect_error(r, "compare.invalid_pair", "`pairs` E,E: compares a level with itself");
  r.pairs = {{"E", "H"}};
  r.each_vs_all = true;
  expect_error(r, "compare.conflicting_options",
               "give `pairs` or `each_vs_all`, not both (for a level against the whole "
               "population, `pairs` LEVEL,all)");
  r.each_vs_all = false;
  r.analysis.by.clear();
  expect_error(r, "compare.missing_option",
               "`by` COL is required: the column whose levels are compared");
  r.analysis.by = {"stype"};
  r.pairs.clear();
  expect_error(r, "compare.nothing_to_do",
               "ask for `pairs` A,B, `each_vs_all`, or `last_year` FILE / `last_year_data` FILE");
  r.each_vs_all = true;
  r.analysis.statistics = {parse_statistic(StatisticRequest::Kind::Total, "api00")};
  expect_error(r, "compare.invalid_statistic",
               "give one `statistics.mean` VAR or one `statistics.proportion` VAR=CODES");
}

// R's p.adjust, NA and ties included (compare_reference.json, "p_adjust").
TEST(MultipleTesting, AsRsPAdjust) {
  const Json& ref = reference()["p_adjust"];
  std::vector<double> p = ref["p"].get<std::vector<double>>();
  const std::size_t missing = ref["missing"].get<std::size_t>() - 1;  // R's is 1-based
  p.insert(p.begin() + static_cast<std::ptrdiff_t>(missing), std::nan(""));
  for (const auto& [method, adjustment] :
       {std::pair{"holm", Adjustment::Holm}, std::pair{"BH", Adjustment::BH}}) {
    const auto got = adjust_p(p, adjustment);
    const auto want = ref[method]["value"].get<std::vector<double>>();
    ASSERT_EQ(got.size(), want.size() + 1);
    EXPECT_TRUE(std::isnan(got[missing])) << method;
    for (std::size_t k = 0, j = 0; k < got.size(); ++k) {
      if (k == missing) continue;
      // The same operations in the same order as R: the same doubles.
      EXPECT_EQ(got[k], want[j++]) << method << " " << k;
    }
  }
  EXPECT_EQ(adjust_p({0.3}, Adjustment::Holm)[0], ref["one_holm"]["value"].get<double>());
  EXPECT_EQ(adjust_p({0.4, 0.6, 0.7}, Adjustment::Holm),
            ref["capped_holm"]["value"].get<std::vector<double>>());
  EXPECT_EQ(adjust_p({0.9, 0.95, 0.99}, Adjustment::BH),
            ref["capped_BH"]["value"].get<std::vector<double>>());
  EXPECT_EQ(adjust_p({0.2, 0.01}, Adjustment::None), (std::vector<double>{0.2, 0.01}));
}

// Holm and BH written out on four p-values: Holm sorts them (0.01, 0.02,
// 0.03, 0.04), multiplies by 4, 3, 2, 1 (0.04, 0.06, 0.06, 0.04) and keeps
// the running maximum (0.04, 0.06, 0.06, 0.06); BH multiplies the sorted
// values by 4/1, 4/2, 4/3, 4/4 (0.04, 0.04, 0.04, 0.04) and keeps the
// running minimum from the largest.
TEST(MultipleTesting, ByHand) {
  const std::vector<double> p = {0.03, 0.01, 0.04, 0.02};
  const auto holm = adjust_p(p, Adjustment::Holm);
  EXPECT_DOUBLE_EQ(holm[0], 0.06);
  EXPECT_DOUBLE_EQ(holm[1], 0.04);
  EXPECT_DOUBLE_EQ(holm[2], 0.06);
  EXPECT_DOUBLE_EQ(holm[3], 0.06);
  for (double x : adjust_p(p, Adjustment::BH))
    EXPECT_DOUBLE_EQ(x, 0.04);
  EXPECT_EQ(adjustment_from_string("BH"), Adjustment::BH);
  EXPECT_EQ(adjustment_from_string("bh"), std::nullopt);
}

}  // namespace
}  // namespace sipas::analysis
