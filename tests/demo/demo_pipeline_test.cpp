// The whole year end to end: `sipas demo` on a small generated province, and
// at every step the numbers checked against values this test computes on its
// own from the files the stage before wrote (the frame, the sample, the
// answers as the server exported them, the scheme and the appraisal).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "io/csv_reader.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// A CSV file as rows of name -> value.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
};

Csv read_csv(const fs::path& path) {
  io::CsvReader reader(path);
  Csv out;
  out.header = reader.header();
  while (reader.next()) {
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < out.header.size(); ++i)
      row[out.header[i]] = std::string(reader.field(i));
    out.rows.push_back(std::move(row));
  }
  return out;
}

Json read_json(const fs::path& path) {
  return Json::parse(slurp(path));
}

class DemoPipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("sipas-demo-e2e");
    result_ = new ProcessResult(sipas({"demo", "--out", dir_->path().string(), "--citizens", "8000",
                                       "--districts", "4", "--clients", "4", "--seed", "11"}));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete dir_;
  }
  void SetUp() override { ASSERT_EQ(result_->exit_code, 0) << result_->out << result_->err; }
  static fs::path file(const std::string& name) { return dir_->path() / name; }

  static TempDir* dir_;
  static ProcessResult* result_;
};

TempDir* DemoPipelineTest::dir_ = nullptr;
ProcessResult* DemoPipelineTest::result_ = nullptr;

TEST_F(DemoPipelineTest, ShowsProgressAndWhereEachOutputIs) {
  for (int stage = 1; stage <= 8; ++stage)
    EXPECT_NE(result_->out.find("[" + std::to_string(stage) + "/8]"), std::string::npos) << stage;
  for (const char* name :
       {"citizens-sample.csv", "citizens-responses.csv", "results-citizens.json", "survey.db"}) {
    EXPECT_NE(result_->out.find(file(name).string()), std::string::npos) << name;
    EXPECT_TRUE(fs::exists(file(name))) << name;
  }
}

// Stage 2: communes by PPS (the seat certain, two more in proportion to their
// rows among the others), then 15 people by SRS: π = π_commune × 15 / N_commune.
TEST_F(DemoPipelineTest, SampleProbabilitiesFollowTheDesign) {
  const auto frame = read_csv(file("citizens-frame.csv"));
  std::map<std::string, std::map<std::string, double>> rows;  // district -> commune -> N
  std::map<std::string, std::string> seat;
  for (const auto& r : frame.rows) {
    rows[r.at("district")][r.at("commune")] += 1;
    if (r.at("is_seat") == "1") seat[r.at("district")] = r.at("commune");
  }
  const auto sample = read_csv(file("citizens-sample.csv"));
  std::map<std::string, int> main_per_district;
  std::set<std::string> ids;
  for (const auto& r : sample.rows) {
    EXPECT_TRUE(ids.insert(r.at("id")).second) << r.at("id");
    const auto& district = r.at("stratum");
    const auto& commune = r.at("psu");
    const double n_commune = rows[district][commune];
    double others = 0;
    for (const auto& [c, n] : rows[district])
      if (c != seat[district]) others += n;
    const double pi_commune = commune == seat[district] ? 1.0 : 2 * n_commune / others;
    ASSERT_LT(pi_commune, 1.0 + 1e-12) << "a commune above its share: the formula needs capping";
    const double pi = pi_commune * 15 / n_commune;
    EXPECT_NEAR(std::stod(r.at("inclusion_probability")), pi, 1e-9 * pi) << r.at("id");
    EXPECT_NEAR(std::stod(r.at("design_weight")), 1 / pi, 1e-6 / pi) << r.at("id");
    if (r.at("role") == "main") ++main_per_district[district];
  }
  ASSERT_EQ(main_per_district.size(), 4u);
  for (const auto& [district, n] : main_per_district)
    EXPECT_EQ(n, 45) << district;
}

// Stages 3-5: one response per invitation, the counts of the progress report,
// the design columns carried, the contact column never exported.
TEST_F(DemoPipelineTest, AnswersAreStoredOncePerInvitationWithoutContacts) {
  const auto sample = read_csv(file("citizens-sample.csv"));
  std::map<std::string, const std::map<std::string, std::string>*> by_id;
  for (const auto& r : sample.rows)
    by_id[r.at("id")] = &r;
  const auto responses = read_csv(file("citizens-responses.csv"));
  const auto progress = read_json(file("citizens-progress.json"));
  EXPECT_EQ(static_cast<std::int64_t>(responses.rows.size()),
            progress.at("overall").at("responded").get<std::int64_t>());
  EXPECT_GT(responses.rows.size(), 90u);  // about 70% of 180
  std::set<std::string> respondents;
  for (const auto& r : responses.rows) {
    EXPECT_TRUE(respondents.insert(r.at("respondent_id")).second) << r.at("respondent_id");
    const auto* s = by_id.at(r.at("respondent_id"));
    EXPECT_EQ(r.at("stratum"), s->at("stratum"));
    EXPECT_EQ(r.at("psu"), s->at("psu"));
    EXPECT_EQ(std::stod(r.at("design_weight")), std::stod(s->at("design_weight")));
  }
  for (const char* name : {"citizens-responses.csv", "officials-responses.csv"}) {
    const auto csv = read_csv(file(name));
    EXPECT_EQ(std::count(csv.header.begin(), csv.header.end(), "phone"), 0) << name;
    const auto text = slurp(file(name));
    for (const auto& r : sample.rows)
      ASSERT_EQ(text.find(r.at("phone")), std::string::npos) << name;
  }
  // Officials rate the unit of their invitation.
  for (const auto& r : read_csv(file("officials-responses.csv")).rows)
    EXPECT_EQ(r.at("target_unit"), r.at("stratum"));
  // Rejected submissions were counted by the demo and left nothing behind.
  EXPECT_NE(result_->out.find("invalid submissions rejected (422)"), std::string::npos);
}

// Raking by iterative proportional fitting (Deming and Stephan 1940), as R's
// rake() does it, from the design weights to the frame's margins.
std::vector<double> raked_weights(const Csv& data, const Csv& frame,
                                  const std::vector<std::string>& margins) {
  std::vector<double> w;
  for (const auto& r : data.rows)
    w.push_back(std::stod(r.at("design_weight")));
  std::vector<std::map<std::string, double>> totals(margins.size());
  for (const auto& r : frame.rows)
    for (std::size_t m = 0; m < margins.size(); ++m)
      totals[m][r.at(margins[m])] += 1;
  for (int pass = 0; pass < 200; ++pass) {
    double change = 0;
    for (std::size_t m = 0; m < margins.size(); ++m) {
      std::map<std::string, double> sum;
      for (std::size_t i = 0; i < w.size(); ++i)
        sum[data.rows[i].at(margins[m])] += w[i];
      for (std::size_t i = 0; i < w.size(); ++i) {
        const double f =
            totals[m].at(data.rows[i].at(margins[m])) / sum[data.rows[i].at(margins[m])];
        change = std::max(change, std::fabs(f - 1));
        w[i] *= f;
      }
    }
    if (change < 1e-13) break;
  }
  return w;
}

// Stage 6: item indices (weighted share of satisfied codes among valid
// answers), element indices (their mean) and the overall index (the mean of
// the elements the scoring names), for the province and each district.
TEST_F(DemoPipelineTest, SatisfactionIndicesMatchAnIndependentComputation) {
  const auto data = read_csv(file("citizens-responses.csv"));
  const auto w = raked_weights(data, read_csv(file("citizens-frame.csv")), {"sex", "age_group"});
  const auto form = read_json(file("sipas-citizen.json"));
  std::map<std::string, std::vector<std::string>> items_of;  // element -> items
  std::map<std::string, std::set<std::string>> satisfied;    // item -> codes
  for (const auto& section : form.at("sections"))
    for (const auto& item : section.at("items"))
      if (item.value("type", "") == "matrix")
        for (const auto& row : item.at("rows"))
          if (row.contains("scoring")) {
            items_of[row.at("scoring").at("element")].push_back(row.at("id"));
            for (const auto& code : row.at("scoring").at("satisfied_codes"))
              satisfied[row.at("id")].insert(code.dump());
          }
  const auto& overall_elements = form.at("scoring").at("overall").at("elements");
  ASSERT_EQ(form.at("scoring").at("overall").at("method"), "mean_of_elements");
  std::map<std::string, std::map<std::string, double>> expected;  // domain -> variable -> value
  std::set<std::string> domains = {""};
  for (const auto& r : data.rows)
    domains.insert(r.at("district"));
  for (const auto& domain : domains) {
    auto in = [&](std::size_t i) {
      return domain.empty() || data.rows[i].at("district") == domain;
    };
    double overall = 0;
    for (const auto& element : overall_elements) {
      double element_sum = 0;
      const auto& items = items_of.at(element.get<std::string>());
      for (const auto& item : items) {
        double yes = 0, valid = 0;
        for (std::size_t i = 0; i < data.rows.size(); ++i) {
          const auto& code = data.rows[i].at(item);
          if (!in(i) || code.empty()) continue;
          valid += w[i];
          if (satisfied[item].count(code)) yes += w[i];
        }
        expected[domain]["item_index:" + item] = 100 * yes / valid;
        element_sum += 100 * yes / valid;
      }
      expected[domain]["element_index:" + element.get<std::string>()] = element_sum / items.size();
      overall += element_sum / items.size();
    }
    expected[domain]["overall_index:"] = overall / overall_elements.size();
  }
  std::size_t checked = 0;
  for (const auto& e : read_json(file("results-citizens.json")).at("estimates")) {
    const std::string domain =
        e.at("domain").is_null() ? "" : e.at("domain")[0][1].get<std::string>();
    const std::string key =
        e.at("statistic").get<std::string>() + ":" +
        (e.at("statistic") == "overall_index" ? "" : e.at("variable").get<std::string>());
    auto d = expected.find(domain);
    if (d == expected.end() || !d->second.count(key)) continue;
    EXPECT_NEAR(e.at("estimate").get<double>(), d->second.at(key), 1e-7) << domain << " " << key;
    EXPECT_LE(e.at("ci_low").get<double>(), e.at("estimate").get<double>());
    EXPECT_GE(e.at("ci_high").get<double>(), e.at("estimate").get<double>());
    ++checked;
  }
  std::size_t wanted = 0;
  for (const auto& [domain, values] : expected)
    wanted += values.size();
  EXPECT_EQ(checked, wanted);
  EXPECT_GT(wanted, 5 * (9 + 30));
}

}  // namespace
}  // namespace sipas::test
