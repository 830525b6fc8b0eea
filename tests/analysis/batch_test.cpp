// The batched paths against the one-estimate-at-a-time ones: Engine::ratios
// (one pass over the rows for every ratio and domain) must give what ratio()
// gives for each, for linearization designs (one and two stages, fpc, SRS,
// calibrated) and replicate designs (factored and from columns); domains_of
// keeps its order; the Table's narrow codes and sparse line numbers read back
// what was stored.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/calibration.hpp"
#include "analysis/design.hpp"
#include "analysis/engine.hpp"
#include "analysis/error.hpp"
#include "analysis/indices.hpp"
#include "analysis/replicate.hpp"
#include "analysis/table.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sipas::analysis;

// A small survey: 4 strata of 3-5 PSUs of 2-4 SSUs of rows, weights varying
// by row, two answer columns with missing and don't-know codes, a domain
// column with a missing value and a level with few rows, and a second
// grouping that overlaps the first.
Table survey() {
  std::uint64_t state = 20240601;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  };
  std::vector<std::string> stratum, psu, ssu, fpc1, fpc2, weight, a, b, g, h, sex;
  int psu_id = 0;
  for (int s = 0; s < 4; ++s) {
    const int psus = 3 + s % 3;
    for (int p = 0; p < psus; ++p) {
      ++psu_id;
      const int ssus = 2 + (p + s) % 3;
      for (int q = 0; q < ssus; ++q) {
        const int rows = 3 + static_cast<int>(next() % 5);
        for (int r = 0; r < rows; ++r) {
          stratum.push_back("s" + std::to_string(s));
          psu.push_back(std::to_string(100 + psu_id));
          ssu.push_back(std::to_string(psu_id * 10 + q));
          fpc1.push_back(std::to_string(psus * 3));
          fpc2.push_back(std::to_string(ssus + 4));
          weight.push_back(std::to_string(10 + static_cast<int>(next() % 90)) + ".5");
          static const char* codes[] = {"1", "2", "3", "4", "5", "4", "5", "9", ""};
          a.push_back(codes[next() % 9]);
          b.push_back(codes[next() % 9]);
          const std::uint32_t k = next() % 20;
          g.push_back(k == 0 ? "" : (k < 2 ? "tiny" : (k < 10 ? "x" : "y")));
          h.push_back(next() % 3 == 0 ? "h1" : "h2");
          sex.push_back(next() % 2 ? "F" : "M");
        }
      }
    }
  }
  // "tiny" answers nothing to b: that ratio has no row there.
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (g[i] == "tiny") b[i] = "";
  }
  return Table::from_columns("survey.csv", {{"stratum", stratum},
                                            {"psu", psu},
                                            {"ssu", ssu},
                                            {"fpc1", fpc1},
                                            {"fpc2", fpc2},
                                            {"weight", weight},
                                            {"a", a},
                                            {"b", b},
                                            {"g", g},
                                            {"h", h},
                                            {"sex", sex}});
}

// Satisfied (4, 5) among 1-5 (9 and missing left out), and 9 among all
// answers: two kinds of coded ratio.
CodedRatio satisfied(const Column& column) {
  CodedRatio r{&column, {}, {}};
  for (const auto& level : column.levels()) {
    const bool valid = !level.empty() && level != "9";
    r.numerator.push_back(valid ? (level == "4" || level == "5" ? 1 : 0) : std::nan(""));
    r.denominator.push_back(valid ? 1 : std::nan(""));
  }
  return r;
}
CodedRatio dont_know(const Column& column) {
  CodedRatio r{&column, {}, {}};
  for (const auto& level : column.levels()) {
    r.numerator.push_back(level.empty() ? std::nan("") : (level == "9" ? 1 : 0));
    r.denominator.push_back(level.empty() ? std::nan("") : 1);
  }
  return r;
}

void expect_close(double got, double want, double tolerance, const std::string& what) {
  EXPECT_NEAR(got, want, tolerance * std::max(1.0, std::fabs(want))) << what;
}

// Every ratio in every domain: Engine::ratios against Engine::ratio, and the
// pieces' covariances (composites) against those of ratio()'s pieces.
void expect_batch_as_one_by_one(const Engine& engine, const Table& data, const std::string& what,
                                bool base_implementation = false) {
  const std::vector<CodedRatio> ratios = {satisfied(data.column("a")), satisfied(data.column("b")),
                                          dont_know(data.column("a"))};
  std::vector<Domain> domains = domains_of(data, {"g"});
  // Overlapping domains (a second layer), an empty one and everyone again.
  for (const auto& d : domains_of(data, {"h"})) {
    if (!d.labels.empty()) domains.push_back(d);
  }
  domains.push_back(Domain{{{"none", "none"}}, RowMask(data.rows(), false)});
  domains.push_back(Domain{});
  std::vector<const RowMask*> masks;
  for (const auto& d : domains)
    masks.push_back(&d.rows);

  std::vector<std::size_t> seen;
  std::function<void(std::size_t, RatioPieces&)> check = [&](std::size_t d, RatioPieces& pieces) {
    seen.push_back(d);
    ASSERT_EQ(pieces.size(), ratios.size());
    std::vector<Piece> one_by_one;
    std::vector<const Piece*> batch_pieces, single_pieces;
    for (std::size_t j = 0; j < ratios.size(); ++j) {
      const std::string where =
          what + ", domain " + std::to_string(d) + ", ratio " + std::to_string(j);
      std::vector<double> y(data.rows()), z(data.rows());
      bool any = false;
      for (std::size_t i = 0; i < data.rows(); ++i) {
        const auto level = ratios[j].column->code(i);
        y[i] = ratios[j].numerator[level];
        z[i] = ratios[j].denominator[level];
        any |= !std::isnan(y[i]) && !std::isnan(z[i]) &&
               (domains[d].rows.empty() || domains[d].rows[i]);
      }
      ASSERT_EQ(pieces[j].has_value(), any) << where;
      if (!any) continue;
      one_by_one.push_back(engine.ratio(y, z, domains[d].rows));
      const Piece& single = one_by_one.back();
      const Piece& batch = *pieces[j];
      expect_close(batch.value, single.value, 1e-12, where + " estimate");
      expect_close(batch.base.estimate, single.base.estimate, 1e-12, where + " base estimate");
      expect_close(batch.base.se, single.base.se, 1e-10, where + " SE");
      expect_close(std::sqrt(engine.variance(batch)), single.base.se, 1e-10, where + " variance");
      EXPECT_EQ(batch.base.n, single.base.n) << where;
      expect_close(batch.base.weighted_n, single.base.weighted_n, 1e-12, where + " weighted n");
      EXPECT_EQ(batch.base.df, single.base.df) << where;
      EXPECT_EQ(batch.base.statistic, single.base.statistic) << where;
      ASSERT_EQ(batch.detail.size(), single.detail.size()) << where;
      batch_pieces.push_back(&batch);
    }
    for (const auto& p : one_by_one)
      single_pieces.push_back(&p);
    if (batch_pieces.size() < 2) return;
    const Eigen::MatrixXd got = engine.covariance(batch_pieces);
    const Eigen::MatrixXd want = engine.covariance(single_pieces);
    for (Eigen::Index r = 0; r < got.rows(); ++r) {
      for (Eigen::Index c = 0; c < got.cols(); ++c) {
        const double scale = std::sqrt(want(r, r) * want(c, c));
        EXPECT_NEAR(got(r, c), want(r, c), 1e-10 * scale) << what << " covariance, domain " << d;
      }
    }
  };
  if (base_implementation) {
    engine.Engine::ratios(ratios, masks, check);  // ratio() for each
  } else {
    engine.ratios(ratios, masks, check);
  }
  std::vector<std::size_t> order(domains.size());
  for (std::size_t d = 0; d < order.size(); ++d)
    order[d] = d;
  EXPECT_EQ(seen, order) << what;
}

DesignColumns columns(std::string strata, std::vector<std::string> clusters,
                      std::vector<std::string> fpc) {
  DesignColumns c;
  c.strata = std::move(strata);
  c.clusters = std::move(clusters);
  c.weights = "weight";
  c.fpc = std::move(fpc);
  return c;
}

TEST(BatchTest, LinearizationDesigns) {
  const Table data = survey();
  const std::map<std::string, DesignColumns> designs = {
      {"one stage", columns("stratum", {"psu"}, {})},
      {"one stage, fpc", columns("stratum", {"psu"}, {"fpc1"})},
      {"two stages, fpc", columns("stratum", {"psu", "ssu"}, {"fpc1", "fpc2"})},
      {"rows as PSUs", columns("stratum", {}, {})},
      {"unstratified", columns("", {"psu"}, {})}};
  for (const auto& [name, c] : designs)
    expect_batch_as_one_by_one(LinearizationEngine(Design::build(data, c)), data, name);
}

TEST(BatchTest, CalibratedDesignsUseTheRowsCalibrationResiduals) {
  const Table data = survey();
  const Design design = Design::build(data, columns("stratum", {"psu"}, {}));
  std::vector<Margin> margins = {
      {"sex", "F", 3000}, {"sex", "M", 2500}, {"h", "h1", 2000}, {"h", "h2", 3500}};
  CalibrationOptions options;
  options.method = CalibrationOptions::Raking;
  expect_batch_as_one_by_one(LinearizationEngine(calibrate(design, data, margins, options)), data,
                             "raked");
  options.method = CalibrationOptions::Linear;
  expect_batch_as_one_by_one(LinearizationEngine(calibrate(design, data, margins, options)), data,
                             "linear calibration");
}

TEST(BatchTest, TheDefaultCallsRatioForEach) {
  const Table data = survey();
  const Design design = Design::build(data, columns("stratum", {"psu", "ssu"}, {"fpc1", "fpc2"}));
  expect_batch_as_one_by_one(LinearizationEngine(design), data, "linearization", true);
  expect_batch_as_one_by_one(ReplicateEngine(ReplicateDesign::jkn(design)), data, "JKn", true);
}

TEST(BatchTest, ReplicateDesigns) {
  const Table data = survey();
  const Design design = Design::build(data, columns("stratum", {"psu"}, {"fpc1"}));
  const ReplicateDesign jkn = ReplicateDesign::jkn(design);
  ASSERT_TRUE(jkn.factored());
  expect_batch_as_one_by_one(ReplicateEngine(jkn), data, "JKn (factored)");
  expect_batch_as_one_by_one(ReplicateEngine(ReplicateDesign::bootstrap(design, 40, 7)), data,
                             "bootstrap (factored)");
  // The same analysis weights held as columns: the row-block path.
  ReplicateDesign dense = jkn;
  dense.replicates = jkn.analysis_weights();
  dense.psu.clear();
  dense.factors.resize(0, 0);
  ASSERT_FALSE(dense.factored());
  expect_batch_as_one_by_one(ReplicateEngine(dense), data, "JKn (columns)");
}

TEST(BatchTest, FactoredAndColumnReplicatesAgree) {
  const Table data = survey();
  const Design design = Design::build(data, columns("stratum", {"psu"}, {}));
  const ReplicateDesign jkn = ReplicateDesign::jkn(design);
  ReplicateDesign dense = jkn;
  dense.replicates = jkn.analysis_weights();
  dense.psu.clear();
  dense.factors.resize(0, 0);
  EXPECT_EQ(dense.count(), jkn.count());
  const auto y = data.numbers("weight");  // any numbers
  const Replicated f = mean(jkn, y), c = mean(dense, y);
  expect_close(f.estimate.se, c.estimate.se, 1e-12, "SE");
  EXPECT_TRUE(f.replicates.isApprox(c.replicates, 1e-13));
  EXPECT_TRUE(jkn.replicate_totals(Eigen::MatrixXd::Ones(static_cast<Eigen::Index>(data.rows()), 1))
                  .isApprox(dense.replicate_totals(
                                Eigen::MatrixXd::Ones(static_cast<Eigen::Index>(data.rows()), 1)),
                            1e-13));
}

TEST(BatchTest, CodedRatiosMustFitTheirColumn) {
  const Table data = survey();
  LinearizationEngine engine(Design::build(data, columns("stratum", {"psu"}, {})));
  CodedRatio r = satisfied(data.column("a"));
  r.numerator.pop_back();
  const RowMask everyone;
  try {
    engine.ratios({r}, {&everyone}, [](std::size_t, RatioPieces&) {});
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "analysis.size_mismatch");
  }
  const RowMask wrong(3, true);
  try {
    engine.ratios({satisfied(data.column("a"))}, {&wrong}, [](std::size_t, RatioPieces&) {});
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "analysis.size_mismatch");
  }
}

TEST(DomainsOfTest, SortedByTheLevelsTextsAndMissingLeftOut) {
  const Table data = Table::from_columns("d.csv", {{"a", {"x", "x", "10", "9", "", "10", "x"}},
                                                   {"b", {"2", "1", "1", "1", "1", "", "2"}}});
  const auto domains = domains_of(data, {"a", "b"});
  ASSERT_EQ(domains.size(), 5u);  // everyone, then 10/1, 9/1, x/1, x/2
  EXPECT_TRUE(domains[0].labels.empty());
  EXPECT_TRUE(domains[0].rows.empty());
  const std::vector<std::pair<std::string, std::string>> want = {
      {"10", "1"}, {"9", "1"}, {"x", "1"}, {"x", "2"}};
  const std::vector<RowMask> rows = {{false, false, true, false, false, false, false},
                                     {false, false, false, true, false, false, false},
                                     {false, true, false, false, false, false, false},
                                     {true, false, false, false, false, false, true}};
  for (std::size_t k = 0; k < want.size(); ++k) {
    ASSERT_EQ(domains[k + 1].labels.size(), 2u);
    EXPECT_EQ(domains[k + 1].labels[0], std::make_pair(std::string("a"), want[k].first));
    EXPECT_EQ(domains[k + 1].labels[1], std::make_pair(std::string("b"), want[k].second));
    EXPECT_EQ(domains[k + 1].rows, rows[k]) << k;
  }
}

TEST(TableTest, CodesWidenAsLevelsGrow) {
  std::vector<std::string> values;
  for (int i = 0; i < 70000; ++i)
    values.push_back(std::to_string(i % 300 == 0 ? i : i % 300));
  values.push_back("");
  const Table data = Table::from_columns("wide.csv", {{"v", values}});
  const Column& v = data.column("v");
  ASSERT_EQ(v.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(v.text(i), values[i]) << i;
    ASSERT_EQ(v.levels()[v.code(i)], values[i]) << i;
  }
  EXPECT_TRUE(v.is_missing(values.size() - 1));
  EXPECT_TRUE(std::isnan(v.number(values.size() - 1)));
  EXPECT_EQ(v.number(301), 1);
}

TEST(TableTest, LinesOfRowsAfterARecordSpanningLines) {
  sipas::test::TempDir dir;
  {
    std::ofstream out(dir / "lines.csv");
    out << "id,note\n1,a\n2,\"two\nlines\"\n3,c\n4,d\n";
  }
  const Table data = Table::load(dir / "lines.csv");
  ASSERT_EQ(data.rows(), 4u);
  EXPECT_EQ(data.line_of(0), 2u);
  EXPECT_EQ(data.line_of(1), 3u);
  EXPECT_EQ(data.line_of(2), 5u);
  EXPECT_EQ(data.line_of(3), 6u);
  EXPECT_EQ(data.line_of(4), 0u);
  const Table built = Table::from_columns("b.csv", {{"x", {"1", "2"}}});
  EXPECT_EQ(built.line_of(1), 3u);
}

}  // namespace
