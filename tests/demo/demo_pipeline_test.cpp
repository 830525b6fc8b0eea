// The whole year end to end: `sipas demo` on a small generated province, and
// at every step the numbers checked against values this test computes on its
// own from the files the stage before wrote (the frame, the sample, the
// answers as the server exported them, the scheme and the appraisal).

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <array>

#include <readstat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "io/csv_reader.hpp"
#include "tests/demo/small_demo.hpp"
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
  // The run is shared with the other demo tests of the process (small_demo.hpp).
  static void SetUpTestSuite() {
    dir_ = &small_demo().dir;
    result_ = &small_demo().result;
  }
  void SetUp() override { ASSERT_EQ(result_->exit_code, 0) << result_->out << result_->err; }
  static fs::path file(const std::string& name) { return dir_->path() / name; }

  static const TempDir* dir_;
  static const ProcessResult* result_;
};

const TempDir* DemoPipelineTest::dir_ = nullptr;
const ProcessResult* DemoPipelineTest::result_ = nullptr;

TEST_F(DemoPipelineTest, ShowsProgressAndWhereEachOutputIs) {
  for (int stage = 1; stage <= 8; ++stage)
    EXPECT_NE(result_->out.find("[" + std::to_string(stage) + "/8]"), std::string::npos) << stage;
  for (const char* name :
       {"citizens-sample.csv", "citizens-responses.csv", "results-citizens.json", "survey.db"}) {
    EXPECT_NE(result_->out.find(file(name).string()), std::string::npos) << name;
    EXPECT_TRUE(fs::exists(file(name))) << name;
  }
}

// Stage 6: the citizens' estimates rest on weights adjusted for nonresponse
// (the variance taking the adjustment as a calibration step), every one is
// flagged by the publishing rule, and the form's elements have alphas.
TEST_F(DemoPipelineTest, EstimatesAreAdjustedForNonresponseFlaggedWithScaleAlphas) {
  for (const char* line : {"weights from the fieldwork:", "1 + CV^2 by step: w_design",
                           "publishing rule cv-16-33:", "Cronbach's alpha of the form's elements"})
    EXPECT_NE(result_->out.find(line), std::string::npos) << line;
  const auto results = read_json(file("results-citizens.json"));
  const auto& design = results.at("design");
  EXPECT_EQ(design.at("weights"), "w_eligible");
  EXPECT_EQ(design.at("nonresponse").at("calibrated"), true);
  EXPECT_NE(design.at("nonresponse").at("variance").get<std::string>().find("calibration step"),
            std::string::npos);
  EXPECT_EQ(design.at("calibration").at("method"), "raking");
  const auto report = read_json(file("citizens-weights.json"));
  ASSERT_EQ(report.at("steps").size(), 4u);
  EXPECT_EQ(report.at("steps")[3].at("column"), "w_calibrated");
  std::set<std::string> flags;
  for (const auto& e : results.at("estimates")) {
    flags.insert(e.at("flag").get<std::string>());
    for (const char* field : {"n", "n_eff", "cv"})
      EXPECT_TRUE(e.contains(field)) << field;
  }
  for (const auto& flag : flags)
    EXPECT_TRUE(flag == "ok" || flag == "caution" || flag == "suppressed") << flag;
  EXPECT_TRUE(flags.count("ok"));
  const auto& scales = results.at("scales");
  ASSERT_EQ(scales.size(), 9u);  // the elements P1-P4 and E1-E5
  for (const auto& scale : scales) {
    ASSERT_TRUE(scale.at("alpha").is_number()) << scale.at("name");
    EXPECT_GT(scale.at("alpha").get<double>(), 0) << scale.at("name");
    EXPECT_LE(scale.at("alpha").get<double>(), 1) << scale.at("name");
  }
}

// Stage 6, issue 18: each district against the province and against last
// year across the merger, and the communes' small-area estimates, checked
// against the formulas recomputed here.
TEST_F(DemoPipelineTest, ComparesDistrictsAndYearsAndEstimatesCommunes) {
  for (const char* line : {"each district against the province", "(from P01-D04A + P01-D04B)",
                           "Fay-Herriot (REML)", "rank interval"})
    EXPECT_NE(result_->out.find(line), std::string::npos) << line;
  const auto compare = read_json(file("compare-districts.json"));
  ASSERT_EQ(compare.at("comparisons").size(), 4u);
  for (const auto& d : compare.at("comparisons")) {
    EXPECT_EQ(d.at("b"), "all");
    EXPECT_NEAR(d.at("difference").get<double>(),
                d.at("estimate_a").get<double>() - d.at("estimate_b").get<double>(), 1e-12);
    EXPECT_GE(d.at("p_adjusted").get<double>(), d.at("p").get<double>());
  }
  bool merged = false;
  for (const auto& y : compare.at("year_on_year")) {
    EXPECT_NEAR(y.at("difference").get<double>(),
                y.at("this_year").get<double>() - y.at("last_year").get<double>(), 1e-12);
    // Independent samples: the variances add.
    EXPECT_NEAR(y.at("se").get<double>(),
                std::hypot(y.at("this_se").get<double>(), y.at("last_se").get<double>()), 1e-12);
    if (y.at("unit") == "P01-D04") {
      merged = true;
      EXPECT_EQ(y.at("past"), "mapped");
      ASSERT_EQ(y.at("from").size(), 2u);
    } else {
      EXPECT_EQ(y.at("past"), "same") << y.at("unit");
    }
  }
  EXPECT_TRUE(merged);

  // communes-direct.csv: the weighted share and the smoothed variance
  // 100² p(1 − p) Σw²/(Σw)², p the province's share.
  const auto answers = read_csv(file("citizens-responses.csv"));
  std::map<std::string, double> weight;
  for (const auto& r : read_csv(file("citizens-weights.csv")).rows)
    weight[r.at("id")] = std::stod(r.at("weight"));
  std::map<std::string, std::array<double, 3>> sums;  // Σw, Σw², Σw·satisfied
  double all = 0, yes = 0;
  for (const auto& r : answers.rows) {
    const double w = weight.at(r.at("respondent_id"));
    const double s = r.at("q_overall") == "4" || r.at("q_overall") == "5" ? w : 0;
    auto& c = sums[r.at("stratum") + "/" + r.at("psu")];
    c[0] += w;
    c[1] += w * w;
    c[2] += s;
    all += w;
    yes += s;
  }
  const double p = yes / all;
  const auto direct = read_csv(file("communes-direct.csv"));
  ASSERT_EQ(direct.rows.size(), sums.size());
  for (const auto& r : direct.rows) {
    const auto& c = sums.at(r.at("commune"));
    EXPECT_NEAR(std::stod(r.at("direct")), 100 * c[2] / c[0], 1e-9) << r.at("commune");
    EXPECT_NEAR(std::stod(r.at("variance")), 1e4 * p * (1 - p) * c[1] / (c[0] * c[0]), 1e-7)
        << r.at("commune");
  }
  // The EBLUP is γ·direct + (1 − γ)·synthetic with γ = σ²_v/(σ²_v + D).
  const auto sae = read_json(file("communes-small-area.json"));
  const double sigma2 = sae.at("sigma2_v");
  ASSERT_EQ(sae.at("areas").size(), direct.rows.size());
  for (std::size_t i = 0; i < direct.rows.size(); ++i) {
    const auto& area = sae.at("areas")[i];
    EXPECT_EQ(area.at("area"), direct.rows[i].at("commune"));
    const double d = std::stod(direct.rows[i].at("variance"));
    const double gamma = sigma2 / (sigma2 + d);
    EXPECT_NEAR(area.at("gamma").get<double>(), gamma, 1e-12);
    EXPECT_NEAR(
        area.at("eblup").get<double>(),
        gamma * area.at("direct").get<double>() + (1 - gamma) * area.at("synthetic").get<double>(),
        1e-9);
    EXPECT_LE(area.at("rank_low").get<int>(), area.at("rank").get<int>());
    EXPECT_GE(area.at("rank_high").get<int>(), area.at("rank").get<int>());
  }
}

// Stage 2: communes by PPS (the seat certain, two more in proportion to their
// rows among the others), then 15 people by SRS: π = π_commune × 15 / N_commune.
// PRIVACY.md: frames, samples, links, keys and answers (and every export of
// them) are owner-only; what holds only aggregates is shared.
TEST_F(DemoPipelineTest, FilesWithPersonalDataAreOwnerOnly) {
  auto mode = [](const std::string& name) {
    struct stat st {};
    EXPECT_EQ(::stat(file(name).c_str(), &st), 0) << name;
    return st.st_mode & 07777;
  };
  for (const char* name :
       {"citizens-frame.csv", "officials-frame.csv", "citizens-sample.csv", "officials-sample.csv",
        "admin-keys.txt", "citizens-links.csv", "officials-links.csv", "citizens-reserve-links.csv",
        "citizens-responses.csv", "officials-responses.csv", "citizens-responses.sav",
        "citizens-responses.dta", "citizens-responses-labelled.csv", "citizens-weights.csv",
        "citizens-sample-2025.csv", "citizens-responses-2025.csv", "survey.db"}) {
    EXPECT_EQ(mode(name), 0600u) << name;
  }
  for (const char* name :
       {"units.csv", "citizens-sample.design.json", "citizens-progress.json", "margins.csv",
        "appraisal.csv", "results-citizens.json", "par-index.json", "par-index.csv", "results.xlsx",
        "report.html", "sipas-citizen.json", "citizens-weights.json", "results-citizens-2025.json",
        "unit-map.csv"}) {
    EXPECT_EQ(mode(name), 0644u) << name;
  }
}

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
  // The links of reserves activated in lagging districts carry the import's
  // contact columns, so the office can reach them (issue 15).
  const auto links = read_csv(file("citizens-links.csv"));
  const auto reserve_links = read_csv(file("citizens-reserve-links.csv"));
  EXPECT_EQ(reserve_links.header, links.header);
  for (const auto& r : reserve_links.rows) {
    EXPECT_EQ(r.at("role"), "reserve");
    EXPECT_EQ(r.at("phone"), by_id.at(r.at("id"))->at("phone")) << r.at("id");
  }
  // Officials rate the unit of their invitation.
  for (const auto& r : read_csv(file("officials-responses.csv")).rows)
    EXPECT_EQ(r.at("target_unit"), r.at("stratum"));
  // Rejected submissions were counted by the demo and left nothing behind.
  EXPECT_NE(result_->out.find("invalid submissions rejected (422)"), std::string::npos);
}

// Raking by iterative proportional fitting (Deming and Stephan 1940), as R's
// rake() does it, from the design weights to the frame's margins.
// Raked from the respondents' w_nonresponse of citizens-weights.csv (sipas
// weights' steps are checked against R in tests/cli/weights_command_test.cpp).
std::vector<double> raked_weights(const Csv& data, const Csv& weights, const Csv& frame,
                                  const std::vector<std::string>& margins) {
  std::map<std::string, double> adjusted;
  for (const auto& r : weights.rows)
    adjusted[r.at("id")] = std::stod(r.at("w_nonresponse"));
  std::vector<double> w;
  for (const auto& r : data.rows)
    w.push_back(adjusted.at(r.at("respondent_id")));
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
  const auto weights = read_csv(file("citizens-weights.csv"));
  ASSERT_EQ(weights.rows.size(), data.rows.size());
  // The nonresponse step keeps each weighting class's eligible total: the
  // respondents' w_nonresponse add up to the class's fielded w_eligible.
  const auto report = read_json(file("citizens-weights.json"));
  for (const auto& c : report.at("classes").at("final")) {
    double sum = 0;
    for (const auto& r : weights.rows)
      if (r.at("weighting_class") == c.at("label")) sum += std::stod(r.at("w_nonresponse"));
    EXPECT_NEAR(sum,
                c.at("sum_respondents").get<double>() + c.at("sum_nonrespondents").get<double>(),
                1e-9 * sum)
        << c.at("label");
  }
  const auto w =
      raked_weights(data, weights, read_csv(file("citizens-frame.csv")), {"sex", "age_group"});
  const auto form = read_json(file("sipas-citizen.json"));
  std::map<std::string, std::vector<std::string>> items_of;  // element -> items
  std::map<std::string, std::set<std::string>> satisfied;    // item -> codes
  for (const auto& section : form.at("sections"))
    for (const auto& item : section.at("items"))
      if (item.value("type", "") == "matrix")
        for (const auto& row : item.at("rows"))
          if (row.contains("scoring") && row.at("scoring").contains("element")) {
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
  const auto results = read_json(file("results-citizens.json"));
  for (const auto& e : results.at("estimates")) {
    const std::string domain =
        e.at("domain").is_null() ? "" : e.at("domain").begin().value().get<std::string>();
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

// Stage 7: survey points of a leaf from the officials' answers (weighted
// means of (code − 1)/4 by respondent group, groups combined by their
// weights), SIPAS points from the citizens' index, appraised points from the
// appraisal; index = 100 × points / applicable maximum; ranks with ties at
// two decimals; groups A ≥ 90, B ≥ 80, C ≥ 70.
TEST_F(DemoPipelineTest, ParIndexMatchesAnIndependentComputation) {
  const auto scheme = read_json(file("par-province-876.json"));
  const auto par = read_json(file("par-index.json"));
  struct Leaf {
    std::string method;
    double max = 0;
    std::vector<std::string> items, groups;
  };
  std::map<std::string, Leaf> leaves;
  std::function<void(const Json&)> walk = [&](const Json& node) {
    if (node.contains("children")) {
      for (const auto& child : node.at("children"))
        walk(child);
      return;
    }
    Leaf leaf{node.at("method"), node.at("max_points"), {}, {}};
    if (node.contains("items")) leaf.items = node.at("items").get<std::vector<std::string>>();
    if (node.contains("groups")) leaf.groups = node.at("groups").get<std::vector<std::string>>();
    leaves[node.at("id")] = leaf;
  };
  double total_max = 0;
  for (const auto& area : scheme.at("areas")) {
    walk(area);
  }
  for (const auto& [id, leaf] : leaves)
    total_max += leaf.max;
  EXPECT_NEAR(total_max, 100, 1e-9);
  const auto& weights = scheme.at("survey").at("group_weights");

  const auto officials = read_csv(file("officials-responses.csv"));
  auto survey_points = [&](const Leaf& leaf, const std::string& unit) -> std::optional<double> {
    double combined = 0, weight_sum = 0;
    for (const auto& group : leaf.groups) {
      double item_sum = 0;
      int items = 0;
      for (const auto& item : leaf.items) {
        double wx = 0, w = 0;
        for (const auto& r : officials.rows) {
          if (r.at("target_unit") != unit || r.at("respondent_group") != group) continue;
          if (r.at(item).empty() || r.at(item) == "9") continue;
          w += std::stod(r.at("design_weight"));
          wx += std::stod(r.at("design_weight")) * (std::stod(r.at(item)) - 1) / 4;
        }
        if (w > 0) {
          item_sum += wx / w;
          ++items;
        }
      }
      if (items == 0) continue;
      const double gw = weights.at(group).get<double>();
      combined += gw * item_sum / items;
      weight_sum += gw;
    }
    if (weight_sum == 0) return std::nullopt;
    return leaf.max * combined / weight_sum;
  };
  std::map<std::string, double> sipas;  // unit -> overall index
  for (const char* name : {"results-citizens.json", "results-citizens-departments.json"}) {
    const auto results = read_json(file(name));
    for (const auto& e : results.at("estimates"))
      if (e.at("statistic") == "overall_index" && !e.at("domain").is_null())
        sipas[e.at("domain").begin().value().get<std::string>()] = e.at("estimate").get<double>();
  }
  std::map<std::string, std::map<std::string, std::optional<double>>> appraised;
  for (const auto& r : read_csv(file("appraisal.csv")).rows)
    appraised[r.at("unit")][r.at("criterion")] =
        r.at("points").empty() ? std::nullopt : std::optional<double>(std::stod(r.at("points")));

  std::map<std::string, double> expected;
  for (const auto& r : read_csv(file("units.csv")).rows) {
    const auto& unit = r.at("unit");
    double points = 0, max = 0;
    for (const auto& [id, leaf] : leaves) {
      std::optional<double> value;
      if (leaf.method == "appraised") value = appraised.at(unit).at(id);
      if (leaf.method == "survey") value = survey_points(leaf, unit);
      if (leaf.method == "sipas" && sipas.count(unit)) value = leaf.max * sipas.at(unit) / 100;
      if (!value) continue;
      points += *value;
      max += leaf.max;
    }
    expected[unit] = 100 * points / max;
  }
  ASSERT_EQ(par.at("units").size(), expected.size());
  std::vector<double> published;
  for (const auto& [unit, index] : expected)
    published.push_back(std::round(index * 100) / 100);
  for (const auto& u : par.at("units")) {
    const auto& unit = u.at("unit").get<std::string>();
    const double index = expected.at(unit);
    EXPECT_NEAR(u.at("index").get<double>(), index, 1e-9) << unit;
    const double rounded = std::round(index * 100) / 100;
    const int rank = 1 + static_cast<int>(std::count_if(published.begin(), published.end(),
                                                        [&](double x) { return x > rounded; }));
    EXPECT_EQ(u.at("rank").get<int>(), rank) << unit;
    const std::string group = rounded >= 90 ? "A" : rounded >= 80 ? "B" : rounded >= 70 ? "C" : "";
    if (group.empty()) {
      EXPECT_TRUE(u.at("group").is_null()) << unit;
    } else {
      EXPECT_EQ(u.at("group"), group) << unit;
    }
  }
}

// Stage 8: the SPSS file read back with ReadStat's reader: every answer row,
// the labels of the questionnaire, no contact column.
struct SavContents {
  long rows = -1;
  std::set<std::string> variables;
  std::map<std::string, std::string> labels;  // "set:value" -> label
};

int on_metadata(readstat_metadata_t* metadata, void* ctx) {
  static_cast<SavContents*>(ctx)->rows = readstat_get_row_count(metadata);
  return READSTAT_HANDLER_OK;
}
int on_variable(int, readstat_variable_t* variable, const char*, void* ctx) {
  static_cast<SavContents*>(ctx)->variables.insert(readstat_variable_get_name(variable));
  return READSTAT_HANDLER_OK;
}
int on_value_label(const char* set, readstat_value_t value, const char* label, void* ctx) {
  if (readstat_value_type(value) == READSTAT_TYPE_DOUBLE)
    static_cast<SavContents*>(ctx)
        ->labels[std::string(set) + ":" +
                 std::to_string(static_cast<int>(readstat_double_value(value)))] = label;
  return READSTAT_HANDLER_OK;
}

TEST_F(DemoPipelineTest, ExportsReadBackAndTheReportShowsTheResults) {
  SavContents sav;
  readstat_parser_t* parser = readstat_parser_init();
  readstat_set_metadata_handler(parser, on_metadata);
  readstat_set_variable_handler(parser, on_variable);
  readstat_set_value_label_handler(parser, on_value_label);
  const auto error =
      readstat_parse_sav(parser, file("citizens-responses.sav").string().c_str(), &sav);
  readstat_parser_free(parser);
  ASSERT_EQ(error, READSTAT_OK) << readstat_error_message(error);
  const auto responses = read_csv(file("citizens-responses.csv"));
  EXPECT_EQ(sav.rows, static_cast<long>(responses.rows.size()));
  for (const char* name : {"q9_01", "design_weight", "stratum", "psu", "district"})
    EXPECT_TRUE(sav.variables.count(name)) << name;
  EXPECT_FALSE(sav.variables.count("phone"));
  bool very_satisfied = false;
  for (const auto& [key, label] : sav.labels)
    very_satisfied |= key.ends_with(":5") && label == "Rất hài lòng";
  EXPECT_TRUE(very_satisfied);

  // The workbook: the PAR index sheet names every unit (shared strings).
  const auto shared =
      run_process({"/usr/bin/unzip", "-p", file("results.xlsx").string(), "xl/sharedStrings.xml"});
  ASSERT_EQ(shared.exit_code, 0) << shared.err;
  for (const auto& r : read_csv(file("units.csv")).rows)
    EXPECT_NE(shared.out.find(r.at("name")), std::string::npos) << r.at("name");

  // The report: the province's index at two decimals (a comma in Vietnamese),
  // every assessed unit in the PAR table, no reference to the network.
  double overall = 0;
  const auto results = read_json(file("results-citizens.json"));
  for (const auto& e : results.at("estimates"))
    if (e.at("statistic") == "overall_index" && e.at("domain").is_null())
      overall = e.at("estimate");
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", overall);
  std::string vi = text;
  std::replace(vi.begin(), vi.end(), '.', ',');
  const auto report = slurp(file("report.html"));
  const auto english = slurp(file("report-en.html"));
  EXPECT_NE(report.find(vi), std::string::npos) << vi;
  EXPECT_NE(english.find(text), std::string::npos) << text;
  for (const auto& r : read_csv(file("units.csv")).rows)
    EXPECT_NE(report.find(r.at("name")), std::string::npos) << r.at("name");
  // (The SVG namespace is a name, not a request.)
  for (const char* fetch : {"src=\"http", "href=\"http", "url(http", "@import", "<link"})
    EXPECT_EQ(report.find(fetch), std::string::npos) << fetch;
  EXPECT_EQ(report.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace sipas::test
