// Sampling against R (tests/reference/sampling_reference.json, made by
// sampling_reference.R with R's `sampling` package and base R on the api
// population of ../shared/data/api/apipop.csv).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>

#include "io/csv_reader.hpp"
#include "io/file.hpp"
#include "sampling/allocation.hpp"
#include "sampling/draw.hpp"
#include "sampling/sample_size.hpp"
#include "sampling/selection.hpp"

#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace sipas::sampling;
using Json = nlohmann::json;

const Json& reference() {
  static const Json doc = Json::parse(sipas::io::read_file(
      std::string(SIPAS_SOURCE_DIR) + "/tests/reference/sampling_reference.json", 1 << 24));
  return doc;
}

std::string apipop() {
  return std::string(SIPAS_SOURCE_DIR) + "/../shared/data/api/apipop.csv";
}

double number(const Json& v) {
  return v.is_string() ? std::stod(v.get<std::string>()) : v.get<double>();
}

// Relative agreement to 1e-12: both sides compute the same closed formula.
void expect_close(double got, double want, const std::string& what) {
  EXPECT_NEAR(got, want, 1e-12 * std::max(1.0, std::fabs(want))) << what;
}

struct School {
  std::string cds, stype;
  double enroll = 0;
  bool has_enroll = false;
};

std::vector<School> schools() {
  sipas::io::CsvReader reader(apipop());
  auto cds = reader.require_column("cds"), stype = reader.require_column("stype");
  auto enroll = reader.require_column("enroll");
  std::vector<School> out;
  while (reader.next()) {
    School s;
    s.cds = reader.field(cds);
    s.stype = reader.field(stype);
    auto e = reader.field(enroll);
    s.has_enroll = !e.empty();
    if (s.has_enroll) s.enroll = std::stod(std::string(e));
    out.push_back(s);
  }
  return out;
}

TEST(SamplingReferenceTest, AllocationsOfTheApiPopulation) {
  const auto& pop = reference()["population"];
  const auto& alloc = reference()["allocation"];
  std::vector<StratumFacts> strata;
  for (const char* h : {"E", "H", "M"}) {
    StratumFacts f;
    f.key = h;
    f.population = static_cast<std::int64_t>(number(pop["N_h"]["value"][h]));
    f.sd = number(pop["S_h_sample_sd"]["value"][h]);
    f.mean = number(pop["mean_h"]["value"][h]);
    f.cost = number(alloc["cost"]["value"][h]);
    strata.push_back(f);
  }
  auto check = [&](AllocationMethod method, bool use_cv, const char* real_key,
                   const char* integer_key) {
    AllocationOptions o;
    o.method = method;
    o.total = 400;
    o.power_q = 0.5;
    o.use_cv = use_cv;
    auto a = allocate(strata, o);
    int h = 0;
    for (const char* key : {"E", "H", "M"}) {
      expect_close(a.target[h], number(alloc[real_key]["value"][key]),
                   std::string(real_key) + " " + key);
      if (integer_key) {
        EXPECT_EQ(a.n[h], static_cast<std::int64_t>(number(alloc[integer_key]["value"][key])))
            << integer_key << " " << key;
      }
      ++h;
    }
  };
  check(AllocationMethod::Proportional, false, "proportional", "proportional_largest_remainder");
  check(AllocationMethod::Equal, false, "equal", "equal_largest_remainder");
  check(AllocationMethod::Neyman, false, "neyman_sd", "neyman_sd_largest_remainder");
  check(AllocationMethod::Optimal, false, "optimal_sd", nullptr);
  check(AllocationMethod::Power, true, "power_cv_sd", nullptr);
  check(AllocationMethod::Power, false, "power_nocv", nullptr);
}

TEST(SamplingReferenceTest, NeymanFromTheFrameUsesTheWithinStratumSd) {
  // The SD is computed from the frame while it streams (Welford, divisor N_h - 1).
  sipas::test::TempDir temp("sipas-r-neyman");
  const auto& dir = temp.path();
  SampleRequest r;
  r.frame = apipop();
  r.id_column = "cds";
  r.strata = {"stype"};
  r.total = 400;
  r.allocation.method = AllocationMethod::Neyman;
  r.sd_column = "api00";
  r.out = dir / "sample.csv";
  r.seed = 1;
  auto summary = draw_sample(r);
  const auto& want = reference()["allocation"]["neyman_sd"]["value"];
  for (const auto& s : summary.design["strata"]) {
    expect_close(s["allocation_target"].get<double>(),
                 number(want[s["stratum"].get<std::string>()]), s["stratum"].get<std::string>());
  }
}

TEST(SamplingReferenceTest, InclusionProbabilitiesUnitByUnit) {
  const auto& pps = reference()["pps"];
  auto all = schools();
  std::vector<School> with_size;
  for (const auto& s : all) {
    if (s.has_enroll) with_size.push_back(s);
  }
  ASSERT_EQ(with_size.size(), static_cast<std::size_t>(number(pps["N_used"]["value"])));
  auto compare = [&](const std::vector<School>& units, std::int64_t n, const Json& expected,
                     const char* name) {
    std::vector<double> sizes;
    for (const auto& u : units)
      sizes.push_back(u.enroll);
    auto pi = pps_inclusion_probabilities(sizes, n);
    int certain = 0;
    for (std::size_t i = 0; i < units.size(); ++i) {
      expect_close(pi[i], number(expected["pi"][units[i].cds]),
                   std::string(name) + " " + units[i].cds);
      certain += pi[i] == 1;
    }
    EXPECT_EQ(certain, static_cast<int>(number(expected["certainty"]["value"]))) << name;
  };
  compare(with_size, 400, pps["unstratified"], "unstratified n=400");
  compare(with_size, 2000, pps["certainty_all_2000"], "unstratified n=2000");
  std::vector<School> high;
  for (const auto& s : with_size) {
    if (s.stype == "H") high.push_back(s);
  }
  compare(high, 400, pps["certainty_H_400"], "H n=400");
}

// apipop without the 37 schools that have no enrolment (cds, stype, enroll),
// as R's reference drops them: a frame row needs a size > 0 for PPS.
void write_frame_with_enrolment(const fs::path& path) {
  sipas::io::CsvReader reader(apipop());
  std::ofstream out(path);
  out << "cds,stype,enroll\n";
  auto cds = reader.require_column("cds"), stype = reader.require_column("stype");
  auto enroll = reader.require_column("enroll");
  while (reader.next()) {
    if (reader.field(enroll).empty()) continue;
    out << reader.field(cds) << "," << reader.field(stype) << "," << reader.field(enroll) << "\n";
  }
}

TEST(SamplingReferenceTest, StratifiedPpsDrawRecordsRsProbabilities) {
  sipas::test::TempDir temp("sipas-r-pps");
  const auto& dir = temp.path();
  write_frame_with_enrolment(dir / "frame.csv");
  std::ofstream(dir / "n.csv") << "stype,n\nE,100\nH,40\nM,60\n";
  SampleRequest r;
  r.frame = dir / "frame.csv";
  r.id_column = "cds";
  r.strata = {"stype"};
  r.n_per_stratum = dir / "n.csv";
  r.method = SelectionMethod::Pps;
  r.size_column = "enroll";
  r.out = dir / "sample.csv";
  r.seed = 2024;
  auto summary = draw_sample(r);
  EXPECT_EQ(summary.main, 200u);
  const auto& stratified = reference()["pps"]["stratified"];
  sipas::io::CsvReader sample(dir / "sample.csv");
  auto id = sample.require_column("id"), stratum = sample.require_column("stratum");
  auto pi = sample.require_column("inclusion_probability");
  std::map<std::string, int> counts;
  while (sample.next()) {
    std::string h(sample.field(stratum));
    ++counts[h];
    double got = std::stod(std::string(sample.field(pi)));
    expect_close(got, number(stratified[h]["pi"][std::string(sample.field(id))]),
                 std::string(sample.field(id)));
  }
  EXPECT_EQ(counts["E"], 100);
  EXPECT_EQ(counts["H"], 40);
  EXPECT_EQ(counts["M"], 60);
}

TEST(SamplingReferenceTest, PpsSampleOfTwoThousandApiSchools) {
  // Issue 16: 2,000 of the 6,157 schools with an enrolment, by size. R:
  // inclusionprobabilities(enroll, 2000) makes 197 schools certain and leaves
  // m = 1,803 to draw among 5,960, which Sampford's method cannot do.
  const auto& want = reference()["pps"]["certainty_all_2000"];
  std::vector<School> with_size;
  for (const auto& s : schools()) {
    if (s.has_enroll) with_size.push_back(s);
  }
  std::vector<double> sizes;
  for (const auto& s : with_size)
    sizes.push_back(s.enroll);
  auto pi = pps_inclusion_probabilities(sizes, 2000);
  ASSERT_EQ(pi.size(), static_cast<std::size_t>(number(want["units"]["value"])));
  const auto certain = std::count(pi.begin(), pi.end(), 1.0);
  EXPECT_EQ(certain, 197);
  EXPECT_EQ(certain, static_cast<long>(number(want["certainty"]["value"])));
  expect_close(std::accumulate(pi.begin(), pi.end(), 0.0), number(want["sum"]["value"]), "sum");
  for (std::size_t i : {0u, 1u, 2u, 100u, 6156u}) {
    expect_close(pi[i], number(want["pi"][with_size[i].cds]), with_size[i].cds);
  }
  sipas::io::Rng rng = sipas::io::Rng::stream(2024, "api 2000");
  auto draw = pps_fixed_size(rng, pi);
  EXPECT_EQ(draw.choice.algorithm, PpsAlgorithm::MaxEntropy);
  EXPECT_LT(draw.choice.sampford.value, min_sampford_acceptance);
  ASSERT_EQ(draw.chosen.size(), 2000u);
  std::set<std::size_t> chosen(draw.chosen.begin(), draw.chosen.end());
  EXPECT_EQ(chosen.size(), 2000u);
  for (std::size_t i = 0; i < pi.size(); ++i) {
    if (pi[i] == 1) {
      EXPECT_TRUE(chosen.contains(i)) << with_size[i].cds << " is certain";
    }
  }
}

TEST(SamplingReferenceTest, PpsSampleOfTwoThousandApiSchoolsFromTheFrame) {
  sipas::test::TempDir temp("sipas-r-pps-2000");
  const auto& dir = temp.path();
  write_frame_with_enrolment(dir / "frame.csv");
  SampleRequest r;
  r.frame = dir / "frame.csv";
  r.id_column = "cds";
  r.total = 2000;
  r.method = SelectionMethod::Pps;
  r.size_column = "enroll";
  r.out = dir / "sample.csv";
  r.seed = 16;
  auto summary = draw_sample(r);
  EXPECT_EQ(summary.main, 2000u);
  EXPECT_EQ(summary.pps_algorithms, (std::map<std::string, std::uint64_t>{{"maximum-entropy", 1}}));
  EXPECT_EQ(summary.design["pps_algorithms"]["maximum-entropy"], 1);
  EXPECT_EQ(summary.design["strata"][0]["pps_algorithm"], "maximum-entropy");
  EXPECT_EQ(summary.design["strata"][0]["sampford_acceptance"]["kind"], "upper bound");
  const auto& want = reference()["pps"]["certainty_all_2000"]["pi"];
  sipas::io::CsvReader sample(dir / "sample.csv");
  auto id = sample.require_column("id"), pi = sample.require_column("inclusion_probability");
  std::set<std::string> ids;
  int certain = 0;
  while (sample.next()) {
    const std::string cds(sample.field(id));
    ids.insert(cds);
    const double got = std::stod(std::string(sample.field(pi)));
    expect_close(got, number(want[cds]), cds);
    certain += got == 1;
  }
  EXPECT_EQ(ids.size(), 2000u);
  EXPECT_EQ(certain, 197);  // every certain school, and 1,803 of the others
}

TEST(SamplingReferenceTest, SampleSizes) {
  const auto& ref = reference()["sample_size"];
  std::vector<double> populations = {500, 1000, 10000, 100000};
  for (std::size_t i = 0; i < populations.size(); ++i) {
    const double N = populations[i];
    auto s = slovin(N, 0.05);
    expect_close(s.exact, number(ref["slovin"]["value"][i]), "slovin");
    EXPECT_EQ(s.n, static_cast<std::int64_t>(number(ref["slovin_ceiling"]["value"][i])));
    ProportionSizeOptions o;
    o.population = N;
    auto c = size_for_proportion(o);
    expect_close(c.with_fpc, number(ref["cochran_fpc"]["value"][i]), "cochran fpc");
    EXPECT_EQ(c.n, static_cast<std::int64_t>(number(ref["cochran_fpc_ceiling"]["value"][i])));
    o.design_effect = 1.5;
    o.response_rate = 0.8;
    c = size_for_proportion(o);
    expect_close(c.to_draw, number(ref["cochran_fpc_deff_response"]["value"][i]), "cochran deff");
    EXPECT_EQ(c.n, static_cast<std::int64_t>(
                       number(ref["cochran_fpc_deff_response_ceiling"]["value"][i])));
  }
  expect_close(size_for_proportion({}).n0, number(ref["cochran_n0"]["value"]), "n0");
  for (const char* conf : {"0.90", "0.95", "0.99"}) {
    expect_close(normal_quantile_two_sided(std::stod(conf)), number(ref["qnorm"]["value"][conf]),
                 conf);
  }
}

}  // namespace
