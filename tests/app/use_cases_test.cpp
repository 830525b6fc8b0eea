// The use cases on a real SQLite file: the survey id rule, authorisation, the
// audit trail (written with each change, append-only, nothing for a refused
// change), reserves, submissions and drafts.

#include <gtest/gtest.h>

#include "app/api_keys.hpp"
#include "app/audit.hpp"
#include "app/invitations.hpp"
#include "app/responses.hpp"
#include "app/submissions.hpp"
#include "app/survey_id.hpp"
#include "app/surveys.hpp"
#include "app/use_case_error.hpp"
#include "tests/support/forms.hpp"
#include "tests/support/raw_database.hpp"
#include "tests/support/refusal_of.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_postgres.hpp"

namespace sipas::app {
namespace {

using test::form_with;
using test::text;

const Actor manager{"cli:manager", store::Role::Manager};
const Actor analyst{"key:analyst-1", store::Role::Analyst};
const Actor respondent{"public", std::nullopt};

nlohmann::json one_item_form() {
  return form_with(nlohmann::json::array({{{"id", "q1"},
                                           {"type", "likert"},
                                           {"scale", "sat5"},
                                           {"required", true},
                                           {"text", text("Q1")}}}));
}

store::InvitationInput row(const std::string& id, const std::string& stratum, bool reserve = false,
                           std::int64_t rank = 0) {
  store::InvitationInput r;
  r.respondent_id = id;
  r.stratum = stratum;
  r.psu = id;
  r.inclusion_probability = 0.5;
  r.design_weight = 2;
  r.reserve = reserve;
  r.reserve_rank = rank;
  return r;
}

using test::refusal_of;

// On both backends. Without the PostgreSQL fixture the postgres runs are
// skipped in SetUp (the store is then an SQLite file, never used).
class UseCasesTest : public ::testing::TestWithParam<store::db::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == store::db::Backend::Postgres && !postgres_)
      GTEST_SKIP() << test::no_postgres_message;
  }
  static std::unique_ptr<test::TestDatabase> postgres_for(store::db::Backend backend) {
    if (backend != store::db::Backend::Postgres || !test::test_postgres_url()) return nullptr;
    return std::make_unique<test::TestDatabase>();
  }

  test::TempDir dir_{"sipas-app"};
  std::unique_ptr<test::TestDatabase> postgres_ = postgres_for(GetParam());
  std::string location_ = postgres_ ? postgres_->url() : (dir_.path() / "survey.db").string();
  store::SurveyStore store_{location_};

  store::SurveyRecord create(const std::string& id, bool open_link = false) {
    return create_survey(store_, manager, {id, one_item_form().dump(), "test.json", open_link});
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, UseCasesTest,
                         ::testing::Values(store::db::Backend::Sqlite,
                                           store::db::Backend::Postgres),
                         test::backend_name);

TEST(SurveyIdTest, OneRuleForEveryEdge) {
  for (const char* good : {"sipas-2026", "hn_2026", "a", "0-9"}) {
    EXPECT_TRUE(is_survey_id(good)) << good;
    EXPECT_NO_THROW(check_survey_id(good));
  }
  for (const std::string& bad :
       std::vector<std::string>{"Sipas-2027", ".", "", "-x", "_x", "a b", "a.b", "sipas/2026",
                                "khảo-sát", std::string(65, 'a')}) {
    EXPECT_FALSE(is_survey_id(bad)) << bad;
    try {
      check_survey_id(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const UseCaseError& e) {
      EXPECT_EQ(e.id(), "survey.bad_id");
      EXPECT_EQ(e.refusal(), Refusal::BadRequest);
      EXPECT_EQ(e.field(), "survey");
      EXPECT_NE(std::string(e.what()).find(survey_id_rule), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(is_survey_id(std::string(64, 'a')));
}

TEST_P(UseCasesTest, EachChangeIsAuditedWithWhoAndBeforeAndAfter) {
  create("s1");
  set_survey_options(store_, manager, {"s1", true});
  open_survey(store_, manager, "s1");
  import_sample(store_, manager, {"s1", {row("r1", "A"), row("r2", "A", true, 1)}});
  activate_reserves(store_, manager, {"s1", "A", std::nullopt, 1});
  close_survey(store_, manager, "s1");
  create_api_key(store_, manager, {"analyst-1", store::Role::Analyst});

  const auto entries = read_audit(store_, manager, {});
  std::vector<std::string> actions;
  for (const auto& e : entries) {
    actions.push_back(e.action);
    EXPECT_EQ(e.actor, "cli:manager");
    EXPECT_GT(e.at, 1700000000);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"survey.create", "survey.set", "survey.open",
                                               "invitations.import", "reserves.activate",
                                               "survey.close", "key.create"}));
  EXPECT_EQ(entries[1].before_json.value_or(""), R"({"open_link":false})");
  EXPECT_EQ(entries[1].after_json.value_or(""), R"({"open_link":true})");
  EXPECT_EQ(entries[2].before_json.value_or(""), R"({"state":"draft"})");
  EXPECT_EQ(entries[2].after_json.value_or(""), R"({"state":"open"})");
  EXPECT_EQ(entries[4].subject.value_or(""), "A");
  EXPECT_NE(entries[4].after_json.value_or("").find(R"("activated":1)"), std::string::npos);
  // The key itself is never in the trail.
  EXPECT_EQ(entries[6].after_json.value_or(""), R"({"name":"analyst-1","role":"analyst"})");
  // One survey's entries, and entries after a cursor.
  EXPECT_EQ(read_audit(store_, manager, {"s1", 0, 100}).size(), 6u);
  EXPECT_EQ(read_audit(store_, manager, {std::nullopt, entries[4].seq, 100}).size(), 2u);
}

TEST_P(UseCasesTest, ARefusedChangeLeavesNoAuditEntry) {
  create("s1");
  const auto before = read_audit(store_, manager, {}).size();
  EXPECT_EQ(refusal_of([&] { close_survey(store_, manager, "s1"); }).first,
            "survey.bad_state");  // a draft cannot be closed
  EXPECT_EQ(refusal_of([&] { create("s1"); }).first, "survey.exists");
  EXPECT_EQ(refusal_of([&] { open_survey(store_, manager, "nope"); }).first, "survey.not_found");
  EXPECT_EQ(read_audit(store_, manager, {}).size(), before);
  EXPECT_EQ(store_.find_survey("s1")->state, store::SurveyState::Draft);
}

TEST_P(UseCasesTest, TheAuditTrailIsAppendOnly) {
  create("s1");
  auto db = test::raw_connection(location_);
  EXPECT_THROW(db->exec("UPDATE audit_log SET actor = 'someone else'"), Error);
  EXPECT_THROW(db->exec("DELETE FROM audit_log"), Error);
  EXPECT_EQ(read_audit(store_, manager, {}).at(0).actor, "cli:manager");
}

TEST_P(UseCasesTest, EachUseCaseDecidesWhoMay) {
  create("s1");
  EXPECT_EQ(refusal_of([&] {
              create_survey(store_, analyst, {"s2", one_item_form().dump(), "t.json", false});
            }),
            std::pair(std::string("auth.forbidden"), std::optional(Refusal::Forbidden)));
  EXPECT_EQ(refusal_of([&] { open_survey(store_, analyst, "s1"); }).first, "auth.forbidden");
  EXPECT_EQ(refusal_of([&] { read_audit(store_, analyst, {}); }).first, "auth.forbidden");
  EXPECT_EQ(refusal_of([&] { list_surveys(store_, respondent); }).first, "auth.forbidden");
  EXPECT_EQ(list_surveys(store_, analyst).size(), 1u);
  EXPECT_EQ(read_progress(store_, analyst, "s1").strata.size(), 0u);
  EXPECT_FALSE(store_.find_survey("s2"));
  // The server's admission asks the same rule from the header alone.
  EXPECT_EQ(required_role(UseCase::SubmitResponse), std::nullopt);
  EXPECT_EQ(required_role(UseCase::ExportResponses), store::Role::Analyst);
  EXPECT_EQ(required_role(UseCase::ReviewResponse), store::Role::Manager);
}

TEST_P(UseCasesTest, ReservesOfAClosedSurveyAreNotActivatedAndShortfallsAreCounted) {
  create("s1");
  open_survey(store_, manager, "s1");
  import_sample(store_, manager,
                {"s1", {row("r1", "A"), row("r2", "A", true, 1), row("r3", "A", true, 2)}});
  const auto got = activate_reserves(store_, manager, {"s1", "A", std::nullopt, 200});
  EXPECT_EQ(got.requested, 200);
  EXPECT_EQ(got.issued.size(), 2u);
  import_sample(store_, manager, {"s1", {row("r4", "B"), row("r5", "B", true, 1)}});
  close_survey(store_, manager, "s1");
  EXPECT_EQ(refusal_of([&] {
              activate_reserves(store_, manager, {"s1", "B", std::nullopt, 1});
            }),
            std::pair(std::string("survey.closed"), std::optional(Refusal::Conflict)));
  EXPECT_EQ(store_.progress("s1").strata.at(1).reserves_waiting, 1);
  EXPECT_EQ(refusal_of([&] {
              activate_reserves(store_, manager, {"s1", "B", std::nullopt, 0});
            }).first,
            "request.bad_parameter");
}

TEST_P(UseCasesTest, OneSubmitFlowForTheFormAndTheApi) {
  create("s1", true);
  open_survey(store_, manager, "s1");
  const auto questionnaire = test::load(one_item_form());
  auto answers = test::response_for(questionnaire, {{"q1", 4}});

  // The API needs the client's submission id; the form makes one.
  EXPECT_EQ(
      refusal_of([&] {
        check_submission(questionnaire, {"s1", std::nullopt, answers, SubmissionChannel::Api});
      }).first,
      "response.missing_submission_id");
  auto long_id = answers;
  long_id.submission_id = std::string(129, 'x');
  EXPECT_EQ(
      refusal_of([&] {
        check_submission(questionnaire, {"s1", std::nullopt, long_id, SubmissionChannel::Api});
      }).first,
      "response.bad_submission_id");
  const auto from_form =
      check_submission(questionnaire, {"s1", std::nullopt, answers, SubmissionChannel::Form});
  ASSERT_TRUE(from_form.validation.ok());
  EXPECT_GE(from_form.row.submission_id.size(), 20u);
  EXPECT_EQ(from_form.row.language, "en");

  answers.submission_id = "client-1";
  const auto from_api =
      check_submission(questionnaire, {"s1", std::nullopt, answers, SubmissionChannel::Api});
  ASSERT_TRUE(from_api.validation.ok());
  EXPECT_EQ(store_submission(store_, from_api.row).outcome, store::SubmitResult::Outcome::Stored);
  EXPECT_EQ(store_submission(store_, from_api.row).outcome, store::SubmitResult::Outcome::Repeated);

  // Answers that fail validation give problems, and no row.
  auto missing = test::response_for(questionnaire, nlohmann::json::object());
  missing.submission_id = "client-2";
  const auto refused =
      check_submission(questionnaire, {"s1", std::nullopt, missing, SubmissionChannel::Api});
  EXPECT_FALSE(refused.validation.ok());
  EXPECT_TRUE(refused.row.answers_json.empty());
  EXPECT_EQ(export_responses(store_, analyst, {"s1"}).rows.size(), 1u);
}

TEST_P(UseCasesTest, DraftsNeedAnUnansweredInvitation) {
  create("s1");
  open_survey(store_, manager, "s1");
  const auto questionnaire = test::load(one_item_form());
  const auto answers = test::response_for(questionnaire, {{"q1", 2}});
  EXPECT_EQ(refusal_of([&] {
              check_draft(questionnaire, {"s1", std::nullopt, answers, std::nullopt});
            }).first,
            "draft.needs_invitation");
  const auto issued = import_sample(store_, manager, {"s1", {row("r1", "A")}}).issued;
  auto invitation = store_.find_invitation_by_token("s1", issued.at(0).token);
  ASSERT_TRUE(invitation);
  store_draft(store_, check_draft(questionnaire, {"s1", invitation, answers, std::nullopt}));
  EXPECT_TRUE(store_.load_draft(invitation->id));
  EXPECT_EQ(store_.load_draft(invitation->id)->page, 0);
  // The page reached goes with the draft.
  store_draft(store_, check_draft(questionnaire, {"s1", invitation, answers, 3}));
  EXPECT_EQ(store_.load_draft(invitation->id)->page, 3);
  invitation->status = store::InvitationStatus::Responded;
  try {
    check_draft(questionnaire, {"s1", invitation, answers, std::nullopt});
    ADD_FAILURE() << "a draft of an answered invitation was taken";
  } catch (const UseCaseError& e) {
    EXPECT_EQ(e.id(), "invitation.already_responded");
    EXPECT_EQ(e.field(), "invitation");
  }
}

TEST_P(UseCasesTest, ReviewsRecordTheStateBeforeAndAfter) {
  create("s1", true);
  open_survey(store_, manager, "s1");
  const auto questionnaire = test::load(one_item_form());
  auto answers = test::response_for(questionnaire, {{"q1", 5}});
  answers.submission_id = "c1";
  const auto stored = store_submission(
      store_,
      check_submission(questionnaire, {"s1", std::nullopt, answers, SubmissionChannel::Api}).row);
  review_response(store_, manager, {"s1", stored.response, store::ReviewState::Rejected});
  review_response(store_, manager, {"s1", stored.response, store::ReviewState::Approved});
  const auto entries = read_audit(store_, manager, {"s1", 0, 100});
  ASSERT_GE(entries.size(), 2u);
  const auto& last = entries.back();
  EXPECT_EQ(last.action, "response.review");
  EXPECT_EQ(last.subject.value_or(""), std::to_string(stored.response));
  EXPECT_EQ(last.before_json.value_or(""), R"({"review":"rejected"})");
  EXPECT_EQ(last.after_json.value_or(""), R"({"review":"approved"})");
  EXPECT_EQ(
      refusal_of([&] {
        review_response(store_, analyst, {"s1", stored.response, store::ReviewState::Approved});
      }).first,
      "auth.forbidden");
}

}  // namespace
}  // namespace sipas::app
