// Weights from the fieldwork (analysis/nonresponse.*) against R: the fixture
// tests/reference/nonresponse_sample.csv and every expected number come from
// tests/reference/nonresponse_reference.R (class sums by hand with tapply,
// survey::rake, as.svrepdesign(type = "JKn"), svrepdesign + svymean).
// Weights and standard errors must agree to a relative 1e-9.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "analysis/calibration.hpp"
#include "analysis/error.hpp"
#include "analysis/nonresponse.hpp"
#include "analysis/nonresponse_output.hpp"
#include "analysis/replicate.hpp"
#include "analysis/table.hpp"
#include "io/file.hpp"
#include "tests/support/reference_values.hpp"

namespace {

using namespace sipas::analysis;
using Json = nlohmann::json;
using sipas::test::reference_file;
using ::testing::HasSubstr;

constexpr double tolerance = 1e-9;

const Json& reference() {
  return sipas::test::reference_json("nonresponse_reference.json");
}

void expect_rel(double got, double want, const std::string& what) {
  sipas::test::expect_relative(got, want, tolerance, what);
}

FieldworkSample fixture() {
  FieldworkColumns columns;
  columns.disposition = "disposition";
  return read_fieldwork(Table::load(reference_file("nonresponse_sample.csv")), columns);
}

NonresponseOptions options_of(const Json& ref) {
  NonresponseOptions o;
  if (ref["classes_by"] != Json::array({"stratum"}))
    o.class_columns = ref["classes_by"].get<std::vector<std::string>>();
  o.min_respondents = ref["min_respondents"].get<std::size_t>();
  o.max_factor = ref["max_factor"].get<double>();
  if (!ref["calibration"].is_null()) {
    o.margins = load_margins(reference_file("nonresponse_margins.csv"));
    o.calibration.method = CalibrationOptions::Raking;
    o.calibration.epsilon = 1e-13;
    o.calibration.maxit = 100;
  }
  o.replicates = ReplicateRequest{};  // JKn
  return o;
}

// The respondents' ids, in the result's order.
std::vector<std::string> ids_of(const FieldworkSample& s, const WeightingResult& r) {
  std::vector<std::string> ids;
  for (auto row : r.respondents)
    ids.push_back(s.data.column("id").text(row));
  return ids;
}

void expect_case(const std::string& name) {
  SCOPED_TRACE(name);
  const Json& ref = reference()[name];
  const FieldworkSample sample = fixture();
  const NonresponseOptions options = options_of(ref);
  const WeightingResult result = adjust_weights(sample, options);
  ASSERT_EQ(result.respondents.size(), ref["respondents"].get<std::size_t>());

  // Classes after collapsing, and the merges that made them.
  ASSERT_EQ(result.classes.size(), ref["classes"].size());
  for (std::size_t c = 0; c < result.classes.size(); ++c) {
    const auto& got = result.classes[c];
    const Json& want = ref["classes"][c];
    EXPECT_EQ(got.label, want["label"]);
    EXPECT_EQ(got.members, want["members"].get<std::vector<std::string>>());
    EXPECT_EQ(got.respondents, want["respondents"].get<std::size_t>());
    EXPECT_EQ(got.nonrespondents, want["nonrespondents"].get<std::size_t>());
    EXPECT_EQ(got.ineligible, want["ineligible"].get<std::size_t>());
    EXPECT_EQ(got.unknown, want["unknown"].get<std::size_t>());
    expect_rel(got.sum_respondents, want["sum_respondents"], got.label);
    expect_rel(got.sum_nonrespondents, want["sum_nonrespondents"], got.label);
    expect_rel(got.sum_ineligible, want["sum_ineligible"], got.label);
    expect_rel(got.sum_unknown, want["sum_unknown"], got.label);
    expect_rel(got.eligibility_factor, want["eligibility_factor"], got.label);
    expect_rel(got.nonresponse_factor, want["nonresponse_factor"], got.label);
  }
  ASSERT_EQ(result.collapsed.size(), ref["collapsed"].size());
  for (std::size_t k = 0; k < result.collapsed.size(); ++k) {
    const Json& want = ref["collapsed"][k];
    EXPECT_EQ(result.collapsed[k].label, want["class"]);
    EXPECT_EQ(result.collapsed[k].into, want["into"]);
    EXPECT_EQ(result.collapsed[k].respondents, want["respondents"].get<std::size_t>());
    expect_rel(result.collapsed[k].factor, want["factor"], "factor");
    // R writes the factor with 4 decimals, sipas with 6 significant digits.
    const std::string reason = want["reason"];
    EXPECT_EQ(result.collapsed[k].reason.substr(0, 12), reason.substr(0, 12));
  }

  // Every respondent's weight at every step.
  const auto ids = ids_of(sample, result);
  std::vector<std::string> steps = {"w_design", "w_eligible", "w_nonresponse"};
  if (ref["weights"].contains("w_calibrated")) steps.push_back("w_calibrated");
  ASSERT_EQ(result.step_names, steps);
  for (std::size_t s = 0; s < steps.size(); ++s) {
    const Json& want = ref["weights"][steps[s]];
    ASSERT_EQ(want.size(), ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      expect_rel(result.steps(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(s)),
                 want[ids[i]], steps[s] + " " + ids[i]);
    }
    const Json& spread = ref["spread"][steps[s]];
    const WeightSpread& got = result.spreads[s];
    EXPECT_EQ(got.column, steps[s]);
    EXPECT_EQ(got.n, spread["n"].get<std::size_t>());
    expect_rel(got.sum, spread["sum"], steps[s] + " sum");
    expect_rel(got.min, spread["min"], steps[s] + " min");
    expect_rel(got.max, spread["max"], steps[s] + " max");
    expect_rel(got.cv, spread["cv"], steps[s] + " cv");
    expect_rel(got.deff, spread["deff"], steps[s] + " deff");
    expect_rel(got.deff, spread["deff_check"], steps[s] + " n sum w^2 / (sum w)^2");
  }
  for (std::size_t i = 0; i < ids.size(); ++i)
    expect_rel(result.weight[static_cast<Eigen::Index>(i)], ref["weights"]["weight"][ids[i]],
               ids[i]);

  // Replicate weights, each re-adjusted, column for column.
  const Json& rep = ref["replicates"];
  ASSERT_EQ(result.replicate_weights.cols(), rep["count"].get<Eigen::Index>());
  EXPECT_EQ(result.replicate_type, ReplicateType::JKn);
  EXPECT_EQ(result.scale, rep["scale"].get<double>());
  const auto rscales = rep["rscales"].get<std::vector<double>>();
  ASSERT_EQ(result.rscales.size(), static_cast<Eigen::Index>(rscales.size()));
  for (std::size_t r = 0; r < rscales.size(); ++r)
    expect_rel(result.rscales[static_cast<Eigen::Index>(r)], rscales[r], "rscale");
  const Table rw = Table::load(reference_file(rep["csv"]));
  ASSERT_EQ(rw.rows(), ids.size());
  for (Eigen::Index r = 0; r < result.replicate_weights.cols(); ++r) {
    const auto want = rw.numbers("rw" + std::to_string(r + 1));
    for (std::size_t i = 0; i < ids.size(); ++i) {
      ASSERT_EQ(rw.column("id").text(i), ids[i]);
      expect_rel(result.replicate_weights(static_cast<Eigen::Index>(i), r), want[i],
                 "rw" + std::to_string(r + 1) + " " + ids[i]);
    }
  }

  // Standard errors that include the adjustment: svrepdesign + svymean in R.
  ReplicateDesign design;
  design.weights = result.weight;
  design.replicates = result.replicate_weights;
  design.scale = result.scale;
  design.rscales = result.rscales;
  design.type = ReplicateType::JKn;
  const Table& data = sample.data;
  std::vector<double> api00, yes;
  for (auto row : result.respondents) {
    api00.push_back(data.column("api00").number(row));
    yes.push_back(data.column("sch_wide").text(row) == "Yes" ? 1 : 0);
  }
  const Json& est = ref["estimates"];
  const Replicated m = mean(design, api00);
  expect_rel(m.estimate.estimate, est["mean_api00"]["estimate"], "mean api00");
  expect_rel(m.estimate.se, est["mean_api00"]["SE"], "SE of the mean of api00");
  const Replicated p = mean(design, yes);
  expect_rel(p.estimate.estimate, est["prop_sch_wide_yes"]["estimate"], "share sch_wide Yes");
  expect_rel(p.estimate.se, est["prop_sch_wide_yes"]["SE"], "SE of the share");
}

TEST(NonresponseTest, FixtureAsR) {
  const FieldworkSample sample = fixture();
  const Json& fx = reference()["fixture"];
  EXPECT_EQ(sample.rows_read, fx["rows"].get<std::size_t>());
  EXPECT_EQ(sample.disposition.size(), fx["fielded"].get<std::size_t>());
  EXPECT_EQ(sample.reserves_left_out, sample.rows_read - sample.disposition.size());
  std::map<std::string, std::size_t> counts;
  for (auto d : sample.disposition)
    ++counts[std::string(to_string(d))];
  for (const auto& [name, n] : fx["dispositions"].items())
    EXPECT_EQ(counts[name], n.get<std::size_t>()) << name;
  // Reserves activated in E (2) and H (3): weights × m/(m + k) there.
  ASSERT_EQ(sample.substitutions.size(), 2u);
  EXPECT_EQ(sample.substitutions[0].group, "E");
  EXPECT_EQ(sample.substitutions[0].main, 100u);
  EXPECT_EQ(sample.substitutions[0].activated, 2u);
  EXPECT_DOUBLE_EQ(sample.substitutions[0].factor, 100.0 / 102);
  EXPECT_EQ(sample.substitutions[1].group, "H");
  for (std::size_t i = 0; i < sample.disposition.size(); ++i) {
    const std::string stratum = sample.data.column("stratum").text(i);
    expect_rel(sample.design_weight[static_cast<Eigen::Index>(i)],
               fx["w_design_by_stratum"][stratum], stratum);
  }
}

TEST(NonresponseTest, StrataAsClassesRakedWithJKnAsR) {
  expect_case("stratum_rake");
}

TEST(NonresponseTest, TwoClassColumnsCollapsedAsR) {
  expect_case("stype_awards");
}

// ---- rules on small hand-made samples
// ------------------------------------------------------------

Table small(std::vector<std::string> stratum, std::vector<std::string> disposition,
            std::vector<std::string> weight = {}) {
  std::vector<std::string> ids, role;
  for (std::size_t i = 0; i < stratum.size(); ++i) {
    ids.push_back("u" + std::to_string(i + 1));
    role.push_back("main");
  }
  if (weight.empty()) weight.assign(stratum.size(), "10");
  return Table::from_columns("s.csv", {{"id", ids},
                                       {"stratum", stratum},
                                       {"psu", ids},
                                       {"design_weight", weight},
                                       {"role", role},
                                       {"disposition", disposition}});
}

FieldworkSample read(const Table& t) {
  FieldworkColumns c;
  c.disposition = "disposition";
  return read_fieldwork(t, c);
}

template <typename F>
void expect_error(F&& f, const std::string& id, const std::string& message) {
  try {
    f();
    ADD_FAILURE() << "no error, expected " << id;
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), id) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(message));
  }
}

TEST(NonresponseTest, StepsByHand) {
  // Class A: R R N I U (weights 10): unknown shared over 40 known -> x 1.25;
  // respondents then carry the nonrespondent: (25 + 12.5) / 25 = 1.5.
  NonresponseOptions o;
  o.min_respondents = 1;
  o.max_factor = std::numeric_limits<double>::infinity();
  const auto s = read(small({"A", "A", "A", "A", "A"}, {"respondent", "respondent", "nonrespondent",
                                                        "ineligible", "unknown"}));
  const auto r = adjust_weights(s, o);
  ASSERT_EQ(r.respondents.size(), 2u);
  EXPECT_DOUBLE_EQ(r.steps(0, 0), 10);
  EXPECT_DOUBLE_EQ(r.steps(0, 1), 12.5);
  EXPECT_DOUBLE_EQ(r.steps(0, 2), 18.75);
  EXPECT_DOUBLE_EQ(r.weight[1], 18.75);
  // The respondents and the nonrespondent carry 40 · 1.25 · 3/4 = 37.5, the
  // ineligible case 12.5: the 50 of the sample.
  EXPECT_DOUBLE_EQ(r.weight.sum() + 12.5, 50);
}

TEST(NonresponseTest, KishDesignEffectOfWeighting) {
  Eigen::VectorXd w(4);
  w << 1, 2, 3, 6;
  const WeightSpread s = spread_of("w", w);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_DOUBLE_EQ(s.cv, std::sqrt(3.5) / 3);
  EXPECT_DOUBLE_EQ(s.deff, 4.0 * 50 / 144);  // n Σw² / (Σw)²
}

TEST(NonresponseTest, CollapsingJoinsTheNeighbourWithTheCloserResponseRate) {
  // A: 3 of 4 respond, B: 1 of 4, C: 1 of 2 (rate 0.5), D: 2 of 2.
  // B fails (1 < 2) and joins C (|0.25 - 0.5| < |0.25 - 0.75|); then C (1
  // respondent) is no more, B + C has 2; D passes.
  NonresponseOptions o;
  o.min_respondents = 2;
  o.max_factor = std::numeric_limits<double>::infinity();
  const std::vector<std::string> strata = {"A", "A", "A", "A", "B", "B",
                                           "B", "B", "C", "C", "D", "D"};
  const std::vector<std::string> d = {"respondent",    "respondent",    "respondent",
                                      "nonrespondent", "respondent",    "nonrespondent",
                                      "nonrespondent", "nonrespondent", "respondent",
                                      "nonrespondent", "respondent",    "respondent"};
  const auto r = adjust_weights(read(small(strata, d)), o);
  ASSERT_EQ(r.collapsed.size(), 1u);
  EXPECT_EQ(r.collapsed[0].label, "B");
  EXPECT_EQ(r.collapsed[0].into, "C");
  EXPECT_EQ(r.collapsed[0].reason, "1 respondents, fewer than 2");
  ASSERT_EQ(r.classes.size(), 3u);
  EXPECT_EQ(r.classes[1].label, "B + C");
  EXPECT_DOUBLE_EQ(r.classes[1].nonresponse_factor, 3);

  // Numeric class columns are ordered as numbers: 2 before 10.
  const auto n = adjust_weights(
      read(small({"10", "10", "2", "2"}, {"respondent", "respondent", "respondent", "respondent"})),
      o);
  ASSERT_EQ(n.classes.size(), 2u);
  EXPECT_EQ(n.classes[0].label, "2");

  // Without collapsing, a class with nonrespondents and no respondent is an error.
  o.collapse = false;
  const auto kept = adjust_weights(read(small(strata, d)), o);
  ASSERT_EQ(kept.classes.size(), 4u);
  EXPECT_FALSE(kept.classes[1].meets_rule);
  EXPECT_FALSE(kept.classes[2].meets_rule);
  const std::vector<std::string> none = {"respondent", "respondent", "nonrespondent",
                                         "nonrespondent"};
  expect_error(
      [&] {
        adjust_weights(read(small({"A", "A", "B", "B"}, none)), o);
      },
      "weights.empty_class",
      "s.csv:4: class 'B' has 2 eligible nonrespondents and no respondent weight");
}

TEST(NonresponseTest, BadInputNamesFileLineAndColumn) {
  expect_error(
      [] {
        read(small({"A", "A"}, {"respondent", "answered"}));
      },
      "weights.unknown_disposition",
      "s.csv:3: column 'disposition' is 'answered', not a disposition");
  expect_error(
      [] {
        read(small({"A", "A"}, {"respondent", ""}));
      },
      "weights.missing_disposition", "s.csv:3: column 'disposition' is empty for a main unit");
  expect_error(
      [] {
        read(small({"A", "A"}, {"respondent", "respondent"}, {"10", "-1"}));
      },
      "weights.invalid_weight", "s.csv:3: column 'design_weight' is '-1'");
  FieldworkColumns c;
  c.disposition = "outcome";
  expect_error([&] { read_fieldwork(small({"A"}, {"respondent"}), c); }, "weights.missing_column",
               "s.csv:1: no column 'outcome'");
  NonresponseOptions o;
  o.class_columns = {"sex"};
  expect_error([&] { adjust_weights(read(small({"A"}, {"respondent"})), o); },
               "weights.missing_column", "no column 'sex'");
  expect_error([] { adjust_weights(read(small({"A"}, {"nonrespondent"})), {}); },
               "weights.no_respondents", "no fielded case is a respondent");
}

TEST(NonresponseTest, ReservesNeverActivatedAreNotInTheSample) {
  const Table t = Table::from_columns(
      "s.csv", {{"id", {"a", "b", "r1", "r2"}},
                {"stratum", {"A", "A", "A", "A"}},
                {"psu", {"a", "b", "r1", "r2"}},
                {"design_weight", {"10", "10", "10", "10"}},
                {"role", {"main", "main", "reserve", "reserve"}},
                {"disposition", {"respondent", "nonrespondent", "respondent", ""}}});
  const auto s = read(t);
  EXPECT_EQ(s.disposition.size(), 3u);
  EXPECT_EQ(s.reserves_left_out, 1u);
  // 2 main units and 1 activated reserve: an SRS of 3 standing for 20.
  ASSERT_EQ(s.substitutions.size(), 1u);
  EXPECT_DOUBLE_EQ(s.design_weight[0], 20.0 / 3);
  EXPECT_DOUBLE_EQ(s.design_weight.sum(), 20);
}

TEST(NonresponseTest, ReportNamesEveryStep) {
  const FieldworkSample sample = fixture();
  NonresponseOptions o = options_of(reference()["stratum_rake"]);
  o.replicates.reset();
  const WeightingResult r = adjust_weights(sample, o);
  const Json report = weights_report(sample, r, o);
  EXPECT_EQ(report["format"], "sipas-weights/1");
  ASSERT_EQ(report["steps"].size(), 4u);
  EXPECT_EQ(report["steps"][3]["column"], "w_calibrated");
  EXPECT_EQ(report["classes"]["collapsed"][0]["class"], "H");
  EXPECT_EQ(report["cases"]["reserves_not_activated"], 7);
  const std::string text = weights_summary(sample, r, o);
  EXPECT_THAT(text, HasSubstr("collapsed H into E: 18 respondents, fewer than 20"));
  EXPECT_THAT(text, HasSubstr("w_calibrated"));
}

// AAPOR Standard Definitions (10th edition, 2023), written out: e = (I + N) /
// (I + N + X), RR1 = I / (I + N + U), RR3 = I / (I + N + e U).
void expect_rates(const Json& got, double i, double n, double x, double u,
                  const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(got["respondents"], i);
  EXPECT_EQ(got["nonrespondents"], n);
  EXPECT_EQ(got["ineligible"], x);
  EXPECT_EQ(got["unknown"], u);
  const double e = (i + n) / (i + n + x);
  EXPECT_DOUBLE_EQ(got["e"].get<double>(), e);
  EXPECT_DOUBLE_EQ(got["rr1"].get<double>(), i / (i + n + u));
  EXPECT_DOUBLE_EQ(got["rr3"].get<double>(), i / (i + n + e * u));
}

TEST(NonresponseTest, ResponseRatesByStratumFromTheFixtureCounts) {
  const FieldworkSample sample = fixture();
  NonresponseOptions o = options_of(reference()["stratum_rake"]);
  o.replicates.reset();
  const WeightingResult r = adjust_weights(sample, o);
  const Json rates = weights_report(sample, r, o)["response_rates"];
  const Json& fx = reference()["fixture"];
  // Strata in order of first appearance in the file.
  ASSERT_EQ(rates["by_stratum"].size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    const Json& got = rates["by_stratum"][k];
    const std::string stratum = got["stratum"];
    EXPECT_EQ(stratum, std::string(1, "EHM"[k]));
    const Json& want = fx["by_stratum"][stratum];
    expect_rates(got, want["respondent"], want["nonrespondent"], want["ineligible"],
                 want["unknown"], stratum);
  }
  const Json& all = fx["dispositions"];
  expect_rates(rates["overall"], all["respondent"], all["nonrespondent"], all["ineligible"],
               all["unknown"], "overall");
  // 126 / (189 + 189/195 · 10) and 126 / 199.
  EXPECT_NEAR(rates["overall"]["rr3"].get<double>(), 0.634146, 1e-6);
  EXPECT_NEAR(rates["overall"]["rr1"].get<double>(), 0.633166, 1e-6);
  EXPECT_THAT(rates["definitions"].get<std::string>(), HasSubstr("AAPOR Standard Definitions"));
  EXPECT_THAT(weights_summary(sample, r, o),
              HasSubstr("AAPOR response rates: RR1 63.32%, RR3 63.41% (e = 0.9692"));
}

TEST(NonresponseTest, ResponseRatesWithoutADenominatorAreNull) {
  // B: I 2, N 1, X 1, U 1; A: I 1, U 1; C: unknowns only (no e, no RR3);
  // D: ineligible only (e = 0, and neither RR1 nor RR3).
  NonresponseOptions o;
  o.min_respondents = 1;
  o.max_factor = std::numeric_limits<double>::infinity();
  const auto s = read(small({"B", "B", "B", "B", "B", "A", "A", "C", "D"},
                            {"respondent", "respondent", "nonrespondent", "ineligible", "unknown",
                             "respondent", "unknown", "unknown", "ineligible"}));
  const Json rates = weights_report(s, adjust_weights(s, o), o)["response_rates"];
  const Json& by = rates["by_stratum"];
  ASSERT_EQ(by.size(), 4u);
  EXPECT_EQ(by[0]["stratum"], "B");
  EXPECT_DOUBLE_EQ(by[0]["e"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(by[0]["rr1"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(by[0]["rr3"].get<double>(), 2 / 3.75);
  EXPECT_EQ(by[1]["stratum"], "A");
  EXPECT_DOUBLE_EQ(by[1]["rr3"].get<double>(), 0.5);
  EXPECT_EQ(by[2]["stratum"], "C");
  EXPECT_TRUE(by[2]["e"].is_null());
  EXPECT_DOUBLE_EQ(by[2]["rr1"].get<double>(), 0);
  EXPECT_TRUE(by[2]["rr3"].is_null());
  EXPECT_EQ(by[3]["stratum"], "D");
  EXPECT_DOUBLE_EQ(by[3]["e"].get<double>(), 0);
  EXPECT_TRUE(by[3]["rr1"].is_null());
  EXPECT_TRUE(by[3]["rr3"].is_null());
  // Overall: I 3, N 1, X 2, U 3: e = 4/6, RR1 = 3/7, RR3 = 3/(4 + 2).
  expect_rates(rates["overall"], 3, 1, 2, 3, "overall");
  EXPECT_DOUBLE_EQ(rates["overall"]["rr3"].get<double>(), 0.5);
}

}  // namespace
