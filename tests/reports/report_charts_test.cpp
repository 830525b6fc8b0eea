// The SVG chart primitives and number formats of the HTML report.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reports/html_format.hpp"
#include "reports/svg_charts.hpp"
#include "tests/reports/report_dom_test.hpp"

namespace {

using namespace sipas::reports;
using sipas::test::dom::Document;
using sipas::test::dom::percent_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The axis written on the plot group, read back.
struct ReadAxis {
  double min, max, from, to;
  double x(double v) const { return from + (v - min) / (max - min) * (to - from); }
};

ReadAxis axis_of(const Document& doc) {
  const auto plots = doc.find("g", "plot");
  EXPECT_EQ(plots.size(), 1u);
  const auto& g = doc[plots.at(0)];
  return {std::stod(g.attr("data-axis-min")), std::stod(g.attr("data-axis-max")),
          std::stod(g.attr("data-x-from")), std::stod(g.attr("data-x-to"))};
}

BarChart three_bars() {
  BarChart chart;
  chart.frame.title = "Ranking";
  chart.frame.description = "How to read it";
  chart.frame.language = Language::En;
  chart.frame.axis = Axis{50, 100, 0, 90, {50, 75, 100}};
  chart.bars = {
      {"Middle", 70, 64, 76, "m"}, {"Top", 90, 85.5, 94.5, "t"}, {"Low", 55, 52, 58, "l"}};
  chart.ranked = true;
  chart.ranks = {2, 1, 3};
  chart.reference = 72.5;
  chart.reference_label = "Province 72.5";
  return chart;
}

TEST(ReportChartsTest, WhiskersSitAtTheIntervalOnTheAxis) {
  const Document doc(bar_chart_svg(three_bars()));
  const ReadAxis axis = axis_of(doc);
  EXPECT_EQ(axis.min, 50);
  EXPECT_EQ(axis.max, 100);
  // By hand: 0 + (85.5 - 50) / 50 * 90 = 63.9; (94.5 - 50) / 50 * 90 = 80.1.
  const auto rows = doc.find("g", "row");
  ASSERT_EQ(rows.size(), 3u);
  const auto whiskers = doc.find("line", "whisker", rows[0]);
  ASSERT_EQ(whiskers.size(), 1u);
  EXPECT_NEAR(percent_of(doc[whiskers[0]].attr("x1")), 63.9, 1e-3);
  EXPECT_NEAR(percent_of(doc[whiskers[0]].attr("x2")), 80.1, 1e-3);
  // The bar runs from the axis minimum to the value: (90 - 50) / 50 * 90 = 72.
  const auto bar = doc.find("rect", "bar", rows[0]);
  ASSERT_EQ(bar.size(), 1u);
  EXPECT_NEAR(percent_of(doc[bar[0]].attr("x")), 0, 1e-9);
  EXPECT_NEAR(percent_of(doc[bar[0]].attr("width")), 72, 1e-3);
  // Every row's whisker from its own interval.
  for (std::size_t r : rows) {
    const auto w = doc.find("line", "whisker", r);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NEAR(percent_of(doc[w[0]].attr("x1")), axis.x(std::stod(doc[r].attr("data-low"))), 1e-3);
    EXPECT_NEAR(percent_of(doc[w[0]].attr("x2")), axis.x(std::stod(doc[r].attr("data-high"))),
                1e-3);
  }
  // The reference line at 72.5: (72.5 - 50) / 50 * 90 = 40.5.
  const auto reference = doc.find("line", "reference-line");
  ASSERT_EQ(reference.size(), 1u);
  EXPECT_NEAR(percent_of(doc[reference[0]].attr("x1")), 40.5, 1e-3);
  EXPECT_EQ(doc.text(doc.find("text", "reference-label")[0]), "Province 72.5");
}

TEST(ReportChartsTest, RankedBarsGoFromHighestToLowestWithTheirRanks) {
  const Document doc(bar_chart_svg(three_bars()));
  std::vector<std::string> keys, labels, values;
  for (std::size_t r : doc.find("g", "row")) {
    keys.push_back(doc[r].attr("data-key"));
    labels.push_back(doc.text(doc.find("text", "label", r).at(0)));
    values.push_back(doc.text(doc.find("text", "value", r).at(0)));
  }
  EXPECT_THAT(keys, ElementsAre("t", "m", "l"));
  EXPECT_THAT(labels, ElementsAre("1. Top", "2. Middle", "3. Low"));
  EXPECT_THAT(values, ElementsAre("90.0", "70.0", "55.0"));
}

TEST(ReportChartsTest, AMissingValueGoesLastWithNoBar) {
  BarChart chart = three_bars();
  chart.bars.push_back({"Unknown", no_value, no_value, no_value, "u"});
  chart.ranks.push_back(0);
  const Document doc(bar_chart_svg(chart));
  const auto rows = doc.find("g", "row");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(doc[rows[3]].attr("data-key"), "u");
  EXPECT_TRUE(doc.find("rect", "bar", rows[3]).empty());
  EXPECT_TRUE(doc.find("line", "whisker", rows[3]).empty());
  EXPECT_EQ(doc.text(doc.find("text", "value", rows[3])[0]), "\xE2\x80\x93");
  EXPECT_EQ(doc.text(doc.find("text", "label", rows[3])[0]), "Unknown");
}

TEST(ReportChartsTest, AChartIsAnAccessibleImage) {
  const std::string svg = bar_chart_svg(three_bars());
  const Document doc(svg);
  const auto& root = doc[0];
  EXPECT_EQ(root.name, "svg");
  EXPECT_EQ(root.attr("role"), "img");
  EXPECT_EQ(root.attr("aria-label"), "Ranking");
  EXPECT_EQ(root.attr("width"), "100%");
  EXPECT_GT(std::stod(root.attr("height")), 0);
  EXPECT_THAT(root.attr("font-family"), HasSubstr("system-ui"));
  EXPECT_EQ(doc.text(doc.find("title").at(0)), "Ranking");
  EXPECT_EQ(doc.text(doc.find("desc").at(0)), "How to read it");
}

TEST(ReportChartsTest, EveryTextIsEscaped) {
  BarChart chart = three_bars();
  const std::string hostile = "<script>alert(1)</script> & \"x\"";
  chart.frame.title = hostile;
  chart.bars[0].label = hostile;
  chart.bars[0].key = hostile;
  chart.reference_label = hostile;
  const std::string svg = bar_chart_svg(chart);
  EXPECT_THAT(svg, Not(HasSubstr("<script")));
  EXPECT_THAT(svg, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
  const Document doc(svg);  // still well-formed
  EXPECT_EQ(doc[0].attr("aria-label"), hostile);
  EXPECT_EQ(doc.text(doc.find("text", "reference-label")[0]), hostile);
}

TEST(ReportChartsTest, ProfileDotsWhiskersAndReferenceTicks) {
  ProfileChart chart;
  chart.frame.title = "Unit A";
  chart.frame.language = Language::Vi;
  chart.rows = {{"E1 · Tiếp cận", 81.26, 75, 87.5, 70}, {"E2 · Thủ tục", 60, 50, 70, 65}};
  const Document doc(profile_chart_svg(chart));
  const auto rows = doc.find("g", "row");
  ASSERT_EQ(rows.size(), 2u);
  // Default axis 0-100 drawn over 0-97%: x = 0.97 v.
  const auto dot = doc.find("circle", "dot", rows[0]);
  ASSERT_EQ(dot.size(), 1u);
  EXPECT_NEAR(percent_of(doc[dot[0]].attr("cx")), 0.97 * 81.26, 1e-3);
  const auto w = doc.find("line", "whisker", rows[0]);
  EXPECT_NEAR(percent_of(doc[w[0]].attr("x1")), 0.97 * 75, 1e-3);
  EXPECT_NEAR(percent_of(doc[w[0]].attr("x2")), 0.97 * 87.5, 1e-3);
  const auto tick = doc.find("line", "reference-mark", rows[0]);
  EXPECT_NEAR(percent_of(doc[tick[0]].attr("x1")), 0.97 * 70, 1e-3);
  // Vietnamese numbers: unit / reference.
  EXPECT_EQ(doc.text(doc.find("text", "value", rows[0])[0]), "81,3 / 70,0");
  EXPECT_EQ(doc.text(doc.find("text", "label", rows[1])[0]), "E2 · Thủ tục");
}

TEST(ReportChartsTest, StackedSharesFillTheBarInOrder) {
  StackedChart chart;
  chart.frame.title = "Answers";
  chart.frame.language = Language::En;
  chart.categories = {"Bad", "Neutral", "Good"};
  chart.colors = diverging_colors(3);
  chart.rows = {{"Item one", {10, 30, 60}, "q1"}};
  const Document doc(stacked_chart_svg(chart));
  const auto shares = doc.find("rect", "share");
  ASSERT_EQ(shares.size(), 3u);
  std::vector<double> x, width;
  for (auto s : shares) {
    x.push_back(percent_of(doc[s].attr("x")));
    width.push_back(percent_of(doc[s].attr("width")));
  }
  EXPECT_NEAR(x[0], 0, 1e-9);
  EXPECT_NEAR(x[1], 10, 1e-3);
  EXPECT_NEAR(x[2], 40, 1e-3);
  EXPECT_NEAR(width[2], 60, 1e-3);
  EXPECT_EQ(doc[shares[0]].attr("fill"), "#b2182b");
  EXPECT_EQ(doc[shares[2]].attr("fill"), "#2166ac");
  const auto labels = doc.find("text", "share-label");
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_EQ(doc.text(labels[2]), "60");
}

TEST(ReportChartsTest, RateBarsShowResponseAndOpenRates) {
  RateChart chart;
  chart.frame.title = "Rates";
  chart.frame.language = Language::Vi;
  chart.frame.suffix = "%";
  chart.bars = {{"H01", 75, 90, 30, 40}};
  chart.reference = 75;
  chart.reference_label = "Tổng 75,0%";
  const Document doc(rate_chart_svg(chart));
  EXPECT_NEAR(percent_of(doc[doc.find("rect", "bar")[0]].attr("width")), 0.97 * 75, 1e-3);
  EXPECT_NEAR(percent_of(doc[doc.find("rect", "open-bar")[0]].attr("width")), 0.97 * 90, 1e-3);
  EXPECT_EQ(doc.text(doc.find("text", "value")[0]), "75,0% (30/40)");
}

TEST(ReportChartsTest, DivergingColoursRunFromRedThroughGreyToBlue) {
  EXPECT_THAT(diverging_colors(5),
              ElementsAre("#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"));
  EXPECT_THAT(diverging_colors(3), ElementsAre("#b2182b", "#d9d9d9", "#2166ac"));
  EXPECT_EQ(sequential_colors(4).size(), 4u);
}

TEST(ReportChartsTest, LabelsWrapAtWholeWordsCountingLetters) {
  // "Tiếp cận dịch" is 13 letters (and 18 bytes).
  EXPECT_THAT(wrap_text("Tiếp cận dịch vụ hành chính công", 14, 3),
              ElementsAre("Tiếp cận dịch", "vụ hành chính", "công"));
  EXPECT_THAT(wrap_text("abcdefghij", 4, 5), ElementsAre("abcd", "efgh", "ij"));
  EXPECT_THAT(wrap_text("one two three four", 8, 2), ElementsAre("one two", "three\xE2\x80\xA6"));
  EXPECT_TRUE(wrap_text("   ", 8, 2).empty());
}

TEST(ReportChartsTest, NumbersFollowTheLanguage) {
  EXPECT_EQ(format_number(1234567.891, 2, Language::Vi), "1.234.567,89");
  EXPECT_EQ(format_number(1234567.891, 2, Language::En), "1,234,567.89");
  EXPECT_EQ(format_number(82.655, 1, Language::Vi), "82,7");
  EXPECT_EQ(format_number(-0.001, 2, Language::En), "0.00");
  EXPECT_EQ(format_number(-1234.4, 0, Language::En), "-1,234");
  EXPECT_EQ(format_number(std::nan(""), 2, Language::Vi), "\xE2\x80\x93");
  EXPECT_EQ(format_percent(75, 1, Language::Vi), "75,0%");
  EXPECT_EQ(format_interval(64.256, 72.054, 2, Language::En), "64.26 \xE2\x80\x93 72.05");
  EXPECT_EQ(svg_number(12.3456, 2), "12.35");
  EXPECT_EQ(svg_number(std::nan(""), 2), "0");
}

}  // namespace
