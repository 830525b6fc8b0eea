// The row filter of `sipas analyze` for response exports (analysis/open_link.hpp):
// open-link rows left out before the design is built, their lines named,
// the rows kept as they were (levels, numbers, line numbers).

#include "analysis/open_link.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "analysis/error.hpp"

namespace sipas::analysis {
namespace {

Table responses() {
  return Table::from_columns("responses.csv",
                             {{"channel", {"invitation", "open_link", "invitation", "open_link"}},
                              {"stratum", {"A", "", "B", ""}},
                              {"design_weight", {"10", "", "4", ""}},
                              {"q1", {"4", "x", "5", "1"}}});
}

template <typename F>
std::string error_of(F&& body) {
  try {
    body();
  } catch (const AnalysisError& error) {
    return error.id() + ": " + error.what();
  }
  return "";
}

TEST(OpenLinkTest, OpenLinkRowsAreLeftOutAndTheRestKeptAsTheyWere) {
  DesignColumns design;
  design.strata = "stratum";
  design.weights = "design_weight";
  OpenLinkRows report;
  const Table kept = leave_out_open_link(responses(), design, false, report);
  EXPECT_TRUE(report.marked);
  EXPECT_EQ(report.count, 2u);
  EXPECT_EQ(report.lines, (std::vector<std::size_t>{3, 5}));
  EXPECT_FALSE(report.included);
  ASSERT_EQ(kept.rows(), 2u);
  EXPECT_EQ(kept.names(), responses().names());
  EXPECT_EQ(kept.line_of(0), 2u);
  EXPECT_EQ(kept.line_of(1), 4u);
  EXPECT_EQ(kept.column("stratum").levels(), (std::vector<std::string>{"A", "B"}));
  // The text "x" was only in a row left out: q1 is a number column now.
  EXPECT_TRUE(kept.column("q1").numeric());
  EXPECT_EQ(kept.numbers("q1"), (std::vector<double>{4, 5}));
  EXPECT_EQ(describe(report),
            "responses.csv: 2 open-link rows (lines 3, 5) left out: they were answered through "
            "the survey's open link, not by sampled units, and have no design weight; "
            "`include_open_link` counts them only with design values you fill in");
}

TEST(OpenLinkTest, IncludingThemNeedsTheirDesignValues) {
  DesignColumns design;
  design.strata = "stratum";
  OpenLinkRows report;
  EXPECT_EQ(error_of([&] { leave_out_open_link(responses(), design, true, report); }),
            "data.open_link_without_design: responses.csv: `include_open_link`: 2 rows answered "
            "through the open link have no 'stratum' (lines 3, 5). They were not sampled, so no "
            "design gives them a stratum, PSU or weight: fill these columns in yourself (a weight "
            "from a model of who answers the open link, say) to include them, or leave out "
            "`include_open_link`");
  // Without design columns there is nothing to fill in: they are kept as rows.
  const Table all = leave_out_open_link(responses(), DesignColumns{}, true, report);
  EXPECT_EQ(all.rows(), 4u);
  EXPECT_TRUE(report.included);
  EXPECT_EQ(report.count, 2u);
}

TEST(OpenLinkTest, DataWithoutTheColumnIsTakenWhole) {
  const Table plain =
      Table::from_columns("plain.csv", {{"stratum", {"A", "A"}}, {"q1", {"1", "2"}}});
  DesignColumns design;
  design.strata = "stratum";
  OpenLinkRows report;
  EXPECT_EQ(leave_out_open_link(plain, design, false, report).rows(), 2u);
  EXPECT_FALSE(report.marked);
  EXPECT_EQ(report.count, 0u);
  EXPECT_EQ(describe(report), "");
}

TEST(OpenLinkTest, ManyLinesAreCutAfterTen) {
  std::vector<std::string> channel(25, "open_link"), stratum(25, "");
  channel.push_back("invitation");
  stratum.push_back("A");
  const Table data = Table::from_columns("many.csv", {{"channel", channel}, {"stratum", stratum}});
  DesignColumns design;
  design.strata = "stratum";
  OpenLinkRows report;
  EXPECT_EQ(leave_out_open_link(data, design, false, report).rows(), 1u);
  EXPECT_EQ(report.count, 25u);
  EXPECT_EQ(report.lines.size(), max_listed_lines);
  EXPECT_NE(describe(report).find(
                "25 open-link rows (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ... (the first 10))"),
            std::string::npos);
}

}  // namespace
}  // namespace sipas::analysis
