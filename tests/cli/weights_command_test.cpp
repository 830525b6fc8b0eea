// sipas weights, run as a statistician runs it: on the R fixture
// (tests/reference/nonresponse_sample.csv) against the weights and standard
// errors of tests/reference/nonresponse_reference.R, then through
// sipas analyze with the replicate weights it wrote; and on a survey database.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/csv_reader.hpp"
#include "io/file.hpp"
#include "store/store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/reference_values.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
namespace store = sipas::store;
using Json = nlohmann::json;
using sipas::test::reference_file;
using sipas::test::sipas;
using sipas::test::slurp;
using ::testing::HasSubstr;

constexpr double tolerance = 1e-9;

const Json& reference() {
  return sipas::test::reference_json("nonresponse_reference.json");
}

void expect_rel(double got, double want, const std::string& what) {
  sipas::test::expect_relative(got, want, tolerance, what);
}

// The CSV as column name -> id -> text.
std::map<std::string, std::map<std::string, std::string>> read_csv(const fs::path& path) {
  sipas::io::CsvReader reader(path);
  std::map<std::string, std::map<std::string, std::string>> out;
  const auto id = reader.require_column("id");
  while (reader.next()) {
    for (std::size_t c = 0; c < reader.header().size(); ++c)
      out[reader.header()[c]][std::string(reader.field(id))] = std::string(reader.field(c));
  }
  return out;
}

class WeightsCommandTest : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return (temp_.path() / name).string(); }
  sipas::test::TempDir temp_;
};

TEST_F(WeightsCommandTest, HelpNamesTheStepsAndTheRule) {
  auto r = sipas({"weights", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* text : {"--sample", "--disposition", "--db", "--survey", "--classes",
                           "--margins", "--replicates", "--min-respondents", "--max-factor",
                           "w_design", "w_eligible", "w_nonresponse", "w_calibrated", "1 + CV^2"}) {
    EXPECT_THAT(r.out, HasSubstr(text));
  }
}

TEST_F(WeightsCommandTest, WeightsAndReplicateStandardErrorsMatchR) {
  const Json& ref = reference()["stratum_rake"];
  auto r =
      sipas({"weights", "--sample", reference_file("nonresponse_sample.csv"), "--disposition",
             "disposition", "--margins", reference_file("nonresponse_margins.csv"), "--replicates",
             "jkn", "--carry", "api00,sch_wide", "--out", path("weights.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("126 respondents of 205 fielded cases"));
  EXPECT_THAT(r.out, HasSubstr("collapsed H into E: 18 respondents, fewer than 20"));
  EXPECT_THAT(r.out, HasSubstr("w_calibrated"));
  EXPECT_THAT(r.out, HasSubstr("--repweights rw --reptype jkn --rscales"));

  auto csv = read_csv(path("weights.csv"));
  for (const char* step : {"w_design", "w_eligible", "w_nonresponse", "w_calibrated", "weight"}) {
    ASSERT_TRUE(csv.count(step)) << step;
    const Json& want = ref["weights"][step];
    ASSERT_EQ(csv[step].size(), want.size());
    for (const auto& [id, value] : want.items())
      expect_rel(std::stod(csv[step].at(id)), value, std::string(step) + " " + id);
  }
  ASSERT_TRUE(csv.count("rw205"));
  EXPECT_FALSE(csv.count("rw206"));

  const Json report = Json::parse(slurp(path("weights.json")));
  EXPECT_EQ(report["format"], "sipas-weights/1");
  ASSERT_EQ(report["steps"].size(), 4u);
  for (std::size_t s = 0; s < 4; ++s) {
    const std::string column = report["steps"][s]["column"];
    expect_rel(report["steps"][s]["deff_kish"], ref["spread"][column]["deff"], column);
    expect_rel(report["steps"][s]["cv"], ref["spread"][column]["cv"], column);
  }
  EXPECT_EQ(report["classes"]["collapsed"][0]["reason"], "18 respondents, fewer than 20");
  EXPECT_EQ(report["replicates"]["count"], 205);
  EXPECT_EQ(report["inputs"]["sample"]["sha256"].get<std::string>().size(), 64u);

  // sipas analyze on the weights it wrote: SEs that include the adjustment.
  auto a = sipas({"analyze", "--data", path("weights.csv"), "--weights", "weight", "--repweights",
                  "rw", "--reptype", "jkn", "--rscales", path("weights.rscales"), "--mean", "api00",
                  "--prop", "sch_wide=Yes", "--out", path("results.json")});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const Json results = Json::parse(slurp(path("results.json")));
  const Json& est = ref["estimates"];
  bool mean_seen = false, prop_seen = false;
  for (const auto& e : results["estimates"]) {
    if (e["statistic"] == "mean" && e["variable"] == "api00") {
      mean_seen = true;
      expect_rel(e["estimate"], est["mean_api00"]["estimate"], "mean api00");
      expect_rel(e["se"], est["mean_api00"]["SE"], "SE mean api00");
    }
    if (e["statistic"] == "proportion") {
      prop_seen = true;
      expect_rel(e["estimate"], est["prop_sch_wide_yes"]["estimate"], "share");
      expect_rel(e["se"], est["prop_sch_wide_yes"]["SE"], "SE share");
    }
  }
  EXPECT_TRUE(mean_seen && prop_seen) << results.dump(1);
}

TEST_F(WeightsCommandTest, BadInputNamesFileLineAndColumnAndWritesNothing) {
  std::ofstream(path("sample.csv"))
      << "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,outcome\n"
         "a,A,a,0.1,10,main,,respondent\n"
         "b,A,b,0.1,10,main,,answered\n";
  auto r = sipas({"weights", "--sample", path("sample.csv"), "--disposition", "outcome", "--out",
                  path("weights.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("sample.csv:3: column 'outcome' is 'answered', not a disposition"));
  EXPECT_THAT(r.err, HasSubstr("[weights.unknown_disposition]"));
  EXPECT_FALSE(fs::exists(path("weights.csv")));
  EXPECT_FALSE(fs::exists(path("weights.json")));

  r = sipas({"weights", "--sample", path("sample.csv"), "--disposition", "status", "--out",
             path("weights.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("sample.csv:1: no column 'status'"));

  std::ofstream(path("empty-class.csv"))
      << "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,outcome\n"
         "a,A,a,0.1,10,main,,respondent\n"
         "b,B,b,0.1,10,main,,nonrespondent\n";
  r = sipas({"weights", "--sample", path("empty-class.csv"), "--disposition", "outcome",
             "--no-collapse", "--out", path("weights.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("empty-class.csv:3: class 'B' has 1 eligible nonrespondents and no "
                               "respondent weight"));
  EXPECT_FALSE(fs::exists(path("weights.csv")));

  r = sipas({"weights", "--sample", path("sample.csv"), "--out", path("weights.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--disposition"));
}

// The invitations of a survey: answered ones respond, a rejected answer does
// not, unopened ones are nonrespondents (or unknown, when asked), and a
// reserve that was never activated is not in the sample.
TEST_F(WeightsCommandTest, FromTheInvitationsOfASurveyDatabase) {
  const std::string db = path("survey.db");
  {
    store::SurveyStore store(db);
    store.create_survey("s", "{}", "q", "1");
    store.set_survey_state("s", store::SurveyState::Open);
    std::vector<store::InvitationInput> rows;
    auto add = [&](std::string id, std::string stratum, double w, bool reserve, int rank) {
      store::InvitationInput in;
      in.respondent_id = std::move(id);
      in.stratum = stratum;
      in.psu = in.respondent_id;
      in.inclusion_probability = 1 / w;
      in.design_weight = w;
      in.reserve = reserve;
      in.reserve_rank = rank;
      in.attributes = {{"sex", rows.size() % 2 ? "f" : "m"}};
      rows.push_back(in);
    };
    for (const char* id : {"a1", "a2", "a3", "a4"})
      add(id, "A", 10, false, 0);
    add("ra1", "A", 10, true, 1);
    add("ra2", "A", 10, true, 2);
    for (const char* id : {"b1", "b2", "b3"})
      add(id, "B", 20, false, 0);
    add("rb1", "B", 20, true, 1);
    auto issued = store.import_invitations("s", rows);
    auto reserve = store.activate_reserves("s", "A", std::nullopt, 1);
    ASSERT_EQ(reserve.size(), 1u);
    std::map<std::string, std::int64_t> invitation;
    for (const auto& i : issued)
      invitation[i.respondent_id] = i.invitation;
    invitation["ra1"] = reserve[0].invitation;
    std::int64_t seq_b2 = 0;
    for (const char* id : {"a1", "a2", "ra1", "b1", "b2"}) {
      store::NewResponse response;
      response.survey = "s";
      response.invitation = invitation[id];
      response.submission_id = std::string("sub-") + id;
      response.language = "vi";
      response.answers_json = "{}";
      auto stored = store.insert_response(response, 1000);
      ASSERT_EQ(stored.outcome, store::SubmitResult::Outcome::Stored);
      if (std::string(id) == "b2") seq_b2 = stored.response;
    }
    store.set_review_state("s", seq_b2, store::ReviewState::Rejected);
    store.mark_opened(invitation["a3"], 900);
  }
  auto r = sipas({"weights", "--db", db, "--survey", "s", "--min-respondents", "1", "--max-factor",
                  "0", "--carry", "sex", "--out", path("weights.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("4 respondents of 8 fielded cases (4 nonrespondents"));
  EXPECT_THAT(r.out, HasSubstr("2 reserves never activated"));
  auto csv = read_csv(path("weights.csv"));
  ASSERT_EQ(csv["weight"].size(), 4u);
  // A: 4 main units and 1 activated reserve stand for 40: 8 each; 3 of the 5
  // respond: 40/3 each. B: 20 each, b2's answer rejected, b3 never opened:
  // b1 carries 60.
  EXPECT_DOUBLE_EQ(std::stod(csv["w_design"]["ra1"]), 8);
  EXPECT_DOUBLE_EQ(std::stod(csv["weight"]["a1"]), 40.0 / 3);
  EXPECT_DOUBLE_EQ(std::stod(csv["weight"]["ra1"]), 40.0 / 3);
  EXPECT_DOUBLE_EQ(std::stod(csv["weight"]["b1"]), 60);
  EXPECT_EQ(csv["sex"]["b1"], "m");

  // Unopened invitations as of unknown eligibility: a4 and b3 share their
  // weight first; the final weights are the same here (no ineligible case).
  r = sipas({"weights", "--db", db, "--survey", "s", "--unopened", "unknown", "--min-respondents",
             "1", "--max-factor", "0", "--out", path("unknown.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  csv = read_csv(path("unknown.csv"));
  EXPECT_DOUBLE_EQ(std::stod(csv["w_eligible"]["a1"]), 10);
  EXPECT_DOUBLE_EQ(std::stod(csv["w_eligible"]["b1"]), 30);
  EXPECT_DOUBLE_EQ(std::stod(csv["weight"]["b1"]), 60);
  const Json report = Json::parse(slurp(path("unknown.json")));
  EXPECT_EQ(report["cases"]["unknown"], 2);
  EXPECT_EQ(report["inputs"]["db"]["survey"], "s");

  r = sipas({"weights", "--db", db, "--survey", "nope", "--out", path("x.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("survey.not_found"));
}

}  // namespace
