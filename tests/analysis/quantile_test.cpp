// Quantiles with Woodruff intervals, against R's survey (svyquantile on a
// survey.design2, survey 4.1) and by hand. The api designs are those of
// tests/reference/analysis_reference.json ("quantile_api00"); the domain,
// missing-value, qrule and level cases below were computed with the same
// designs in R (the expressions are given with the table) and are kept here
// so the tests need no R. Estimates and bounds agree to a relative 1e-9,
// standard errors to 1e-7.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "analysis/design.hpp"
#include "analysis/error.hpp"
#include "analysis/intervals.hpp"
#include "analysis/quantile.hpp"
#include "api_designs.hpp"

namespace {

using namespace sipas::analysis;
using namespace sipas::analysis::test;

// Both NaN, or equal to a relative tolerance.
void expect_same(double got, double want, double tolerance, const std::string& what) {
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << what << ": R gives NaN, got " << got;
  } else {
    expect_rel(got, want, tolerance, what);
  }
}

class QuantileRTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    data_ = Table::load(data_file(GetParam().file));
    design_ = Design::build(data_, GetParam().columns);
    ref_ = &reference()["estimates"][GetParam().name]["quantile_api00"];
  }
  RowMask stype(const std::string& level) const {
    const Column& c = data_.column("stype");
    RowMask out(data_.rows());
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = c.text(i) == level;
    return out;
  }
  Table data_;
  Design design_ = Design();
  const Json* ref_ = nullptr;
};

// svyquantile(~api00, design, quantiles = c(0.25, 0.5))$api00 with the defaults.
TEST_P(QuantileRTest, DefaultsAsR) {
  const Json& table = (*ref_)["table"]["value"];
  const auto y = data_.numbers("api00");
  for (const char* p : {"0.25", "0.5"}) {
    const std::string where = GetParam().name + " p=" + p;
    const Estimate e = quantile(design_, y, std::stod(p)).estimate;
    const std::string key = std::string(p) + "|";
    expect_rel(e.estimate, table[key + "quantile"].get<double>(), estimate_tolerance, where);
    expect_rel(e.ci_low, table[key + "ci.2.5"].get<double>(), estimate_tolerance, where + " low");
    expect_rel(e.ci_high, table[key + "ci.97.5"].get<double>(), estimate_tolerance,
               where + " high");
    expect_rel(e.se, table[key + "se"].get<double>(), se_tolerance, where + " SE");
    // The same numbers through coef(), SE() and confint().
    expect_rel(e.estimate, (*ref_)["quantile"]["value"]["api00." + std::string(p)].get<double>(),
               estimate_tolerance, where + " coef");
    expect_rel(e.se, (*ref_)["SE"]["value"]["api00." + std::string(p)].get<double>(), se_tolerance,
               where + " SE()");
    expect_rel(t_quantile(0.975, e.df), value_of((*ref_)["critical_value"]), 1e-12,
               where + " qt(0.975, degf)");
    EXPECT_EQ(e.statistic, "quantile");
    EXPECT_EQ(e.ci_method, "woodruff");
    EXPECT_EQ(e.n, static_cast<double>(design_.rows()));
    expect_rel(e.weighted_n, design_.weights().sum(), estimate_tolerance, where + " weighted n");
  }
}

// Domains, missing values, the other rules and another level, from R:
//   svyquantile(~api00, subset(design, stype == "E"), c(0.25, 0.5))       stype=E (H, M)
//   svyquantile(~enroll, design, c(0.25, 0.5), na.rm = TRUE)              enroll
//   svyquantile(~enroll, subset(design, stype == "H"), c(0.25, 0.5), na.rm = TRUE)
//   svyquantile(~api00, design, c(0.25, 0.5), qrule = "hf7")              hf7 (school)
//   svyquantile(~api00, design, c(0.25, 0.5), alpha = 0.1)                level=0.9
// Columns: quantile, ci.2.5 (ci.5), ci.97.5 (ci.95), se. NAN where R gives
// NaN: the interval for F(q) reaches below 0 (or above 1). Six rows differ
// from survey 4.1 on purpose: where the lower bound for F(q) lies between 0
// and the weight share of the smallest value, survey's qs() finds no value
// with F <= bound, falls back to position 1 and so returns the second
// smallest value; the smallest one is the value the rule defines (its F is
// the first >= the bound). Those rows hold what R gives with qs() corrected
// (assignInNamespace), and R's own numbers in a comment.
struct RRow {
  const char* design;
  const char* what;
  double p, quantile, low, high, se;
};
const std::vector<RRow>& r_rows() {
  static const std::vector<RRow> rows = {
      {"dsrs", "stype=E", 0.25, 553, 529, 591, 15.680867130816061},
      {"dsrs", "stype=E", 0.5, 666, 631, 708, 19.4746253076264},
      {"dsrs", "stype=H", 0.25, 533, 462, 588, 30.524755998814651},
      {"dsrs", "stype=H", 0.5, 590, 541, 720, 43.364534315776368},
      {"dsrs", "stype=M", 0.25, 537, 482, 644, 39.765660599578958},
      {"dsrs", "stype=M", 0.5, 660, 630, 728, 24.05576999233789},
      {"dsrs", "enroll", 0.25, 339, 316, 352, 9.1279901945455908},
      {"dsrs", "enroll", 0.5, 453, 413, 531, 29.919523415454993},
      {"dsrs", "enroll stype=H", 0.25, 626, 210, 1067, 207.61679278558853},
      {"dsrs", "enroll stype=H", 0.5, 1264, 713, 1656, 228.45115005462077},
      {"dsrs", "hf7", 0.25, 544, 529, 578.34475000011935, 12.511622059816471},
      {"dsrs", "hf7", 0.5, 659, 632.63492471899372, 693.9126882025156, 15.5373006728131},
      {"dsrs", "school", 0.25, 544, 529, 577, 12.170653592727454},
      {"dsrs", "school", 0.5, 659, 633, 693, 15.213316990909318},
      {"dsrs", "level=0.9", 0.25, 544, 529, 573, 13.312785281889145},
      {"dsrs", "level=0.9", 0.5, 658, 635, 682, 14.220475187472497},
      {"dstrat", "stype=E", 0.25, 578, 534, 609, 18.899143044825855},
      {"dstrat", "stype=E", 0.5, 671, 638, 720, 20.663063062342935},
      {"dstrat", "stype=H", 0.25, 527, 477, 600, 30.603482200474993},
      {"dstrat", "stype=H", 0.5, 635, 599, 678, 19.655895071849791},
      {"dstrat", "stype=M", 0.25, 551, 505, 609, 25.876115031295928},
      {"dstrat", "stype=M", 0.5, 648, 601, 676, 18.660659878338411},
      {"dstrat", "enroll", 0.25, 334, 304, 365, 15.465911597651356},
      {"dstrat", "enroll", 0.5, 446, 424, 522, 24.846874369997263},
      {"dstrat", "enroll stype=H", 0.25, 695, 542, 1115, 142.56744147050546},
      {"dstrat", "enroll stype=H", 0.5, 1377, 1105, 1586, 119.67703201974368},
      {"dstrat", "hf7", 0.25, 565, 536.95822498130724, 597.44483479644578, 15.335746889222351},
      {"dstrat", "hf7", 0.5, 667.60857253352333, 637.03298488257747, 680.81959165340288,
       11.101635893093578},
      {"dstrat", "school", 0.25, 565, 535, 597, 15.719451132039083},
      {"dstrat", "school", 0.5, 668, 642, 694, 13.184055788161812},
      {"dstrat", "level=0.9", 0.25, 565, 542, 596, 16.337642488597581},
      {"dstrat", "level=0.9", 0.5, 668, 647, 681, 10.286663789116997},
      {"dclus1", "stype=E", 0.25, 553, 502, 625, 28.674180209363975},
      {"dclus1", "stype=E", 0.5, 652, 561, 717, 36.367252948461626},
      {"dclus1", "stype=H", 0.25, 529, NAN, 687, NAN},
      // R: low 478, SE 52.016721014828711 (the second smallest value; see the note above).
      {"dclus1", "stype=H", 0.5, 608, 443, 724, 59.417474004743362},
      {"dclus1", "stype=M", 0.25, 547, NAN, 669, NAN},
      {"dclus1", "stype=M", 0.5, 642, 528, 720, 43.616832017169536},
      {"dclus1", "enroll", 0.25, 352, 302, 381, 18.416749890567104},
      {"dclus1", "enroll", 0.5, 462, 385, 523, 32.171031454408364},
      {"dclus1", "enroll stype=H", 0.25, 388, NAN, 1855, NAN},
      {"dclus1", "enroll stype=H", 0.5, 467, NAN, NAN, NAN},
      {"dclus1", "hf7", 0.25, 552.5, 492.21019767281319, 627.28707008674962, 31.489581965158361},
      {"dclus1", "hf7", 0.5, 652, 560.54762917282176, 714.22072093271481, 35.824796150026827},
      {"dclus1", "school", 0.25, 552, 492, 627, 31.471661205399485},
      {"dclus1", "school", 0.5, 652, 561, 714, 35.667882699452747},
      {"dclus1", "level=0.9", 0.25, 552, 504, 614, 31.226754949549328},
      {"dclus1", "level=0.9", 0.5, 652, 585, 709, 35.201069215855604},
      {"dclus2", "stype=E", 0.25, 580, 489, 690, 49.452710802865298},
      {"dclus2", "stype=E", 0.5, 690, 580, 807, 55.849578866917518},
      {"dclus2", "stype=H", 0.25, 479, NAN, 627, NAN},
      {"dclus2", "stype=H", 0.5, 627, 555, 645, 20.829778225758592},
      // R: low 537, SE 72.628310049524416 (the second smallest value; see the note above).
      {"dclus2", "stype=M", 0.25, 537, 502, 840, 81.017718801119642},
      // R: low 537, SE 72.628310049524416 (the second smallest value; see the note above).
      {"dclus2", "stype=M", 0.5, 596, 502, 840, 81.017718801119642},
      {"dclus2", "enroll", 0.25, 235, 167, 397, 56.756701102361113},
      {"dclus2", "enroll", 0.5, 408, 282, 825, 133.99516825470471},
      {"dclus2", "enroll stype=H", 0.25, 927, NAN, 1120, NAN},
      {"dclus2", "enroll stype=H", 0.5, 1120, 1120, 1195, 17.358148521465491},
      {"dclus2", "hf7", 0.25, 545, 495.05631283971167, 629.15185327767153, 33.147807979363158},
      {"dclus2", "hf7", 0.5, 655.80000000000007, 581.91805737938466, 763.8597879878472,
       44.975168674103685},
      {"dclus2", "school", 0.25, 545, 489, 627, 34.112972632885501},
      {"dclus2", "school", 0.5, 653, 580, 766, 45.978354418236975},
      {"dclus2", "level=0.9", 0.25, 545, 502, 622, 35.610947794790661},
      {"dclus2", "level=0.9", 0.5, 653, 584, 742, 46.887747929807709},
      {"dclus2_nofpc", "stype=E", 0.25, 580, 489, 690, 49.452710802865298},
      {"dclus2_nofpc", "stype=E", 0.5, 690, 580, 808, 56.09561225399645},
      // R: low 468, SE 36.799274865506845 (the second smallest value; see the note above).
      {"dclus2_nofpc", "stype=H", 0.25, 479, 453, 627, 40.270904569799939},
      {"dclus2_nofpc", "stype=H", 0.5, 627, 566, 645, 18.28391644261032},
      // R: low 537, SE 72.628310049524416 (the second smallest value; see the note above).
      {"dclus2_nofpc", "stype=M", 0.25, 537, 502, 840, 81.017718801119642},
      // R: low 537, SE 72.628310049524416 (the second smallest value; see the note above).
      {"dclus2_nofpc", "stype=M", 0.5, 596, 502, 840, 81.017718801119642},
      {"dclus2_nofpc", "enroll", 0.25, 235, 167, 397, 56.756701102361113},
      {"dclus2_nofpc", "enroll", 0.5, 408, 271, 825, 136.70961917699154},
      {"dclus2_nofpc", "enroll stype=H", 0.25, 927, NAN, 1120, NAN},
      {"dclus2_nofpc", "enroll stype=H", 0.5, 1120, 1120, 1195, 17.358148521465491},
      {"dclus2_nofpc", "hf7", 0.25, 545, 494.5855189196887, 631, 33.721039563927071},
      {"dclus2_nofpc", "hf7", 0.5, 655.80000000000007, 581.7911034388261, 766.25214935474344,
       45.59793196495017},
      {"dclus2_nofpc", "school", 0.25, 545, 489, 631, 35.101754448331455},
      {"dclus2_nofpc", "school", 0.5, 653, 580, 766, 45.978354418236975},
      {"dclus2_nofpc", "level=0.9", 0.25, 545, 489, 622, 39.46880047255965},
      {"dclus2_nofpc", "level=0.9", 0.5, 653, 584, 742, 46.887747929807709},
  };
  return rows;
}

TEST_P(QuantileRTest, DomainsMissingValuesRulesAndLevelsAsR) {
  int checked = 0;
  for (const RRow& row : r_rows()) {
    if (row.design != GetParam().name) continue;
    const std::string what = row.what;
    const std::string where = GetParam().name + " " + what + " p=" + std::to_string(row.p);
    const bool enroll = what.starts_with("enroll");
    const auto y = data_.numbers(enroll ? "enroll" : "api00");
    RowMask domain;
    const auto at = what.find("stype=");
    if (at != std::string::npos) domain = stype(what.substr(at + 6));
    const QuantileRule rule = what == "hf7"      ? QuantileRule::Hf7
                              : what == "school" ? QuantileRule::School
                                                 : QuantileRule::Math;
    const double level = what == "level=0.9" ? 0.9 : 0.95;
    const Estimate e = quantile(design_, y, row.p, level, domain, rule).estimate;
    expect_same(e.estimate, row.quantile, estimate_tolerance, where);
    expect_same(e.ci_low, row.low, estimate_tolerance, where + " low");
    expect_same(e.ci_high, row.high, estimate_tolerance, where + " high");
    expect_same(e.se, row.se, se_tolerance, where + " SE");
    ++checked;
  }
  EXPECT_EQ(checked, 16);
}

// A domain is the whole design with the rows outside set aside: its
// degrees of freedom count only the PSUs with a domain row (R's degf of the
// subset), and its estimate is the quantile of the domain's rows alone.
TEST_P(QuantileRTest, DomainsAreEstimatedOnTheWholeDesign) {
  const auto y = data_.numbers("api00");
  const RowMask high = stype("H");
  const Estimate e = quantile(design_, y, 0.5, 0.95, high).estimate;
  std::vector<double> x, w;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!high[i]) continue;
    x.push_back(y[i]);
    w.push_back(design_.weights()[static_cast<Eigen::Index>(i)]);
  }
  EXPECT_EQ(e.estimate, weighted_quantile(x, w, 0.5));
  EXPECT_EQ(e.df, design_.degrees_of_freedom(high));
  EXPECT_EQ(e.n, static_cast<double>(x.size()));
}

INSTANTIATE_TEST_SUITE_P(Quantile, QuantileRTest, ::testing::ValuesIn(cases()), case_name);

// By hand: values 3, 1, 2 with weights 1, 1, 2. Sorted: 1 (1), 2 (2), 3 (1),
// so F(1) = 1/4, F(2) = 3/4, F(3) = 1.
TEST(QuantileByHandTest, TheRulesOnThreeValues) {
  const std::vector<double> x = {3, 1, 2}, w = {1, 1, 2};
  EXPECT_EQ(weighted_quantile(x, w, 0.5), 2);   // F(2) = 3/4 is the first >= 1/2
  EXPECT_EQ(weighted_quantile(x, w, 0.25), 1);  // F(1) = 1/4 exactly
  EXPECT_EQ(weighted_quantile(x, w, 0.26), 2);
  EXPECT_EQ(weighted_quantile(x, w, 0.75), 2);
  EXPECT_EQ(weighted_quantile(x, w, 0.76), 3);
  EXPECT_EQ(weighted_quantile(x, w, 1), 3);
  // p below F(smallest): the smallest value. R's qrule_math returns the
  // second smallest here (2); see analysis/README.md.
  EXPECT_EQ(weighted_quantile(x, w, 0), 1);
  EXPECT_EQ(weighted_quantile(x, w, 0.1), 1);
  // school: the midpoint where F(x) = p exactly.
  EXPECT_EQ(weighted_quantile(x, w, 0.25, QuantileRule::School), 1.5);
  EXPECT_EQ(weighted_quantile(x, w, 0.75, QuantileRule::School), 2.5);
  EXPECT_EQ(weighted_quantile(x, w, 0.5, QuantileRule::School), 2);
  // hf7: the sorted values at pk = (0, 1, 3) / 3, linearly interpolated
  // (R: qrule_hf7 gives 1.75, 2.25 and 1.3).
  EXPECT_DOUBLE_EQ(weighted_quantile(x, w, 0.25, QuantileRule::Hf7), 1.75);
  EXPECT_DOUBLE_EQ(weighted_quantile(x, w, 0.5, QuantileRule::Hf7), 2.25);
  EXPECT_DOUBLE_EQ(weighted_quantile(x, w, 0.1, QuantileRule::Hf7), 1.3);
  EXPECT_EQ(weighted_quantile(x, w, 0, QuantileRule::Hf7), 1);
  EXPECT_EQ(weighted_quantile(x, w, 1, QuantileRule::Hf7), 3);
}

TEST(QuantileByHandTest, MedianOfThreeWeightedValuesOnADesign) {
  Table data = Table::from_columns("three.csv", {{"y", {"3", "1", "2"}}, {"w", {"1", "1", "2"}}});
  DesignColumns columns;
  columns.weights = "w";
  const auto design = Design::build(data, columns);
  const Estimate e = quantile(design, data.numbers("y"), 0.5).estimate;
  EXPECT_EQ(e.estimate, 2);
  EXPECT_EQ(e.df, 2);
  EXPECT_EQ(e.n, 3);
  EXPECT_EQ(e.weighted_n, 4);
  // F(2) = 3/4 with SE sqrt(3/2 · 0.0546875) and t(0.975, 2) = 4.30: the
  // interval for F runs outside [0, 1] on both sides, so R gives NaN.
  EXPECT_TRUE(std::isnan(e.ci_low));
  EXPECT_TRUE(std::isnan(e.ci_high));
  EXPECT_TRUE(std::isnan(e.se));
}

// 1, ..., 10 with equal weights, each its own PSU, no fpc (R:
// svyquantile(~y, svydesign(id = ~1, weights = ~w, data), 0.5)).
class QuantileTenValuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> y, w;
    for (int i = 1; i <= 10; ++i) {
      y.push_back(std::to_string(i));
      w.push_back("1");
    }
    data_ = Table::from_columns("ten.csv", {{"y", y}, {"w", w}});
    DesignColumns columns;
    columns.weights = "w";
    design_ = Design::build(data_, columns);
    y_ = data_.numbers("y");
  }
  static constexpr double t9 = 2.2621571627982049;  // qt(0.975, 9)
  Table data_;
  Design design_ = Design();
  std::vector<double> y_;
};

TEST_F(QuantileTenValuesTest, MedianAndItsWoodruffInterval) {
  const Estimate e = quantile(design_, y_, 0.5).estimate;
  // F(5) = 1/2 exactly: the median is 5.
  EXPECT_EQ(e.estimate, 5);
  EXPECT_EQ(e.df, 9);
  // F(5) = 0.5 with SE sqrt(0.5 · 0.5 / 9) = 1/6: F in 0.5 ± t9/6 =
  // (0.123, 0.877); the smallest values with F >= those are 2 and 9.
  EXPECT_EQ(e.ci_low, 2);
  EXPECT_EQ(e.ci_high, 9);
  EXPECT_NEAR(e.se, 7 / (2 * t9), 1e-12);
  EXPECT_NEAR(e.se, 1.547196, 1e-6);  // R
  // school: the midpoint of 5 and 6; same interval.
  const Estimate s = quantile(design_, y_, 0.5, 0.95, {}, QuantileRule::School).estimate;
  EXPECT_EQ(s.estimate, 5.5);
  EXPECT_EQ(s.ci_low, 2);
  EXPECT_EQ(s.ci_high, 9);
}

TEST_F(QuantileTenValuesTest, ZeroAndOne) {
  // p = 1: the largest value, and F(10) = 1 has no variance.
  const Estimate top = quantile(design_, y_, 1).estimate;
  EXPECT_EQ(top.estimate, 10);
  EXPECT_EQ(top.ci_low, 10);
  EXPECT_EQ(top.ci_high, 10);
  EXPECT_EQ(top.se, 0);
  // p = 0: the smallest value (R gives 2, the second smallest: see the
  // README). F(1) = 0.1 with SE sqrt(0.1 · 0.9 / 9) = 0.1: F in 0.1 ± 0.226,
  // below 0 (NaN, as R) and 0.326 (the value 4).
  const Estimate bottom = quantile(design_, y_, 0).estimate;
  EXPECT_EQ(bottom.estimate, 1);
  EXPECT_TRUE(std::isnan(bottom.ci_low));
  EXPECT_EQ(bottom.ci_high, 4);
  EXPECT_TRUE(std::isnan(bottom.se));
}

TEST_F(QuantileTenValuesTest, MissingValuesAreLeftOut) {
  // Values 11 and 12 missing: the same as the ten alone, but the PSUs of the
  // missing rows do not count in the degrees of freedom (R: na.rm = TRUE).
  std::vector<std::string> y, w;
  for (int i = 1; i <= 12; ++i) {
    y.push_back(i <= 10 ? std::to_string(i) : "");
    w.push_back("1");
  }
  Table data = Table::from_columns("twelve.csv", {{"y", y}, {"w", w}});
  DesignColumns columns;
  columns.weights = "w";
  const auto design = Design::build(data, columns);
  const Estimate with_missing = quantile(design, data.numbers("y"), 0.5).estimate;
  const Estimate ten = quantile(design_, y_, 0.5).estimate;
  EXPECT_EQ(with_missing.estimate, ten.estimate);
  EXPECT_EQ(with_missing.ci_low, ten.ci_low);
  EXPECT_EQ(with_missing.ci_high, ten.ci_high);
  EXPECT_EQ(with_missing.df, 9);
  EXPECT_EQ(with_missing.n, 10);
}

TEST(QuantileByHandTest, Ties) {
  // 2, 2, 2, 5 with equal weights: F(2) = 3/4, F(5) = 1.
  const std::vector<double> x = {2, 5, 2, 2}, w = {1, 1, 1, 1};
  EXPECT_EQ(weighted_quantile(x, w, 0.25), 2);
  EXPECT_EQ(weighted_quantile(x, w, 0.5), 2);
  EXPECT_EQ(weighted_quantile(x, w, 0.75), 2);
  EXPECT_EQ(weighted_quantile(x, w, 0.8), 5);
  // school averages with the next sorted value: a tied 2 inside the run, the
  // 5 after it at F = 3/4 (R does the same).
  EXPECT_EQ(weighted_quantile(x, w, 0.5, QuantileRule::School), 2);
  EXPECT_EQ(weighted_quantile(x, w, 0.75, QuantileRule::School), 3.5);
  // hf7 interpolates between tied values too: pk = 0, 1/3, 2/3, 1.
  EXPECT_EQ(weighted_quantile(x, w, 0.5, QuantileRule::Hf7), 2);
  EXPECT_DOUBLE_EQ(weighted_quantile(x, w, 5.0 / 6, QuantileRule::Hf7), 3.5);
}

TEST(QuantileByHandTest, MissingValuesAndZeroWeightsAreLeftOut) {
  const std::vector<double> x = {3, NAN, 1, 100, 2}, w = {1, 5, 1, 0, 2};
  EXPECT_EQ(weighted_quantile(x, w, 0.5), 2);
  EXPECT_EQ(weighted_quantile(x, w, 1), 3);
}

TEST(QuantileByHandTest, ErrorsAreClear) {
  Table data = Table::from_columns("errors.csv", {{"y", {"", "", ""}}, {"g", {"a", "a", "b"}}});
  const auto design = Design::build(data, DesignColumns{});
  const auto y = data.numbers("y");
  try {
    quantile(design, y, 0.5);
    FAIL() << "all missing must be an error";
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "analysis.empty_domain");
    EXPECT_THAT(e.what(), ::testing::HasSubstr("no row with a value"));
  }
  const std::vector<double> z = {1, 2, 3};
  try {
    quantile(design, z, 0.5, 0.95, RowMask{false, false, false});
    FAIL() << "an empty domain must be an error";
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "analysis.empty_domain");
  }
  for (double p : {-0.1, 1.5, static_cast<double>(NAN)}) {
    try {
      quantile(design, z, p);
      FAIL() << "p = " << p;
    } catch (const AnalysisError& e) {
      EXPECT_EQ(e.id(), "analysis.invalid_quantile");
      EXPECT_THAT(e.what(), ::testing::HasSubstr("between 0 and 1"));
    }
  }
  EXPECT_THROW(quantile(design, z, 0.5, 1.0), AnalysisError);
  EXPECT_THROW(quantile(design, std::vector<double>{1, 2}, 0.5), AnalysisError);
  EXPECT_THROW(weighted_quantile({NAN}, {1}, 0.5), AnalysisError);
  EXPECT_THROW(weighted_quantile({1, 2}, {1}, 0.5), AnalysisError);
}

TEST(QuantileByHandTest, RuleNames) {
  for (auto rule : {QuantileRule::Math, QuantileRule::School, QuantileRule::Hf7})
    EXPECT_EQ(quantile_rule_from_string(to_string(rule)), rule);
  EXPECT_FALSE(quantile_rule_from_string("hf5").has_value());
}

}  // namespace
