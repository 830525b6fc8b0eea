// Linearized estimators on the api data sets, against R's survey package
// (tests/reference/analysis_reference.json, made by analysis_reference.R).
// Estimates must agree to a relative 1e-9 and standard errors to 1e-7.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "analysis/design.hpp"
#include "analysis/error.hpp"
#include "analysis/estimators.hpp"
#include "analysis/intervals.hpp"
#include "api_designs.hpp"

namespace {

using namespace sipas::analysis;
using namespace sipas::analysis::test;

class RDesignTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    data_ = Table::load(data_file(GetParam().file));
    design_ = Design::build(data_, GetParam().columns);
    ref_ = &reference()["estimates"][GetParam().name];
  }
  std::vector<double> indicator(const std::string& column, const std::string& level) const {
    const Column& c = data_.column(column);
    std::vector<double> out(data_.rows());
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = c.is_missing(i) ? NAN : c.text(i) == level ? 1 : 0;
    return out;
  }
  Table data_;
  Design design_ = Design();
  const Json* ref_ = nullptr;
};

TEST_P(RDesignTest, SizesAndDegreesOfFreedom) {
  EXPECT_EQ(design_.rows(), static_cast<std::size_t>(value_of((*ref_)["n"])));
  EXPECT_EQ(design_.degrees_of_freedom(), value_of((*ref_)["degf"]));
  expect_rel(design_.weights().sum(), value_of((*ref_)["sum_weights"]), estimate_tolerance,
             "sum of weights");
}

TEST_P(RDesignTest, MeansAndTotals) {
  for (const char* variable : {"api00", "enroll", "api99"}) {
    auto y = data_.numbers(variable);
    auto m = mean(design_, y).estimate;
    auto t = total(design_, y).estimate;
    const Json& rm = (*ref_)[std::string("mean_") + variable];
    const Json& rt = (*ref_)[std::string("total_") + variable];
    const std::string where = GetParam().name + " " + variable;
    expect_rel(m.estimate, value_of(rm["estimate"]), estimate_tolerance, where + " mean");
    expect_rel(m.se, value_of(rm["SE"]), se_tolerance, where + " mean SE");
    expect_rel(m.deff, value_of(rm["deff"]), se_tolerance, where + " mean deff");
    expect_rel(m.deff_replace, value_of(rm["deff_replace"]), se_tolerance,
               where + " mean deff replace");
    expect_rel(t.estimate, value_of(rt["estimate"]), estimate_tolerance, where + " total");
    expect_rel(t.se, value_of(rt["SE"]), se_tolerance, where + " total SE");
    expect_rel(t.deff, value_of(rt["deff"]), se_tolerance, where + " total deff");
    expect_rel(t.deff_replace, value_of(rt["deff_replace"]), se_tolerance,
               where + " total deff replace");
  }
}

TEST_P(RDesignTest, Ratio) {
  auto r = ratio(design_, data_.numbers("api00"), data_.numbers("api99")).estimate;
  const Json& rr = (*ref_)["ratio_api00_api99"];
  expect_rel(r.estimate, value_of(rr["ratio"]), estimate_tolerance, "ratio");
  expect_rel(r.se, value_of(rr["SE"]), se_tolerance, "ratio SE");
}

TEST_P(RDesignTest, DomainsUseTheWholeDesign) {
  auto api00 = data_.numbers("api00");
  auto enroll = data_.numbers("enroll");
  const Column& stype = data_.column("stype");
  for (const char* level : {"E", "H", "M"}) {
    RowMask domain(data_.rows());
    for (std::size_t i = 0; i < domain.size(); ++i)
      domain[i] = stype.text(i) == level;
    const std::string where = GetParam().name + " stype=" + level;
    auto m = mean(design_, api00, domain).estimate;
    expect_rel(m.estimate, (*ref_)["by_stype_mean_api00"]["estimate"]["value"][level].get<double>(),
               estimate_tolerance, where);
    expect_rel(m.se, (*ref_)["by_stype_mean_api00"]["SE"]["value"][level].get<double>(),
               se_tolerance, where + " SE");
    auto t = total(design_, api00, domain).estimate;
    expect_rel(t.estimate,
               (*ref_)["by_stype_total_api00"]["estimate"]["value"][level].get<double>(),
               estimate_tolerance, where + " total");
    expect_rel(t.se, (*ref_)["by_stype_total_api00"]["SE"]["value"][level].get<double>(),
               se_tolerance, where + " total SE");
    auto te = total(design_, enroll, domain).estimate;
    expect_rel(te.estimate,
               (*ref_)["by_stype_total_enroll"]["estimate"]["value"][level].get<double>(),
               estimate_tolerance, where + " total enroll");
    expect_rel(te.se, (*ref_)["by_stype_total_enroll"]["SE"]["value"][level].get<double>(),
               se_tolerance, where + " total enroll SE");
  }
}

TEST_P(RDesignTest, ProportionIntervals) {
  auto p = mean(design_, indicator("sch.wide", "Yes")).estimate;
  const Json& ref = (*ref_)["ciprop_sch_wide_yes"];
  expect_rel(p.estimate, value_of((*ref_)["mean_sch_wide_yes"]["estimate"]), estimate_tolerance,
             "proportion");
  expect_rel(p.se, value_of((*ref_)["mean_sch_wide_yes"]["SE"]), se_tolerance, "proportion SE");
  const std::map<std::string, IntervalMethod> methods = {{"mean", IntervalMethod::Wald},
                                                         {"xlogit", IntervalMethod::XLogit},
                                                         {"logit", IntervalMethod::Logit},
                                                         {"beta", IntervalMethod::Beta}};
  for (const auto& [name, method] : methods) {
    Estimate e = p;
    add_interval(e, method, 0.95, static_cast<double>(design_.rows()));
    // R's logit interval comes out of an IRLS fit: its estimate differs from
    // the exact proportion in about the 10th digit, so it gets 1e-8.
    const double tolerance = name == "logit" ? 1e-8 : se_tolerance;
    expect_rel(e.ci_low, ref[name]["ci"]["value"]["2.5%"].get<double>(), tolerance,
               GetParam().name + " " + name);
    expect_rel(e.ci_high, ref[name]["ci"]["value"]["97.5%"].get<double>(), tolerance,
               GetParam().name + " " + name);
  }
}

TEST_P(RDesignTest, WaldIntervalsWithDesignDegreesOfFreedom) {
  auto m = mean(design_, data_.numbers("api00")).estimate;
  const Json& ref = (*ref_)["confint_mean_api00"];
  Estimate t = m;
  add_interval(t, IntervalMethod::Wald, 0.95, static_cast<double>(design_.rows()));
  expect_rel(t.ci_low, ref["t"]["value"]["2.5 %"].get<double>(), se_tolerance, "t low");
  expect_rel(t.ci_high, ref["t"]["value"]["97.5 %"].get<double>(), se_tolerance, "t high");
  Estimate normal = m;
  normal.df = INFINITY;
  add_interval(normal, IntervalMethod::Wald, 0.95, static_cast<double>(design_.rows()));
  expect_rel(normal.ci_low, ref["normal"]["value"]["2.5 %"].get<double>(), se_tolerance,
             "normal low");
  expect_rel(normal.ci_high, ref["normal"]["value"]["97.5 %"].get<double>(), se_tolerance,
             "normal high");
}

INSTANTIATE_TEST_SUITE_P(Api, RDesignTest, ::testing::ValuesIn(cases()),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(LonelyPsuTest, EveryOptionAsR) {
  // apistrat plus a copy of its first row in a stratum "X" of its own.
  Table base = Table::load(data_file("apistrat"), {"stype", "pw", "api00"});
  std::vector<std::string> stype, pw, api00;
  for (std::size_t i = 0; i < base.rows(); ++i) {
    stype.push_back(base.column("stype").text(i));
    pw.push_back(base.column("pw").text(i));
    api00.push_back(base.column("api00").text(i));
  }
  stype.push_back("X");
  pw.push_back(pw[0]);
  api00.push_back(api00[0]);
  Table data = Table::from_columns("lonely.csv", {{"stype", stype}, {"pw", pw}, {"api00", api00}});
  const Json& ref = reference()["lonely_psu"];
  DesignColumns columns;
  columns.strata = "stype";
  columns.weights = "pw";
  for (const char* option : {"adjust", "average", "certainty", "remove"}) {
    columns.lonely_psu = *lonely_psu_from_string(option);
    auto design = Design::build(data, columns);
    auto y = data.numbers("api00");
    auto m = mean(design, y).estimate;
    auto t = total(design, y).estimate;
    expect_rel(m.estimate, value_of(ref["estimate"]), estimate_tolerance, option);
    expect_rel(m.se, value_of(ref[option]["SE_mean_api00"]), se_tolerance,
               std::string(option) + " mean");
    expect_rel(t.se, value_of(ref[option]["SE_total_api00"]), se_tolerance,
               std::string(option) + " total");
  }
  columns.lonely_psu = LonelyPsu::Fail;
  auto design = Design::build(data, columns);
  try {
    mean(design, data.numbers("api00"));
    FAIL() << "a lonely PSU must fail by default";
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "design.lonely_psu");
    EXPECT_THAT(e.what(), ::testing::HasSubstr("stratum X has only one PSU at stage 1"));
  }
}

// Hand-computed: two strata, SRS within each, fpc as population sizes.
TEST(LinearizationByHandTest, StratifiedSrs) {
  // Stratum a: y = 1, 2, 3 of N = 10; stratum b: y = 10, 20 of N = 4.
  Table data = Table::from_columns("hand.csv", {{"s", {"a", "a", "a", "b", "b"}},
                                                {"y", {"1", "2", "3", "10", "20"}},
                                                {"N", {"10", "10", "10", "4", "4"}}});
  DesignColumns columns;
  columns.strata = "s";
  columns.fpc = {"N"};
  auto design = Design::build(data, columns);
  // Weights N_h / n_h: 10/3 and 2.
  EXPECT_NEAR(design.weights()[0], 10.0 / 3, 1e-15);
  EXPECT_NEAR(design.weights()[3], 2.0, 1e-15);
  auto t = total(design, data.numbers("y")).estimate;
  // Total: 10/3·6 + 2·30 = 80. Variance: N_h² (1 - n_h/N_h) s_h² / n_h:
  // a: 100 · 0.7 · 1 / 3 = 23.333...; b: 16 · 0.5 · 50 / 2 = 200.
  EXPECT_NEAR(t.estimate, 80, 1e-12);
  EXPECT_NEAR(t.se * t.se, 100 * 0.7 / 3 + 200, 1e-9);
  EXPECT_EQ(t.df, 3);  // 5 PSUs - 2 strata
}

TEST(LinearizationByHandTest, ACensusHasNoVariance) {
  Table data = Table::from_columns("census.csv",
                                   {{"y", {"4", "8", "15", "16"}}, {"N", {"4", "4", "4", "4"}}});
  DesignColumns columns;
  columns.fpc = {"N"};
  auto design = Design::build(data, columns);
  auto m = mean(design, data.numbers("y")).estimate;
  EXPECT_NEAR(m.estimate, 10.75, 1e-12);
  EXPECT_EQ(m.se, 0);
}

TEST(LinearizationByHandTest, BadDesignsAreErrors) {
  Table data = Table::from_columns("bad.csv", {{"s", {"a", "a", "b"}},
                                               {"N", {"10", "11", "5"}},
                                               {"f", {"0.5", "2", "0.5"}},
                                               {"w", {"1", "0", "2"}}});
  DesignColumns varying;
  varying.strata = "s";
  varying.fpc = {"N"};
  EXPECT_THROW(Design::build(data, varying), AnalysisError);
  DesignColumns mixed;
  mixed.fpc = {"f"};
  EXPECT_THROW(Design::build(data, mixed), AnalysisError);
  DesignColumns zero_weight;
  zero_weight.weights = "w";
  try {
    Design::build(data, zero_weight);
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("bad.csv:3: column 'w' must be a positive weight"));
  }
}

}  // namespace
