// Replicate-weight designs against R's survey package: the designs of
// tests/reference/analysis_reference.json "replicate_designs" read from their
// repweights_*.csv files and, where R built them from a design (JK1, JKn,
// BRR, Fay), built here from the same data. A few further values computed
// with R are quoted inline with the R code that gave them. Estimates must
// agree to a relative 1e-9 and standard errors to 1e-7.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <tuple>

#include "analysis/design.hpp"
#include "analysis/error.hpp"
#include "analysis/estimators.hpp"
#include "analysis/hadamard.hpp"
#include "analysis/replicate.hpp"
#include "io/file.hpp"

namespace {

using namespace sipas::analysis;
using Json = nlohmann::json;
using ::testing::HasSubstr;

const Json& reference() {
  static const Json doc = Json::parse(sipas::io::read_file(
      std::string(SIPAS_SOURCE_DIR) + "/tests/reference/analysis_reference.json", 1 << 24));
  return doc;
}

const Json& replicate_reference(const std::string& name) {
  return reference()["replicate_designs"][name];
}

std::string data_file(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/../shared/data/api/" + name + ".csv";
}

std::string reference_file(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/tests/reference/" + name;
}

double value_of(const Json& entry) {
  const Json& v = entry["value"];
  if (v.is_object()) return v.begin()->get<double>();
  return v.get<double>();
}

std::vector<double> values_of(const Json& entry) {
  return entry["value"].get<std::vector<double>>();
}

void expect_rel(double got, double want, double tolerance, const std::string& what) {
  EXPECT_NEAR(got, want, tolerance * std::max(1.0, std::fabs(want))) << what;
}
constexpr double estimate_tolerance = 1e-9;
constexpr double se_tolerance = 1e-7;

template <typename F>
void expect_error(F&& f, const std::string& id, const std::string& message) {
  try {
    f();
    ADD_FAILURE() << "no error, expected " << id;
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), id);
    EXPECT_THAT(e.what(), HasSubstr(message));
  }
}

DesignColumns columns_of(std::string strata, std::vector<std::string> clusters, std::string weights,
                         std::vector<std::string> fpc) {
  DesignColumns c;
  c.strata = std::move(strata);
  c.clusters = std::move(clusters);
  c.weights = std::move(weights);
  c.fpc = std::move(fpc);
  return c;
}

RowMask level_mask(const Table& data, const std::string& column, const std::string& level) {
  const Column& c = data.column(column);
  RowMask mask(data.rows());
  for (std::size_t i = 0; i < mask.size(); ++i)
    mask[i] = c.text(i) == level;
  return mask;
}

// The replicate weight columns rep1..repR of a reference CSV.
Eigen::MatrixXd csv_replicates(const Table& csv) {
  std::size_t count = 0;
  while (csv.has("rep" + std::to_string(count + 1)))
    ++count;
  Eigen::MatrixXd out(static_cast<Eigen::Index>(csv.rows()), static_cast<Eigen::Index>(count));
  for (std::size_t r = 0; r < count; ++r) {
    auto v = csv.numbers("rep" + std::to_string(r + 1));
    for (std::size_t i = 0; i < v.size(); ++i)
      out(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(r)) = v[i];
  }
  return out;
}

// Everything the reference records for one replicate design: scale,
// rscales, degf, mean of api00, total of enroll, ratio api00/api99, with
// their replicate estimates. `data` holds the variables in the design's rows.
void expect_as_r(const ReplicateDesign& design, const Table& data, const std::string& name) {
  const Json& ref = replicate_reference(name);
  EXPECT_EQ(design.count(), value_of(ref["replicates"])) << name;
  EXPECT_EQ(to_string(design.type), ref["type"]["value"].get<std::string>()) << name;
  expect_rel(design.scale, value_of(ref["scale"]), 1e-14, name + " scale");
  const auto rscales = values_of(ref["rscales"]);
  ASSERT_EQ(design.rscales.size(), static_cast<Eigen::Index>(rscales.size())) << name;
  for (std::size_t r = 0; r < rscales.size(); ++r)
    expect_rel(design.rscales[static_cast<Eigen::Index>(r)], rscales[r], 1e-14, name + " rscale");
  EXPECT_EQ(design.mse, ref["mse"]["value"].get<bool>()) << name;
  EXPECT_EQ(design.df, value_of(ref["degf"])) << name;

  auto check = [&](const Replicated& got, const Json& want, const std::string& what) {
    expect_rel(got.estimate.estimate, value_of(want["estimate"]), estimate_tolerance, what);
    expect_rel(got.estimate.se, value_of(want["SE"]), se_tolerance, what + " SE");
    EXPECT_EQ(got.estimate.df, value_of(ref["degf"])) << what;
    const auto replicates = values_of(want["replicates"]);
    ASSERT_EQ(got.replicates.size(), static_cast<Eigen::Index>(replicates.size())) << what;
    for (std::size_t r = 0; r < replicates.size(); ++r) {
      expect_rel(got.replicates[static_cast<Eigen::Index>(r)], replicates[r], estimate_tolerance,
                 what + " replicate " + std::to_string(r + 1));
    }
  };
  auto m = mean(design, data.numbers("api00"));
  EXPECT_EQ(m.estimate.statistic, "mean");
  EXPECT_EQ(m.estimate.n, static_cast<double>(data.rows()));
  expect_rel(m.estimate.weighted_n, design.weights.sum(), 1e-15, name + " weighted n");
  check(m, ref["mean_api00"], name + " mean api00");
  check(total(design, data.numbers("enroll")), ref["total_enroll"], name + " total enroll");
  auto r = ratio(design, data.numbers("api00"), data.numbers("api99")).estimate;
  expect_rel(r.estimate, value_of(ref["ratio_api00_api99"]["ratio"]), estimate_tolerance,
             name + " ratio");
  expect_rel(r.se, value_of(ref["ratio_api00_api99"]["SE"]), se_tolerance, name + " ratio SE");
}

// ---------------------------------------------------------------------------
// Replicate weights read from R's CSV files (svrepdesign).

struct FileCase {
  std::string name;
  ReplicateType type;
  bool give_scale;    // R's scale is not svrepdesign's default for this type
  bool give_rscales;  // JKn needs them
};

class FromColumnsTest : public ::testing::TestWithParam<FileCase> {};

TEST_P(FromColumnsTest, EstimatesAndStandardErrorsAsR) {
  const FileCase& c = GetParam();
  const Json& ref = replicate_reference(c.name);
  Table csv = Table::load(reference_file(ref["csv"].get<std::string>()));
  std::optional<double> scale;
  if (c.give_scale) scale = value_of(ref["scale"]);
  std::optional<std::vector<double>> rscales;
  if (c.give_rscales) rscales = values_of(ref["rscales"]);
  auto design = ReplicateDesign::from_columns(csv, "w", "rep", c.type, scale, rscales, false);
  EXPECT_EQ(design.replicates, csv_replicates(csv));
  expect_as_r(design, csv, c.name);
}

INSTANTIATE_TEST_SUITE_P(
    R, FromColumnsTest,
    ::testing::Values(FileCase{"jk1_dclus1", ReplicateType::JK1, true, false},
                      FileCase{"jkn_dstrat", ReplicateType::JKn, false, true},
                      FileCase{"boot_dclus1", ReplicateType::Bootstrap, true, false},
                      FileCase{"boot_dstrat", ReplicateType::Bootstrap, true, false},
                      FileCase{"brr_pairs", ReplicateType::BRR, false, false},
                      FileCase{"fay_pairs", ReplicateType::Fay, true, false}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(FromColumnsTest, DefaultScalesAreSvrepdesigns) {
  Table csv = Table::load(reference_file("repweights_boot_dclus1.csv"));
  // svrepdesign(type = "bootstrap"): scale 1/(R - 1).
  auto boot =
      ReplicateDesign::from_columns(csv, "w", "rep", ReplicateType::Bootstrap, {}, {}, false);
  EXPECT_DOUBLE_EQ(boot.scale, 1.0 / 49);
  // JK1 without a scale: R guesses n = R PSUs, (R - 1)/R.
  auto jk1 = ReplicateDesign::from_columns(csv, "w", "rep", ReplicateType::JK1, {}, {}, false);
  EXPECT_DOUBLE_EQ(jk1.scale, 49.0 / 50);
  auto other = ReplicateDesign::from_columns(csv, "w", "rep", ReplicateType::Other, {},
                                             std::vector<double>{0.5}, true);
  EXPECT_EQ(other.scale, 1);
  EXPECT_EQ(other.rscales, Eigen::VectorXd::Constant(50, 0.5));
  EXPECT_TRUE(other.mse);
  // BRR: 1/R.
  Table pairs = Table::load(reference_file("repweights_brr_pairs.csv"));
  auto brr = ReplicateDesign::from_columns(pairs, "w", "rep", ReplicateType::BRR, {}, {}, false);
  EXPECT_DOUBLE_EQ(brr.scale, 1.0 / 104);
}

TEST(FromColumnsTest, ColumnsAreOrderedByTheirNumber) {
  Table data = Table::from_columns("order.csv", {{"y", {"1", "2"}},
                                                 {"rep10", {"10", "10"}},
                                                 {"rep2", {"2", "2"}},
                                                 {"rep1", {"1", "1"}},
                                                 {"repx", {"5", "5"}},
                                                 {"report", {"7", "7"}}});
  auto d = ReplicateDesign::from_columns(data, "", "rep", ReplicateType::Other, {}, {}, false);
  ASSERT_EQ(d.count(), 3);
  EXPECT_EQ(d.replicates(0, 0), 1);
  EXPECT_EQ(d.replicates(0, 1), 2);
  EXPECT_EQ(d.replicates(0, 2), 10);
  EXPECT_EQ(d.weights, Eigen::VectorXd::Ones(2));  // no weights column: 1 (R's default)
}

// ---------------------------------------------------------------------------
// Replicate designs built from a linearization design (as.svrepdesign).

TEST(BuiltAsR, Jk1OnDclus1) {
  Table data = Table::load(data_file("apiclus1"));
  auto design = Design::build(data, columns_of("", {"dnum"}, "pw", {"fpc"}));
  auto jk1 = ReplicateDesign::jk1(design);
  Table csv = Table::load(reference_file("repweights_jk1_dclus1.csv"));
  ASSERT_EQ(jk1.analysis_weights().rows(), static_cast<Eigen::Index>(csv.rows()));
  EXPECT_TRUE(jk1.analysis_weights().isApprox(csv_replicates(csv), 1e-15));
  expect_as_r(jk1, data, "jk1_dclus1");
}

TEST(BuiltAsR, JknOnDstrat) {
  Table data = Table::load(data_file("apistrat"));
  auto design = Design::build(data, columns_of("stype", {}, "pw", {"fpc"}));
  auto jkn = ReplicateDesign::jkn(design);
  Table csv = Table::load(reference_file("repweights_jkn_dstrat.csv"));
  EXPECT_TRUE(jkn.analysis_weights().isApprox(csv_replicates(csv), 1e-15));
  expect_as_r(jkn, data, "jkn_dstrat");
}

std::string two_digits(int number) {
  return (number < 10 ? "0" : "") + std::to_string(number);
}

// dpairs as analysis_reference.R builds it: apistrat sorted by stype, then
// snum; consecutive schools of a stype paired into strata E01..E50,
// H01..H25, M01..M25. `label` renames the pairs (for another Hadamard order).
Table pairs_table(const std::function<std::string(const std::string&, int)>& label = {}) {
  Table api = Table::load(data_file("apistrat"));
  const Column& stype = api.column("stype");
  const auto snum = api.numbers("snum");
  std::vector<std::size_t> order(api.rows());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (stype.text(a) != stype.text(b)) return stype.text(a) < stype.text(b);
    return snum[a] < snum[b];
  });
  std::vector<std::pair<std::string, std::vector<std::string>>> columns;
  for (const char* name : {"cds", "stype", "snum", "api00", "api99", "enroll", "sch.wide", "pw"}) {
    std::vector<std::string> values;
    for (auto i : order)
      values.push_back(api.column(name).text(i));
    columns.emplace_back(name, std::move(values));
  }
  std::vector<std::string> pair;
  std::string previous;
  int within = 0;
  for (auto i : order) {
    within = stype.text(i) == previous ? within + 1 : 1;
    previous = stype.text(i);
    const int number = (within + 1) / 2;
    pair.push_back(label ? label(previous, number) : previous + two_digits(number));
  }
  columns.emplace_back("pair", std::move(pair));
  return Table::from_columns("apistrat_pairs", std::move(columns));
}

Design pairs_design(const Table& data) {
  return Design::build(data, columns_of("pair", {}, "pw", {}));
}

TEST(BuiltAsR, BrrAndFayOnPairs) {
  Table data = pairs_table();
  auto design = pairs_design(data);
  for (const auto& [name, rho] : {std::pair<std::string, double>{"brr_pairs", 0.0},
                                  std::pair<std::string, double>{"fay_pairs", 0.3}}) {
    auto brr = ReplicateDesign::brr(design, rho);
    Table csv = Table::load(reference_file(replicate_reference(name)["csv"].get<std::string>()));
    ASSERT_EQ(csv.rows(), data.rows());
    for (std::size_t i = 0; i < csv.rows(); ++i) {
      ASSERT_EQ(csv.column("cds").text(i), data.column("cds").text(i)) << "row order";
      ASSERT_EQ(csv.column("pair").text(i), data.column("pair").text(i)) << "pairs";
    }
    EXPECT_TRUE(brr.analysis_weights().isApprox(csv_replicates(csv), 1e-15)) << name;
    expect_as_r(brr, data, name);
  }
}

TEST(BuiltAsR, BrrTotalsDoNotDependOnTheHadamardOrder) {
  // Pairs named so that they sort in another order take other rows of the
  // Hadamard matrix: another balanced set. A total's variance is the same for
  // every balanced set (and equals the linearized one); a mean's is not.
  Table renamed = pairs_table(
      [](const std::string& stype, int number) { return two_digits(60 - number) + stype; });
  auto brr = ReplicateDesign::brr(pairs_design(renamed));
  auto r_brr = ReplicateDesign::brr(pairs_design(pairs_table()));
  EXPECT_FALSE(brr.analysis_weights().isApprox(r_brr.analysis_weights()));
  const Json& ref = replicate_reference("brr_pairs");
  auto t = total(brr, renamed.numbers("enroll")).estimate;
  expect_rel(t.se, value_of(ref["total_enroll"]["SE"]), se_tolerance, "BRR total SE");
  expect_rel(t.se, value_of(replicate_reference("pairs_design")["taylor_total_enroll"]["SE"]),
             se_tolerance, "Taylor total SE");
  auto m = mean(brr, renamed.numbers("api00")).estimate;
  expect_rel(m.estimate, value_of(ref["mean_api00"]["estimate"]), estimate_tolerance, "mean");
  EXPECT_NE(m.se, value_of(ref["mean_api00"]["SE"]));
  EXPECT_NEAR(m.se, value_of(ref["mean_api00"]["SE"]), 0.05 * value_of(ref["mean_api00"]["SE"]));
}

// ---------------------------------------------------------------------------
// Domains, missing values, mse and lonely PSUs (R values quoted inline).

TEST(DomainsAsR, JackknifeDomainTotalsEqualTheLinearizedOnes) {
  // For totals JK1 and JKn give the linearized variance exactly, so the
  // domain totals must match R's svyby on dclus1 and dstrat.
  struct Case {
    std::string file, estimates;
    DesignColumns columns;
    bool stratified;
  };
  for (const Case& c : {Case{"apiclus1", "dclus1", columns_of("", {"dnum"}, "pw", {"fpc"}), false},
                        Case{"apistrat", "dstrat", columns_of("stype", {}, "pw", {"fpc"}), true}}) {
    Table data = Table::load(data_file(c.file));
    auto design = Design::build(data, c.columns);
    auto rep = c.stratified ? ReplicateDesign::jkn(design) : ReplicateDesign::jk1(design);
    const Json& ref = reference()["estimates"][c.estimates];
    for (const char* level : {"E", "H", "M"}) {
      const auto domain = level_mask(data, "stype", level);
      for (const char* variable : {"api00", "enroll"}) {
        const Json& want = ref[std::string("by_stype_total_") + variable];
        auto t = total(rep, data.numbers(variable), domain).estimate;
        const std::string what = c.estimates + " " + variable + " stype=" + level;
        expect_rel(t.estimate, want["estimate"]["value"][level].get<double>(), estimate_tolerance,
                   what);
        expect_rel(t.se, want["SE"]["value"][level].get<double>(), se_tolerance, what + " SE");
      }
    }
  }
}

TEST(DomainsAsR, DomainMeansAndRatios) {
  Table clus = Table::load(data_file("apiclus1"));
  auto jk1 = ReplicateDesign::jk1(Design::build(clus, columns_of("", {"dnum"}, "pw", {"fpc"})));
  // svyby(~api00, ~stype, as.svrepdesign(dclus1, type = "JK1"), svymean)
  const std::vector<std::tuple<std::string, double, double>> jk1_means = {
      {"E", 648.86805555555554, 25.374303552398235},
      {"H", 618.57142857142856, 46.344121745185973},
      {"M", 631.44000000000005, 33.687619998631355}};
  for (const auto& [level, estimate, se] : jk1_means) {
    auto m = mean(jk1, clus.numbers("api00"), level_mask(clus, "stype", level)).estimate;
    expect_rel(m.estimate, estimate, estimate_tolerance, "JK1 mean stype=" + level);
    expect_rel(m.se, se, se_tolerance, "JK1 mean SE stype=" + level);
  }
  Table strat = Table::load(data_file("apistrat"));
  auto jkn = ReplicateDesign::jkn(Design::build(strat, columns_of("stype", {}, "pw", {"fpc"})));
  // svyby(~api00, ~sch.wide, as.svrepdesign(dstrat, type = "JKn"), svymean),
  // and svyratio with denominator = ~api99.
  const std::vector<std::tuple<std::string, double, double, double, double>> jkn_cases = {
      {"No", 593.74685821458854, 19.179811908524403, 0.99402266886291779, 0.0027080143109785922},
      {"Yes", 676.53044365677738, 10.529002606389916, 1.0636255244686685, 0.0039661442157384518}};
  for (const auto& [level, m_estimate, m_se, r_estimate, r_se] : jkn_cases) {
    const auto domain = level_mask(strat, "sch.wide", level);
    auto m = mean(jkn, strat.numbers("api00"), domain).estimate;
    expect_rel(m.estimate, m_estimate, estimate_tolerance, "JKn mean sch.wide=" + level);
    expect_rel(m.se, m_se, se_tolerance, "JKn mean SE sch.wide=" + level);
    auto r = ratio(jkn, strat.numbers("api00"), strat.numbers("api99"), domain).estimate;
    expect_rel(r.estimate, r_estimate, estimate_tolerance, "JKn ratio sch.wide=" + level);
    expect_rel(r.se, r_se, se_tolerance, "JKn ratio SE sch.wide=" + level);
  }
}

TEST(MissingValuesAsR, RowsWithoutAValueAreLeftOut) {
  // apiclus2's enroll has 6 NAs. jk2 <- as.svrepdesign(dclus2, type = "JK1")
  // (R drops the second-stage fpc); svymean/svytotal(~enroll, jk2, na.rm = TRUE).
  Table data = Table::load(data_file("apiclus2"));
  auto design = Design::build(data, columns_of("", {"dnum", "snum"}, "", {"fpc1", "fpc2"}));
  auto jk1 = ReplicateDesign::jk1(design);
  expect_rel(jk1.scale, 0.92348084544253639, 1e-14, "scale");
  EXPECT_EQ(jk1.df, 39);
  const auto enroll = data.numbers("enroll");
  auto m = mean(jk1, enroll).estimate;
  EXPECT_EQ(m.n, 120);
  expect_rel(m.estimate, 526.26264150943405, estimate_tolerance, "mean");
  expect_rel(m.se, 96.578282607248156, se_tolerance, "mean SE");
  auto t = total(jk1, enroll).estimate;
  expect_rel(t.estimate, 2639272.9300000002, estimate_tolerance, "total");
  expect_rel(t.se, 798295.67945205374, se_tolerance, "total SE");
  // The same as a domain without those rows.
  RowMask present(enroll.size());
  for (std::size_t i = 0; i < enroll.size(); ++i)
    present[i] = !std::isnan(enroll[i]);
  auto filled = enroll;
  for (auto& v : filled)
    if (std::isnan(v)) v = 1e9;
  auto d = total(jk1, filled, present);
  EXPECT_EQ(d.estimate.se, t.se);
  EXPECT_EQ(d.estimate.estimate, t.estimate);
}

TEST(MseAsR, CentredOnTheFullSampleEstimate) {
  // svymean(~api00, as.svrepdesign(dclus1, type = "JK1", mse = TRUE))
  Table data = Table::load(data_file("apiclus1"));
  auto jk1 = ReplicateDesign::jk1(Design::build(data, columns_of("", {"dnum"}, "pw", {"fpc"})));
  jk1.mse = true;
  auto m = mean(jk1, data.numbers("api00")).estimate;
  expect_rel(m.estimate, 644.16939890710387, estimate_tolerance, "mean");
  expect_rel(m.se, 26.334857668459183, se_tolerance, "mean SE");
}

TEST(LonelyPsuAsR, JknFollowsTheDesignsOption) {
  // apistrat plus a copy of its first row in a stratum "X" of its own;
  // options(survey.lonely.psu = o); r <- as.svrepdesign(svydesign(id = ~1,
  // strata = ~stype, weights = ~pw, data = lonely), type = "JKn").
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
  struct Case {
    LonelyPsu option;
    Eigen::Index replicates;
    double scale, df, mean_se, total_se;
  };
  const double want_mean = 663.54680706486852, want_total = 4139344.2988491058;
  for (const Case& c :
       {Case{LonelyPsu::Adjust, 201, 1, 198, 9.5309503946867409, 1151586.1726361108},
        Case{LonelyPsu::Average, 200, 1.0049999999999999, 197, 9.4921918848325753,
             59214.285930882819},
        Case{LonelyPsu::Remove, 200, 1, 197, 9.4685500252456034, 59066.803047002468},
        Case{LonelyPsu::Certainty, 200, 1, 197, 9.4685500252456034, 59066.803047002468}}) {
    auto columns = columns_of("stype", {}, "pw", {});
    columns.lonely_psu = c.option;
    auto jkn = ReplicateDesign::jkn(Design::build(data, columns));
    const std::string what = to_string(c.option);
    EXPECT_EQ(jkn.count(), c.replicates) << what;
    expect_rel(jkn.scale, c.scale, 1e-15, what + " scale");
    EXPECT_EQ(jkn.df, c.df) << what;
    auto m = mean(jkn, data.numbers("api00")).estimate;
    expect_rel(m.estimate, want_mean, estimate_tolerance, what + " mean");
    expect_rel(m.se, c.mean_se, se_tolerance, what + " mean SE");
    auto t = total(jkn, data.numbers("api00")).estimate;
    expect_rel(t.estimate, want_total, estimate_tolerance, what + " total");
    expect_rel(t.se, c.total_se, se_tolerance, what + " total SE");
  }
  auto fail = columns_of("stype", {}, "pw", {});
  expect_error([&] { ReplicateDesign::jkn(Design::build(data, fail)); }, "design.lonely_psu",
               "stratum X has only one PSU at stage 1");
}

// ---------------------------------------------------------------------------
// Hadamard matrices as R's hadamard().

TEST(HadamardTest, SizesAndRowsAsR) {
  // n, nrow(hadamard(n)) in survey 4.1.
  const std::vector<std::pair<std::size_t, Eigen::Index>> sizes = {
      {1, 4},     {2, 4},     {3, 4},     {4, 8},       {5, 8},      {8, 12},  {12, 16},
      {13, 16},   {27, 28},   {28, 32},   {35, 36},     {36, 40},    {50, 56}, {100, 104},
      {200, 212}, {395, 420}, {512, 524}, {1000, 1008}, {2000, 2004}};
  for (const auto& [n, rows] : sizes) {
    auto h = hadamard(n);
    EXPECT_EQ(h.rows(), rows) << n;
    EXPECT_EQ(h.cols(), rows) << n;
  }
  auto row_text = [](const BinaryMatrix& h, Eigen::Index row) {
    std::string s;
    for (Eigen::Index j = 0; j < h.cols(); ++j)
      s += h(row, j) ? '1' : '0';
    return s;
  };
  // paste(hadamard(100)[2, ], collapse = "") and [101, ]: Paley, p = 103.
  auto h100 = hadamard(100);
  EXPECT_EQ(row_text(h100, 1),
            "100010110001110000000111010010001000101011011110110010110010000100101011101110110100"
            "01111111000111001011");
  EXPECT_EQ(row_text(h100, 100),
            "110110001011000111000000011101001000100010101101111011001011001000010010101110111011"
            "01000111111100011100");
  // hadamard(5): the stored order-4 matrix doubled.
  auto h5 = hadamard(5);
  const std::vector<std::string> rows5 = {"11111111", "10101010", "11001100", "10011001",
                                          "11110000", "10100101", "11000011", "10010110"};
  for (Eigen::Index i = 0; i < 8; ++i)
    EXPECT_EQ(row_text(h5, i), rows5[static_cast<std::size_t>(i)]);
}

TEST(HadamardTest, RowsAreOrthogonal) {
  std::vector<std::size_t> sizes(40);
  std::iota(sizes.begin(), sizes.end(), 1);
  sizes.insert(sizes.end(), {50, 64, 100, 130});
  for (auto n : sizes) {
    const Eigen::MatrixXi pm = hadamard(n).cast<int>().array() * 2 - 1;
    const Eigen::MatrixXi product = pm * pm.transpose();
    EXPECT_EQ(product, pm.rows() * Eigen::MatrixXi::Identity(pm.rows(), pm.rows())) << n;
    EXPECT_GT(pm.rows(), static_cast<Eigen::Index>(n));
  }
}

// ---------------------------------------------------------------------------
// Small cases worked by hand.

TEST(ReplicateByHandTest, Jk1OnThreePsus) {
  // PSUs a (y 1, w 2), b (y 4, w 1), c (y 7, w 1). Total 2 + 4 + 7 = 13.
  // Replicates drop one PSU and weight the others by 3/2: 16.5, 13.5, 9;
  // their mean is 13, v = 2/3 · (3.5² + 0.5² + 4²) = 19, which is also the
  // linearized 3/2 · Σ (t_i − 13/3)².
  Table data = Table::from_columns(
      "three.csv", {{"psu", {"a", "b", "c"}}, {"y", {"1", "4", "7"}}, {"w", {"2", "1", "1"}}});
  auto design = Design::build(data, columns_of("", {"psu"}, "w", {}));
  auto jk1 = ReplicateDesign::jk1(design);
  EXPECT_EQ(jk1.type, ReplicateType::JK1);
  EXPECT_DOUBLE_EQ(jk1.scale, 2.0 / 3);
  EXPECT_EQ(jk1.df, 2);
  Eigen::MatrixXd expected(3, 3);
  expected << 0, 3, 3, 1.5, 0, 1.5, 1.5, 1.5, 0;
  EXPECT_TRUE(jk1.analysis_weights().isApprox(expected));
  const auto y = data.numbers("y");
  auto t = total(jk1, y);
  EXPECT_DOUBLE_EQ(t.estimate.estimate, 13);
  EXPECT_TRUE(t.replicates.isApprox(Eigen::Vector3d(16.5, 13.5, 9)));
  EXPECT_NEAR(t.estimate.se * t.estimate.se, 19, 1e-12);
  EXPECT_NEAR(total(design, y).estimate.se, t.estimate.se, 1e-12);
  // Mean 13/4; replicates 16.5/3, 13.5/4.5, 9/4.5; their mean 3.5;
  // v = 2/3 · (2² + 0.5² + 1.5²) = 13/3; centred on 3.25 (mse): 2/3 · 6.6875.
  auto m = mean(jk1, y);
  EXPECT_DOUBLE_EQ(m.estimate.estimate, 3.25);
  EXPECT_TRUE(m.replicates.isApprox(Eigen::Vector3d(5.5, 3, 2)));
  EXPECT_NEAR(m.estimate.se * m.estimate.se, 13.0 / 3, 1e-12);
  auto mse = jk1;
  mse.mse = true;
  EXPECT_NEAR(std::pow(mean(mse, y).estimate.se, 2), 2.0 / 3 * 6.6875, 1e-12);
}

TEST(ReplicateByHandTest, JknWithFpc) {
  // Stratum a: 2 PSUs of N = 10; b: 3 PSUs of N = 6. Weights N/n.
  // rscales (1 − n/N)(n − 1)/n: a 0.8 · 1/2 = 0.4, b 0.5 · 2/3 = 1/3.
  // Totals: the JKn variance equals the linearized one, Σ N_h² (1 − f_h) s_h²/n_h:
  // a: y 1, 3 → s² = 2: 100 · 0.8 · 2/2 = 80; b: y 2, 4, 9 → s² = 13: 36 · 0.5 · 13/3 = 78.
  Table data = Table::from_columns("jkn.csv", {{"s", {"a", "a", "b", "b", "b"}},
                                               {"N", {"10", "10", "6", "6", "6"}},
                                               {"y", {"1", "3", "2", "4", "9"}}});
  auto design = Design::build(data, columns_of("s", {}, "", {"N"}));
  auto jkn = ReplicateDesign::jkn(design);
  ASSERT_EQ(jkn.count(), 5);
  Eigen::VectorXd rscales(5);
  rscales << 0.4, 0.4, 1.0 / 3, 1.0 / 3, 1.0 / 3;
  EXPECT_TRUE(jkn.rscales.isApprox(rscales));
  EXPECT_EQ(jkn.scale, 1);
  EXPECT_EQ(jkn.df, 3);  // 5 PSUs − 2 strata
  // Replicate 3 drops the first PSU of b: b's others × 3/2, a unchanged.
  Eigen::VectorXd third(5);
  third << 5, 5, 0, 3, 3;
  EXPECT_TRUE(jkn.analysis_weights().col(2).isApprox(third));
  auto t = total(jkn, data.numbers("y")).estimate;
  EXPECT_DOUBLE_EQ(t.estimate, 5 * 4 + 2 * 15);
  EXPECT_NEAR(t.se * t.se, 80 + 78, 1e-9);
}

TEST(ReplicateByHandTest, FayFactors) {
  // Two strata of two PSUs: rows 2 and 3 of hadamard(2) (the stored order-4
  // matrix: 1010 and 1100) choose the half that gets 2 − ρ.
  Table data = Table::from_columns(
      "fay.csv",
      {{"s", {"p", "p", "q", "q"}}, {"y", {"1", "2", "3", "5"}}, {"w", {"1", "1", "1", "1"}}});
  auto design = Design::build(data, columns_of("s", {}, "w", {}));
  auto fay = ReplicateDesign::brr(design, 0.5);
  EXPECT_EQ(fay.type, ReplicateType::Fay);
  EXPECT_DOUBLE_EQ(fay.scale, 1 / (4 * 0.25));
  Eigen::MatrixXd expected(4, 4);
  expected << 1.5, 0.5, 1.5, 0.5,  //
      0.5, 1.5, 0.5, 1.5,          //
      1.5, 1.5, 0.5, 0.5,          //
      0.5, 0.5, 1.5, 1.5;
  EXPECT_EQ(fay.analysis_weights(), expected);
  EXPECT_EQ(fay.df, 2);  // rank 3: the constant and one direction per stratum
  // θ_r − t = Σ_h ±(1 − ρ)(y_h1 − y_h2) with orthogonal signs, so
  // v = 1/(4 (1 − ρ)²) · 4 (1 − ρ)² Σ_h (y_h1 − y_h2)² = 1 + 4.
  EXPECT_NEAR(std::pow(total(fay, data.numbers("y")).estimate.se, 2), 5, 1e-12);
  EXPECT_EQ(ReplicateDesign::brr(design).type, ReplicateType::BRR);
}

TEST(ReplicateByHandTest, VarianceAsSvrVar) {
  ReplicateDesign d;
  d.weights = Eigen::VectorXd::Ones(1);
  d.replicates = Eigen::MatrixXd::Ones(1, 4);
  d.scale = 0.5;
  d.rscales = Eigen::Vector4d(1, 2, 0, 1);
  // Centre: the mean of the replicates with rscale > 0, (1 + 2 + 6)/3 = 3;
  // v = 0.5 (1·4 + 2·1 + 0·1 + 1·9) = 7.5.
  EXPECT_DOUBLE_EQ(d.variance(Eigen::Vector4d(1, 2, 4, 6), 10), 7.5);
  // NaN replicates are dropped (R's na.action), the others keep their rscales.
  EXPECT_DOUBLE_EQ(d.variance(Eigen::Vector4d(1, NAN, 4, 5), 0), 0.5 * (4 + 4));
  EXPECT_TRUE(std::isnan(d.variance(Eigen::Vector4d::Constant(NAN), 0)));
  d.mse = true;
  EXPECT_DOUBLE_EQ(d.variance(Eigen::Vector4d(1, 2, 4, 6), 2), 0.5 * (1 + 0 + 0 + 16));
}

TEST(ReplicateByHandTest, ADomainMissingFromAReplicate) {
  // The domain lies in PSU a only: the replicate that drops a has no rows of
  // it, its mean is 0/0 and is left out, as R drops NA replicates.
  Table data = Table::from_columns(
      "gap.csv",
      {{"psu", {"a", "a", "b", "c"}}, {"y", {"1", "3", "4", "7"}}, {"d", {"1", "1", "0", "0"}}});
  auto jk1 = ReplicateDesign::jk1(Design::build(data, columns_of("", {"psu"}, "", {})));
  auto m = mean(jk1, data.numbers("y"), level_mask(data, "d", "1"));
  EXPECT_DOUBLE_EQ(m.estimate.estimate, 2);
  EXPECT_TRUE(std::isnan(m.replicates[0]));
  EXPECT_DOUBLE_EQ(m.replicates[1], 2);
  EXPECT_EQ(m.estimate.se, 0);
  EXPECT_EQ(m.estimate.n, 2);
}

TEST(ReplicateByHandTest, ACensusHasNoReplicates) {
  Table data = Table::from_columns(
      "census.csv", {{"psu", {"a", "b", "c"}}, {"y", {"1", "2", "3"}}, {"N", {"3", "3", "3"}}});
  auto jk1 = ReplicateDesign::jk1(Design::build(data, columns_of("", {"psu"}, "", {"N"})));
  EXPECT_EQ(jk1.count(), 0);
  auto t = total(jk1, data.numbers("y")).estimate;
  EXPECT_EQ(t.estimate, 6);
  EXPECT_EQ(t.se, 0);
}

// ---------------------------------------------------------------------------
// The bootstrap: R's draws cannot be reproduced, so its properties are tested.

TEST(BootstrapTest, ReproducibleFromTheSeed) {
  Table data = Table::load(data_file("apistrat"));
  auto design = Design::build(data, columns_of("stype", {}, "pw", {"fpc"}));
  auto a = ReplicateDesign::bootstrap(design, 20, 42);
  auto b = ReplicateDesign::bootstrap(design, 20, 42);
  auto c = ReplicateDesign::bootstrap(design, 20, 43);
  EXPECT_EQ(a.analysis_weights(), b.analysis_weights());
  EXPECT_NE(a.analysis_weights(), c.analysis_weights());
  EXPECT_EQ(a.type, ReplicateType::Bootstrap);
  // scale p/((p − 1)(R − 1)), p = 3/(1/100 + 1/50 + 1/50) = 60: R's value.
  expect_rel(a.scale, 60.0 / (59 * 19), 1e-15, "scale");
  EXPECT_EQ(a.rscales, Eigen::VectorXd::Ones(20));
  EXPECT_EQ(a.df, 19);
}

TEST(BootstrapTest, EachStratumDrawsItsSampleSize) {
  // Every replicate draws n_h PSUs in each stratum: the factors (counts) sum
  // to n_h there, with and without an fpc.
  Table data = Table::load(data_file("apistrat"));
  for (bool fpc : {true, false}) {
    auto design = Design::build(
        data, columns_of("stype", {}, "pw",
                         fpc ? std::vector<std::string>{"fpc"} : std::vector<std::string>{}));
    auto boot = ReplicateDesign::bootstrap(design, 30, 7);
    const Eigen::MatrixXd weights = boot.analysis_weights();
    const Column& stype = data.column("stype");
    for (Eigen::Index r = 0; r < boot.count(); ++r) {
      std::map<std::string, double> sums;
      for (std::size_t i = 0; i < data.rows(); ++i) {
        const double factor = weights(static_cast<Eigen::Index>(i), r) /
                              design.weights()[static_cast<Eigen::Index>(i)];
        EXPECT_NEAR(factor, std::round(factor), 1e-12);
        sums[stype.text(i)] += factor;
      }
      EXPECT_NEAR(sums["E"], 100, 1e-9);
      EXPECT_NEAR(sums["H"], 50, 1e-9);
      EXPECT_NEAR(sums["M"], 50, 1e-9);
    }
  }
}

TEST(BootstrapTest, StandardErrorsNearTheLinearizedOnes) {
  // With 2000 replicates the bootstrap SE of a mean is within 5% of the
  // linearized SE, and each PSU's factor averages 1 (unbiased weights).
  struct Case {
    std::string file;
    DesignColumns columns;
  };
  for (const Case& c : {Case{"apistrat", columns_of("stype", {}, "pw", {"fpc"})},
                        Case{"apiclus1", columns_of("", {"dnum"}, "pw", {"fpc"})},
                        Case{"apiclus1", columns_of("", {"dnum"}, "pw", {})}}) {
    Table data = Table::load(data_file(c.file));
    auto design = Design::build(data, c.columns);
    auto boot = ReplicateDesign::bootstrap(design, 2000, 20240601);
    for (const char* variable : {"api00", "enroll"}) {
      const auto y = data.numbers(variable);
      const double linearized = mean(design, y).estimate.se;
      auto b = mean(boot, y).estimate;
      EXPECT_NEAR(b.se / linearized, 1, 0.05) << c.file << " " << variable;
      expect_rel(b.estimate, mean(design, y).estimate.estimate, estimate_tolerance, c.file);
    }
    const Eigen::VectorXd average = boot.analysis_weights().rowwise().mean();
    const Eigen::VectorXd factor = average.cwiseQuotient(boot.weights);
    EXPECT_NEAR(factor.minCoeff(), 1, 0.12) << c.file;  // 2000 draws: SD 0.022
    EXPECT_NEAR(factor.maxCoeff(), 1, 0.12) << c.file;
  }
}

// ---------------------------------------------------------------------------
// Errors.

TEST(ReplicateErrorsTest, DesignsThatCannotBeReplicated) {
  Table strat = Table::load(data_file("apistrat"));
  auto dstrat = Design::build(strat, columns_of("stype", {}, "pw", {"fpc"}));
  expect_error([&] { ReplicateDesign::jk1(dstrat); }, "replicate.jk1_strata",
               "JK1 is for an unstratified design and this one has 3 strata: use JKn");
  expect_error([&] { ReplicateDesign::brr(dstrat); }, "replicate.brr_pairs",
               "BRR needs exactly 2 PSUs in every stratum; stratum E has 100");
  auto dpairs = pairs_design(pairs_table());
  expect_error([&] { ReplicateDesign::brr(dpairs, 1); }, "replicate.fay_rho",
               "Fay's rho must be at least 0 and below 1");
  expect_error([&] { ReplicateDesign::brr(dpairs, -0.1); }, "replicate.fay_rho", "rho");
  expect_error([&] { ReplicateDesign::bootstrap(dstrat, 1, 1); }, "replicate.count",
               "the bootstrap needs at least 2 replicates, not 1");
  Table one = Table::from_columns("one.csv", {{"psu", {"a", "a"}}, {"y", {"1", "2"}}});
  auto single = Design::build(one, columns_of("", {"psu"}, "", {}));
  expect_error([&] { ReplicateDesign::jk1(single); }, "replicate.too_few_psus",
               "JK1 needs at least 2 PSUs");
  expect_error([&] { ReplicateDesign::bootstrap(single, 10, 1); }, "replicate.too_few_psus",
               "at least 2 PSUs");
}

TEST(ReplicateErrorsTest, ColumnsThatCannotBeRead) {
  Table data = Table::from_columns("reps.csv", {{"w", {"1", "2"}},
                                                {"rep1", {"1", ""}},
                                                {"rep2", {"1", "2"}},
                                                {"r1", {"1", "2"}},
                                                {"r01", {"1", "2"}}});
  expect_error(
      [&] { ReplicateDesign::from_columns(data, "w", "wt", ReplicateType::Other, {}, {}, false); },
      "replicate.no_columns",
      "reps.csv: no replicate weight columns 'wt1', 'wt2', ... (`repweights_prefix`)");
  expect_error(
      [&] { ReplicateDesign::from_columns(data, "w", "rep", ReplicateType::Other, {}, {}, false); },
      "replicate.missing_weight", "reps.csv:3: column 'rep1' is empty");
  expect_error(
      [&] { ReplicateDesign::from_columns(data, "w", "r", ReplicateType::Other, {}, {}, false); },
      "replicate.duplicate_column", "columns 'r01' and 'r1' are the same replicate");
  Table ok = Table::from_columns("ok.csv",
                                 {{"w", {"1", "2"}}, {"rep1", {"1", "2"}}, {"rep2", {"2", "1"}}});
  auto read = [&](ReplicateType type, std::optional<double> scale,
                  std::optional<std::vector<double>> rscales) {
    return ReplicateDesign::from_columns(ok, "w", "rep", type, scale, rscales, false);
  };
  expect_error([&] { read(ReplicateType::JKn, {}, {}); }, "replicate.rscales_needed",
               "JKn replicate weights need their rscales");
  expect_error([&] { read(ReplicateType::Fay, {}, {}); }, "replicate.scale_needed",
               "Fay's replicate weights need their scale");
  expect_error([&] { read(ReplicateType::BRR, 0.5, {}); }, "replicate.scale_not_used",
               "BRR's scale is 1/R");
  expect_error(
      [&] {
        read(ReplicateType::Other, {}, std::vector<double>{1, 1, 1});
      },
      "replicate.rscales_length", "give one rscale or one per replicate (2), not 3");
  expect_error([&] { read(ReplicateType::Other, -1.0, {}); }, "replicate.invalid_scale",
               "the scale must be a number of at least 0");
}

TEST(ReplicateErrorsTest, EstimatesThatCannotBeMade) {
  Table data = Table::from_columns(
      "e.csv", {{"psu", {"a", "b", "c"}}, {"y", {"1", "", "3"}}, {"z", {"0", "1", "0"}}});
  auto jk1 = ReplicateDesign::jk1(Design::build(data, columns_of("", {"psu"}, "", {})));
  expect_error(
      [&] {
        total(jk1, std::vector<double>{1, 2});
      },
      "analysis.size_mismatch", "a variable has 2 values but the design has 3 rows");
  expect_error(
      [&] {
        mean(jk1, data.numbers("y"), RowMask{false, true, false});
      },
      "analysis.empty_domain", "no row with a value");
  expect_error([&] { ratio(jk1, data.numbers("y"), data.numbers("z")); },
               "analysis.zero_denominator", "the denominator's weighted total is 0");
  auto broken = jk1;
  broken.rscales = Eigen::VectorXd::Ones(2);
  expect_error([&] { total(broken, data.numbers("z")); }, "replicate.invalid_design",
               "differ in size");
}

TEST(ReplicateTypeTest, NamesAsR) {
  for (auto type : {ReplicateType::JK1, ReplicateType::JKn, ReplicateType::Bootstrap,
                    ReplicateType::BRR, ReplicateType::Fay, ReplicateType::Other})
    EXPECT_EQ(replicate_type_from_string(to_string(type)), type);
  EXPECT_EQ(replicate_type_from_string("jkn"), ReplicateType::JKn);
  EXPECT_EQ(replicate_type_from_string("JK2"), std::nullopt);
}

}  // namespace
