// The store on both backends, one suite: every operation, its error ids,
// tokens, races between connections, read-only stores; on real SQLite files
// and a real PostgreSQL server (the CTest fixture `postgres`). What only one
// backend has (files, WAL, a server without sipas' tables) has its own tests.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/response_export.hpp"
#include "store/migrations.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "store/tokens.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/forms.hpp"
#include "tests/support/raw_database.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_postgres.hpp"

namespace sipas::store {
namespace {

using test::error_id_of;
using test::error_message_of;

using Outcome = SubmitResult::Outcome;

constexpr const char* questionnaire = R"({"id": "sipas", "version": "2024"})";

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Everything the database holds, as bytes to search: the SQLite file and its
// WAL, or every row of every sipas table on PostgreSQL as text.
std::string stored_bytes(const std::filesystem::path& db) {
  if (!db::is_postgres_url(db.string())) {
    std::string bytes = slurp(db);
    const std::filesystem::path wal = db.string() + "-wal";
    if (std::filesystem::exists(wal)) bytes += slurp(wal);
    return bytes;
  }
  auto raw = test::raw_connection(db);
  std::string bytes;
  for (const char* table :
       {"surveys", "invitations", "invitation_attributes", "invitation_contacts", "responses",
        "drafts", "api_keys", "audit_log"}) {
    auto& rows = raw->statement(std::string("SELECT t::text FROM ") + table + " t");
    db::Reset reset(rows);
    while (rows.step())
      bytes += rows.column_text(0) + "\n";
  }
  return bytes;
}

InvitationInput main_row(const std::string& id, const std::string& stratum,
                         const std::string& psu = "p1") {
  InvitationInput row;
  row.respondent_id = id;
  row.stratum = stratum;
  row.psu = psu;
  row.inclusion_probability = 0.25;
  row.design_weight = 4;
  row.attributes = {{"sex", "f"}, {"age_group", "35-44"}};
  row.contacts = {{"email", id + "@example.vn"}, {"phone", "+84-90-" + id}};
  return row;
}

InvitationInput reserve_row(const std::string& id, const std::string& stratum, std::int64_t rank,
                            const std::string& psu = "p1") {
  InvitationInput row = main_row(id, stratum, psu);
  row.reserve = true;
  row.reserve_rank = rank;
  return row;
}

NewResponse response_for(const std::string& survey, std::optional<std::int64_t> invitation,
                         const std::string& submission_id) {
  NewResponse response;
  response.survey = survey;
  response.invitation = invitation;
  response.submission_id = submission_id;
  response.language = "vi";
  response.answers_json = R"({"q1": 5})";
  response.client = "client-hash";
  return response;
}

std::int64_t count_rows(const std::filesystem::path& db, const std::string& table) {
  auto raw = test::raw_connection(db);
  auto& query = raw->statement("SELECT COUNT(*) FROM " + table);
  query.step();
  return query.column_int64(0);
}

// The database of a test: a file in a directory of its own, or a database of
// its own on the PostgreSQL server.
class StoreFixture {
 protected:
  std::filesystem::path db() const {
    return postgres_ ? std::filesystem::path(postgres_->url()) : dir_ / "survey.db";
  }
  bool on_postgres() const { return postgres_ != nullptr; }

  // A store with one open survey "s1", its open link on (the tests send
  // token-less answers too).
  SurveyStore open_survey() {
    SurveyStore store(db());
    store.create_survey("s1", questionnaire, "sipas", "2024", true);
    store.set_survey_state("s1", SurveyState::Open);
    return store;
  }

  test::TempDir dir_{"sipas-store"};
  std::unique_ptr<test::TestDatabase> postgres_;
};

class StoreTest : public ::testing::TestWithParam<db::Backend>, public StoreFixture {
 protected:
  void SetUp() override {
    if (GetParam() != db::Backend::Postgres) return;
    if (!test::test_postgres_url()) GTEST_SKIP() << test::no_postgres_message;
    postgres_ = std::make_unique<test::TestDatabase>();
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(db::Backend::Sqlite, db::Backend::Postgres),
                         test::backend_name);

// What only an SQLite file has.
class SqliteStoreTest : public ::testing::Test, public StoreFixture {};

// --------------------------------------------------------------------------
// Opening

TEST_F(SqliteStoreTest, NewFileGetsTheLatestSchemaInWalMode) {
  SurveyStore store(db());
  EXPECT_EQ(store.schema_version(), latest_schema_version());
  EXPECT_GE(latest_schema_version(), 2);
  EXPECT_EQ(store.path(), db());
  auto raw = test::raw_connection(db());
  auto& mode = raw->statement("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.column_text(0), "wal");
  EXPECT_EQ(store.integrity_check(), "ok");
}

TEST_F(SqliteStoreTest, MissingFileWithoutCreateIsNotFound) {
  SurveyStore::Options options;
  options.create = false;
  EXPECT_EQ(error_id_of([&] { SurveyStore store(db(), options); }), "store.not_found");
  EXPECT_NE(error_message_of([&] { SurveyStore store(db(), options); }).find(db().string()),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(db()));
}

TEST_F(SqliteStoreTest, FileThatIsNotADatabaseIsCorruptAndLeftAsItIs) {
  const std::string text(4096, 'x');
  std::ofstream(db(), std::ios::binary) << text;
  std::string message;
  EXPECT_EQ(error_id_of([&] { SurveyStore store(db()); }), "store.corrupt");
  message = error_message_of([&] { SurveyStore store(db()); });
  EXPECT_NE(message.find(db().string()), std::string::npos) << message;
  EXPECT_NE(message.find("not an SQLite database"), std::string::npos) << message;
  EXPECT_EQ(slurp(db()), text);
}

// --------------------------------------------------------------------------
// Surveys

TEST_P(StoreTest, SurveysAreCreatedOpenedClosedAndReopened) {
  SurveyStore store(db());
  store.create_survey("s1", questionnaire, "sipas", "2024");
  auto found = store.find_survey("s1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->questionnaire_json, questionnaire);
  EXPECT_EQ(found->questionnaire_id, "sipas");
  EXPECT_EQ(found->questionnaire_version, "2024");
  EXPECT_EQ(found->state, SurveyState::Draft);
  EXPECT_GT(found->created_at, 0);
  EXPECT_FALSE(found->opened_at);
  EXPECT_FALSE(found->open_link);  // off unless asked for
  EXPECT_EQ(store.find_survey_state("s1"), SurveyState::Draft);

  auto opened = store.set_survey_state("s1", SurveyState::Open);
  EXPECT_EQ(opened.state, SurveyState::Open);
  ASSERT_TRUE(opened.opened_at);
  auto closed = store.set_survey_state("s1", SurveyState::Closed);
  EXPECT_EQ(closed.state, SurveyState::Closed);
  EXPECT_TRUE(closed.closed_at);
  auto reopened = store.set_survey_state("s1", SurveyState::Open);
  EXPECT_EQ(reopened.opened_at, opened.opened_at);
  EXPECT_FALSE(reopened.closed_at);

  store.create_survey("a0", questionnaire, "par", "1");
  auto all = store.list_surveys();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "a0");
  EXPECT_EQ(all[1].id, "s1");
  EXPECT_FALSE(store.find_survey("nope"));
  EXPECT_FALSE(store.find_survey_state("nope"));
}

TEST_P(StoreTest, SurveyErrorsHaveTheirIds) {
  SurveyStore store(db());
  store.create_survey("s1", questionnaire, "sipas", "2024");
  EXPECT_EQ(error_id_of([&] { store.create_survey("s1", questionnaire, "x", "1"); }),
            "survey.exists");
  EXPECT_EQ(error_id_of([&] { store.set_survey_state("nope", SurveyState::Open); }),
            "survey.not_found");
  EXPECT_EQ(error_id_of([&] { store.set_survey_state("s1", SurveyState::Closed); }),
            "survey.bad_state");
  EXPECT_EQ(error_id_of([&] { store.set_survey_state("s1", SurveyState::Draft); }),
            "survey.bad_state");
  store.set_survey_state("s1", SurveyState::Open);
  EXPECT_EQ(error_id_of([&] { store.set_survey_state("s1", SurveyState::Open); }),
            "survey.bad_state");
  EXPECT_EQ(error_id_of([&] { store.set_survey_state("s1", SurveyState::Draft); }),
            "survey.bad_state");
  EXPECT_EQ(store.find_survey_state("s1"), SurveyState::Open);
}

// --------------------------------------------------------------------------
// Invitations

TEST_P(StoreTest, ImportIssuesTokensToMainRowsAndStoresReservesInactive) {
  SurveyStore store = open_survey();
  auto issued = store.import_invitations(
      "s1", {main_row("r1", "A"), reserve_row("r2", "A", 1), main_row("r3", "B")});
  ASSERT_EQ(issued.size(), 2u);
  EXPECT_EQ(issued[0].respondent_id, "r1");
  EXPECT_EQ(issued[1].respondent_id, "r3");
  EXPECT_EQ(issued[1].stratum, "B");
  EXPECT_EQ(issued[0].contacts, main_row("r1", "A").contacts);
  for (const auto& invitation : issued) {
    EXPECT_EQ(invitation.token.size(), 22u);
    EXPECT_TRUE(is_token_syntax(invitation.token));
    auto found = store.find_invitation_by_token("s1", invitation.token);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, invitation.invitation);
    EXPECT_EQ(found->respondent_id, invitation.respondent_id);
    EXPECT_EQ(found->status, InvitationStatus::Pending);
    EXPECT_DOUBLE_EQ(found->design_weight, 4);
    EXPECT_DOUBLE_EQ(found->inclusion_probability, 0.25);
  }
  EXPECT_NE(issued[0].token, issued[1].token);
  auto progress = store.progress("s1");
  ASSERT_EQ(progress.strata.size(), 2u);
  EXPECT_EQ(progress.strata[0].invited, 1);
  EXPECT_EQ(progress.strata[0].reserves_waiting, 1);
  EXPECT_EQ(progress.strata[1].invited, 1);
}

TEST_P(StoreTest, ImportIsAllOrNothingWhenARespondentRepeatsInTheFile) {
  SurveyStore store = open_survey();
  std::vector<InvitationInput> rows{main_row("r1", "A"), main_row("r2", "A"), main_row("r1", "B")};
  EXPECT_EQ(error_id_of([&] { store.import_invitations("s1", rows); }),
            "invitation.duplicate_respondent");
  EXPECT_NE(error_message_of([&] { store.import_invitations("s1", rows); }).find("\"r1\""),
            std::string::npos);
  EXPECT_TRUE(store.progress("s1").strata.empty());
  EXPECT_EQ(count_rows(db(), "invitations"), 0);
}

TEST_P(StoreTest, ImportIsAllOrNothingWhenARespondentIsAlreadyInvited) {
  SurveyStore store = open_survey();
  store.import_invitations("s1", {main_row("r1", "A")});
  std::vector<InvitationInput> rows{main_row("r2", "A"), main_row("r3", "A"), main_row("r1", "A")};
  std::string message = error_message_of([&] { store.import_invitations("s1", rows); });
  EXPECT_NE(message.find("\"r1\""), std::string::npos) << message;
  EXPECT_EQ(error_id_of([&] { store.import_invitations("s1", rows); }),
            "invitation.duplicate_respondent");
  EXPECT_EQ(count_rows(db(), "invitations"), 1);
  EXPECT_EQ(count_rows(db(), "invitation_contacts"), 2);
  EXPECT_EQ(count_rows(db(), "invitation_attributes"), 2);
  // The same respondent in another survey is another invitation.
  store.create_survey("s2", questionnaire, "sipas", "2024");
  EXPECT_EQ(store.import_invitations("s2", {main_row("r1", "A")}).size(), 1u);
}

TEST_P(StoreTest, ImportErrorsHaveTheirIds) {
  SurveyStore store = open_survey();
  EXPECT_EQ(error_id_of([&] { store.import_invitations("nope", {main_row("r1", "A")}); }),
            "survey.not_found");
  auto bad = main_row("r1", "A");
  bad.inclusion_probability = 0;
  EXPECT_EQ(error_id_of([&] { store.import_invitations("s1", {bad}); }), "invitation.invalid");
  bad = main_row("r1", "A");
  bad.inclusion_probability = 1.5;
  EXPECT_EQ(error_id_of([&] { store.import_invitations("s1", {bad}); }), "invitation.invalid");
  bad = main_row("r1", "A");
  bad.design_weight = -1;
  EXPECT_EQ(error_id_of([&] { store.import_invitations("s1", {bad}); }), "invitation.invalid");
  bad = main_row("", "A");
  EXPECT_EQ(error_id_of([&] { store.import_invitations("s1", {bad}); }), "invitation.invalid");
  EXPECT_EQ(count_rows(db(), "invitations"), 0);
}

TEST_P(StoreTest, ReservesAreActivatedByRankThenImportOrder) {
  SurveyStore store = open_survey();
  store.import_invitations(
      "s1", {main_row("m1", "A"), reserve_row("x3", "A", 3), reserve_row("x1", "A", 1),
             reserve_row("y2", "A", 2), reserve_row("z2", "A", 2), reserve_row("b1", "B", 1),
             reserve_row("q1", "A", 1, "p2")});
  auto first = store.activate_reserves("s1", "A", std::nullopt, 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].respondent_id, "x1");
  EXPECT_EQ(first[1].respondent_id, "q1");  // rank 1, imported after x1
  EXPECT_TRUE(first[0].reserve);
  EXPECT_EQ(first[0].reserve_rank, 1);
  EXPECT_EQ(first[0].contacts, main_row("x1", "A").contacts);
  EXPECT_EQ(first[0].token.size(), 22u);
  auto found = store.find_invitation_by_token("s1", first[0].token);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->respondent_id, "x1");
  EXPECT_EQ(found->status, InvitationStatus::Pending);

  auto in_psu = store.activate_reserves("s1", "A", std::string_view("p1"), 1);
  ASSERT_EQ(in_psu.size(), 1u);
  EXPECT_EQ(in_psu[0].respondent_id, "y2");                          // rank 2, before z2
  auto rest = store.activate_reserves("s1", "A", std::nullopt, 10);  // fewer than asked
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].respondent_id, "z2");
  EXPECT_EQ(rest[1].respondent_id, "x3");
  EXPECT_EQ(error_id_of([&] { store.activate_reserves("s1", "A", std::nullopt, 1); }),
            "invitation.no_reserve");
  EXPECT_EQ(error_id_of([&] { store.activate_reserves("s1", "B", std::nullopt, 0); }),
            "invitation.invalid");
  EXPECT_EQ(error_id_of([&] { store.activate_reserves("nope", "B", std::nullopt, 1); }),
            "survey.not_found");
  // A stratum or PSU the survey does not have is not a shortage of reserves.
  EXPECT_EQ(error_id_of([&] { store.activate_reserves("s1", "Z", std::nullopt, 1); }),
            "invitation.unknown_stratum");
  EXPECT_EQ(error_id_of([&] { store.activate_reserves("s1", "B", std::string_view("p9"), 1); }),
            "invitation.unknown_psu");
  EXPECT_EQ(error_id_of([&] { store.activate_reserves("s1", "A", std::string_view("p2"), 1); }),
            "invitation.no_reserve");
  auto progress = store.progress("s1");
  EXPECT_EQ(progress.strata[0].invited, 6);
  EXPECT_EQ(progress.strata[0].reserves_waiting, 0);
  EXPECT_EQ(progress.strata[1].reserves_waiting, 1);
}

TEST_P(StoreTest, TokenLookupRefusesOtherSurveysMalformedAndUnknownTokens) {
  SurveyStore store = open_survey();
  store.create_survey("s2", questionnaire, "sipas", "2024");
  auto issued = store.import_invitations("s1", {main_row("r1", "A")});
  const std::string& token = issued[0].token;
  EXPECT_TRUE(store.find_invitation_by_token("s1", token));
  EXPECT_FALSE(store.find_invitation_by_token("s2", token));
  EXPECT_FALSE(store.find_invitation_by_token("s1", token.substr(1)));
  EXPECT_FALSE(store.find_invitation_by_token("s1", token + "A"));
  EXPECT_FALSE(store.find_invitation_by_token("s1", "' OR 1=1 --aaaaaaaaaaaa"));
  EXPECT_FALSE(store.find_invitation_by_token("s1", random_token()));
}

TEST_P(StoreTest, TheAnswersVersionMovesWithEveryAnswerAndEveryAuditedChange) {
  SurveyStore store = open_survey();
  store.create_survey("s2", questionnaire, "sipas", "2024");
  auto issued = store.import_invitations("s1", {main_row("r1", "A"), main_row("r2", "A")});
  const auto empty = store.answers_version("s1");
  const auto answer = store.insert_response(response_for("s1", issued[0].invitation, "sub-1"), 10);
  const auto one = store.answers_version("s1");
  EXPECT_NE(one, empty);
  EXPECT_EQ(store.answers_version("s1"), one) << "unchanged answers, the same version";
  // Another survey's answer and audit entry leave this one alone.
  store.append_audit({0, 11, "cli:test", "survey.open", std::string("s2"), std::nullopt,
                      std::nullopt, std::nullopt});
  EXPECT_EQ(store.answers_version("s1"), one);
  // A review is an audited change of this survey.
  store.set_review_state("s1", answer.response, ReviewState::Rejected);
  store.append_audit({0, 12, "cli:test", "response.review", std::string("s1"),
                      std::to_string(answer.response), std::nullopt, std::nullopt});
  const auto reviewed = store.answers_version("s1");
  EXPECT_NE(reviewed, one);
  store.insert_response(response_for("s1", issued[1].invitation, "sub-2"), 13);
  EXPECT_NE(store.answers_version("s1"), reviewed);
}

TEST_P(StoreTest, OpeningIsRecordedOnceAndStatusFollowsTheInvitation) {
  SurveyStore store = open_survey();
  auto issued = store.import_invitations("s1", {main_row("r1", "A"), main_row("r2", "A")});
  store.mark_opened(issued[0].invitation, 1000);
  store.mark_opened(issued[0].invitation, 2000);
  EXPECT_EQ(store.find_invitation_by_token("s1", issued[0].token)->status,
            InvitationStatus::Opened);
  auto raw = test::raw_connection(db());
  auto& opened = raw->statement("SELECT opened_at FROM invitations WHERE id = ?1");
  opened.bind(1, issued[0].invitation);
  ASSERT_TRUE(opened.step());
  EXPECT_EQ(opened.column_int64(0), 1000);
  EXPECT_EQ(error_id_of([&] { store.mark_opened(999999, 1000); }), "invitation.not_found");

  auto result = store.insert_response(response_for("s1", issued[0].invitation, "sub-1"), 3000);
  EXPECT_EQ(result.outcome, Outcome::Stored);
  EXPECT_EQ(store.find_invitation_by_token("s1", issued[0].token)->status,
            InvitationStatus::Responded);
  // Answered through the JSON API without opening the form: counted as opened.
  store.insert_response(response_for("s1", issued[1].invitation, "sub-2"), 3000);
  auto progress = store.progress("s1");
  ASSERT_EQ(progress.strata.size(), 1u);
  EXPECT_EQ(progress.strata[0].invited, 2);
  EXPECT_EQ(progress.strata[0].opened, 2);
  EXPECT_EQ(progress.strata[0].responded, 2);
}

// Progress by stratum counted from the rows themselves, as the store did before
// it kept counts (migration 3): the reference for the kept counts.
std::vector<StratumProgress> progress_by_scan(const std::filesystem::path& db,
                                              const std::string& survey) {
  auto raw = test::raw_connection(db);
  auto& query = raw->statement(
      "SELECT i.stratum, SUM(i.active), "
      "SUM(CASE WHEN i.active = 1 AND (i.opened_at IS NOT NULL OR r.seq IS NOT NULL) "
      "THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN i.active = 1 AND r.seq IS NOT NULL THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN i.reserve = 1 AND i.active = 0 THEN 1 ELSE 0 END) "
      "FROM invitations i LEFT JOIN responses r ON r.invitation = i.id "
      "WHERE i.survey = ?1 GROUP BY i.stratum ORDER BY i.stratum");
  query.bind(1, survey);
  std::vector<StratumProgress> out;
  while (query.step()) {
    out.push_back({query.column_text(0), query.column_int64(1), query.column_int64(2),
                   query.column_int64(3), query.column_int64(4)});
  }
  return out;
}

void expect_progress_as_counted(SurveyStore& store, const std::filesystem::path& db,
                                const std::string& survey, const std::string& when) {
  const auto kept = store.progress(survey).strata;
  const auto counted = progress_by_scan(db, survey);
  ASSERT_EQ(kept.size(), counted.size()) << when;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    SCOPED_TRACE(when + ", stratum " + counted[i].stratum);
    EXPECT_EQ(kept[i].stratum, counted[i].stratum);
    EXPECT_EQ(kept[i].invited, counted[i].invited);
    EXPECT_EQ(kept[i].opened, counted[i].opened);
    EXPECT_EQ(kept[i].responded, counted[i].responded);
    EXPECT_EQ(kept[i].reserves_waiting, counted[i].reserves_waiting);
  }
}

// Imports, reserve activations, openings and answers in a random order (and
// the changes no route makes, by hand): the kept counts are always what a
// count of the rows gives.
TEST_P(StoreTest, ProgressCountsFollowEveryChangeAsACountOfTheRowsWould) {
  SurveyStore store = open_survey();
  store.create_survey("s2", questionnaire, "sipas", "2024");
  std::mt19937 rng(20261203);
  const std::vector<std::string> strata = {"A", "B", "C"};
  std::vector<std::int64_t> active;
  std::vector<InvitationInput> rows;
  for (int i = 0; i < 90; ++i) {
    const auto& stratum = strata[static_cast<std::size_t>(i) % strata.size()];
    rows.push_back(i % 3 == 2 ? reserve_row("r" + std::to_string(i), stratum, i)
                              : main_row("m" + std::to_string(i), stratum));
  }
  for (const auto& issued : store.import_invitations("s1", rows))
    active.push_back(issued.invitation);
  store.import_invitations("s2", {main_row("other", "A")});  // another survey's counts stay apart
  expect_progress_as_counted(store, db(), "s1", "after the import");

  int submissions = 0, stored = 0;
  for (int step = 0; step < 400; ++step) {
    const int what = std::uniform_int_distribution<int>(0, 9)(rng);
    const auto any = [&] {
      return active[std::uniform_int_distribution<std::size_t>(0, active.size() - 1)(rng)];
    };
    if (what < 3) {
      store.mark_opened(any(), 1000 + step);
    } else if (what < 7) {
      const auto result = store.insert_response(
          response_for("s1", any(), "sub-" + std::to_string(submissions++)), 2000 + step);
      stored += result.outcome == Outcome::Stored ? 1 : 0;
    } else if (what < 8) {
      store.insert_response(response_for("s1", std::nullopt, "open-" + std::to_string(step)),
                            3000 + step);
    } else if (what < 9) {
      try {
        for (const auto& issued : store.activate_reserves(
                 "s1", strata[std::uniform_int_distribution<std::size_t>(0, 2)(rng)], std::nullopt,
                 2))
          active.push_back(issued.invitation);
      } catch (const StoreError& error) {
        EXPECT_EQ(error.id(), "invitation.no_reserve");
      }
    }
    if (step % 25 == 24)
      expect_progress_as_counted(store, db(), "s1", "step " + std::to_string(step));
  }
  EXPECT_GT(stored, 20) << "the random walk answered too few invitations to test anything";
  expect_progress_as_counted(store, db(), "s2", "the other survey");
  EXPECT_EQ(store.progress("s2").strata.at(0).invited, 1);

  // What no route does, done by hand: the triggers keep the counts anyway.
  {
    auto raw = test::raw_connection(db());
    raw->exec(
        "UPDATE invitations SET stratum = 'D' WHERE id IN "
        "(SELECT invitation FROM responses WHERE invitation IS NOT NULL LIMIT 3)");
    raw->exec(
        "UPDATE invitations SET active = 0, opened_at = NULL WHERE id = "
        "(SELECT invitation FROM responses WHERE invitation IS NOT NULL "
        "ORDER BY seq DESC LIMIT 1)");
    raw->exec(
        "DELETE FROM responses WHERE seq = (SELECT MIN(seq) FROM responses "
        "WHERE invitation IS NOT NULL)");
    raw->exec(
        "UPDATE responses SET invitation = NULL WHERE seq = (SELECT MAX(seq) FROM responses "
        "WHERE invitation IS NOT NULL)");
    raw->exec(
        "DELETE FROM drafts; DELETE FROM invitation_attributes; "
        "DELETE FROM invitation_contacts; DELETE FROM invitations WHERE id NOT IN "
        "(SELECT invitation FROM responses WHERE invitation IS NOT NULL) AND id % 2 = 0");
  }
  expect_progress_as_counted(store, db(), "s1", "after changes by hand");
  std::int64_t open_link = 0;
  {
    auto raw = test::raw_connection(db());
    auto& count = raw->statement(
        "SELECT COUNT(*) FROM responses WHERE survey = 's1' AND "
        "invitation IS NULL");
    count.step();
    open_link = count.column_int64(0);
  }
  EXPECT_EQ(store.progress("s1").open_link_responses, open_link);
  EXPECT_EQ(store.integrity_check(), "ok");
}

// --------------------------------------------------------------------------
// Drafts

TEST_P(StoreTest, DraftsAreReplacedOnSaveAndRemovedByTheResponse) {
  SurveyStore store = open_survey();
  auto issued = store.import_invitations("s1", {main_row("r1", "A"), reserve_row("x1", "A", 1)});
  std::int64_t invitation = issued[0].invitation;
  EXPECT_FALSE(store.load_draft(invitation));
  store.save_draft(invitation, R"({"q1": 1})", 100);
  store.save_draft(invitation, R"({"q1": 2})", 200);
  EXPECT_EQ(store.load_draft(invitation)->answers_json, R"({"q1": 2})");
  EXPECT_EQ(store.load_draft(invitation)->page, 0);
  EXPECT_EQ(count_rows(db(), "drafts"), 1);
  // The page reached is kept until a save names another.
  store.save_draft(invitation, R"({"q1": 3})", 210, 2);
  store.save_draft(invitation, R"({"q1": 4})", 220);
  EXPECT_EQ(store.load_draft(invitation)->page, 2);
  EXPECT_EQ(store.load_draft(invitation)->answers_json, R"({"q1": 4})");
  store.save_draft(invitation, R"({"q1": 4})", 230, 1);
  EXPECT_EQ(store.load_draft(invitation)->page, 1);

  EXPECT_EQ(store.insert_response(response_for("s1", invitation, "sub-1"), 300).outcome,
            Outcome::Stored);
  EXPECT_FALSE(store.load_draft(invitation));
  EXPECT_EQ(error_id_of([&] { store.save_draft(invitation, "{}", 400); }),
            "invitation.already_responded");
  EXPECT_EQ(error_id_of([&] { store.save_draft(999999, "{}", 400); }), "invitation.not_found");
  auto raw = test::raw_connection(db());
  auto& reserve = raw->statement("SELECT id FROM invitations WHERE respondent_id = 'x1'");
  ASSERT_TRUE(reserve.step());
  std::int64_t reserve_id = reserve.column_int64(0);
  EXPECT_EQ(error_id_of([&] { store.save_draft(reserve_id, "{}", 400); }), "invitation.inactive");
}

// --------------------------------------------------------------------------
// Responses

TEST_P(StoreTest, ResponseOutcomesChangeNothingUnlessStored) {
  SurveyStore store(db());
  store.create_survey("s1", questionnaire, "sipas", "2024", true);
  auto issued = store.import_invitations(
      "s1", {main_row("r1", "A"), main_row("r2", "A"), reserve_row("x1", "A", 1)});
  std::int64_t r1 = issued[0].invitation, r2 = issued[1].invitation;
  auto raw = test::raw_connection(db());
  auto& reserve = raw->statement("SELECT id FROM invitations WHERE respondent_id = 'x1'");
  ASSERT_TRUE(reserve.step());
  std::int64_t x1 = reserve.column_int64(0);
  reserve.reset();

  // A draft survey takes no answers.
  EXPECT_EQ(store.insert_response(response_for("s1", r1, "a"), 10).outcome, Outcome::SurveyNotOpen);
  store.set_survey_state("s1", SurveyState::Open);

  SubmitResult first = store.insert_response(response_for("s1", r1, "a"), 20);
  EXPECT_EQ(first.outcome, Outcome::Stored);
  EXPECT_GT(first.response, 0);
  EXPECT_EQ(first.received_at, 20);

  // The same submission again: the first result, however often.
  SubmitResult again = store.insert_response(response_for("s1", r1, "a"), 30);
  EXPECT_EQ(again.outcome, Outcome::Repeated);
  EXPECT_EQ(again.response, first.response);
  EXPECT_EQ(again.received_at, 20);

  // Another submission for an answered invitation.
  SubmitResult other = store.insert_response(response_for("s1", r1, "b"), 40);
  EXPECT_EQ(other.outcome, Outcome::AlreadyResponded);
  EXPECT_EQ(other.response, first.response);

  EXPECT_EQ(store.insert_response(response_for("s1", x1, "c"), 50).outcome,
            Outcome::InvitationInactive);

  // A submission id reused for another respondent is a client bug, not a repeat.
  EXPECT_EQ(error_id_of([&] { store.insert_response(response_for("s1", r2, "a"), 60); }),
            "response.submission_conflict");
  EXPECT_EQ(error_id_of([&] { store.insert_response(response_for("s1", std::nullopt, "a"), 60); }),
            "response.submission_conflict");

  // Open link: no invitation.
  SubmitResult open_link = store.insert_response(response_for("s1", std::nullopt, "k1"), 70);
  EXPECT_EQ(open_link.outcome, Outcome::Stored);
  EXPECT_GT(open_link.response, first.response);
  EXPECT_EQ(store.insert_response(response_for("s1", std::nullopt, "k1"), 80).outcome,
            Outcome::Repeated);

  store.set_survey_state("s1", SurveyState::Closed);
  EXPECT_EQ(store.insert_response(response_for("s1", r2, "d"), 90).outcome, Outcome::SurveyNotOpen);
  // A retry after the close still gets its first result.
  SubmitResult late_retry = store.insert_response(response_for("s1", r1, "a"), 100);
  EXPECT_EQ(late_retry.outcome, Outcome::Repeated);
  EXPECT_EQ(late_retry.response, first.response);

  EXPECT_EQ(count_rows(db(), "responses"), 2);
}

TEST_P(StoreTest, ResponseErrorsHaveTheirIds) {
  SurveyStore store = open_survey();
  store.create_survey("s2", questionnaire, "sipas", "2024");
  store.set_survey_state("s2", SurveyState::Open);
  auto issued = store.import_invitations("s2", {main_row("r1", "A")});
  EXPECT_EQ(error_id_of([&] { store.insert_response(response_for("nope", std::nullopt, "a"), 1); }),
            "survey.not_found");
  EXPECT_EQ(
      error_id_of([&] { store.insert_response(response_for("s1", issued[0].invitation, "a"), 1); }),
      "invitation.not_found");
  EXPECT_EQ(error_id_of([&] { store.insert_response(response_for("s1", 999999, "a"), 1); }),
            "invitation.not_found");
  EXPECT_EQ(error_id_of([&] { store.insert_response(response_for("s1", std::nullopt, ""), 1); }),
            "response.bad_submission_id");
  EXPECT_EQ(error_id_of([&] {
              store.insert_response(response_for("s1", std::nullopt, std::string(129, 'a')), 1);
            }),
            "response.bad_submission_id");
  EXPECT_EQ(count_rows(db(), "responses"), 0);
}

// Issue 15: a survey with invitations took token-less answers through the
// open link (ballot stuffing). The link is a setting, off by default, and
// the store refuses such an answer itself, under the write lock, so that a
// request checked before the link was turned off stores nothing either.
TEST_P(StoreTest, OpenLinkIsOffByDefaultAndATokenLessAnswerThenChangesNothing) {
  SurveyStore store(db());
  store.create_survey("s1", questionnaire, "sipas", "2024");
  store.set_survey_state("s1", SurveyState::Open);
  auto issued = store.import_invitations("s1", {main_row("r1", "A")});
  ASSERT_EQ(store.find_survey_access("s1")->open_link, false);
  EXPECT_EQ(store.find_survey_access("s1")->state, SurveyState::Open);
  EXPECT_FALSE(store.find_survey_access("nope"));

  EXPECT_EQ(store.insert_response(response_for("s1", std::nullopt, "o1"), 10).outcome,
            Outcome::InvitationRequired);
  EXPECT_EQ(count_rows(db(), "responses"), 0);
  EXPECT_EQ(store.insert_response(response_for("s1", issued[0].invitation, "t1"), 10).outcome,
            Outcome::Stored);

  auto on = store.set_open_link("s1", true);
  EXPECT_TRUE(on.open_link);
  EXPECT_TRUE(store.find_survey("s1")->open_link);
  EXPECT_TRUE(store.find_survey_access("s1")->open_link);
  const auto stored = store.insert_response(response_for("s1", std::nullopt, "o1"), 20);
  EXPECT_EQ(stored.outcome, Outcome::Stored);

  EXPECT_FALSE(store.set_open_link("s1", false).open_link);
  // A retry of the stored one still gets its first result; a new one is refused.
  auto retry = store.insert_response(response_for("s1", std::nullopt, "o1"), 30);
  EXPECT_EQ(retry.outcome, Outcome::Repeated);
  EXPECT_EQ(retry.response, stored.response);
  EXPECT_EQ(store.insert_response(response_for("s1", std::nullopt, "o2"), 30).outcome,
            Outcome::InvitationRequired);
  EXPECT_EQ(error_id_of([&] { store.set_open_link("nope", true); }), "survey.not_found");

  // The export says which came through the open link.
  auto rows = store.export_responses("s1", 0, 10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[0].open_link);
  EXPECT_EQ(rows[0].stratum, "A");
  EXPECT_TRUE(rows[1].open_link);
  EXPECT_FALSE(rows[1].stratum);
  EXPECT_EQ(store.list_surveys()[0].open_link, false);

  SurveyStore other(db());
  other.create_survey("kiosk", questionnaire, "sipas", "2024", true);
  EXPECT_TRUE(other.find_survey("kiosk")->open_link);
}

// Issue 15: "no reserve left" for a stratum that is not in the survey sent
// the manager looking for reserves instead of for the typo.
TEST_P(StoreTest, ActivatingReservesOfAnUnknownStratumNamesTheKnownOnes) {
  SurveyStore store = open_survey();
  EXPECT_EQ(error_message_of([&] { store.activate_reserves("s1", "A", std::nullopt, 1); }),
            "survey \"s1\" has no stratum \"A\": it has no invitations yet; import the sample "
            "first");
  std::vector<InvitationInput> rows;
  for (int i = 0; i < 25; ++i) {
    char stratum[8];
    std::snprintf(stratum, sizeof stratum, "D%02d", i);
    rows.push_back(main_row("m" + std::to_string(i), stratum));
  }
  rows.push_back(reserve_row("x1", "D00", 1));
  store.import_invitations("s1", rows);
  const std::string message =
      error_message_of([&] { store.activate_reserves("s1", "D0", std::nullopt, 1); });
  EXPECT_EQ(message.substr(0, message.find(';')), "survey \"s1\" has no stratum \"D0\"");
  EXPECT_NE(message.find("its strata are \"D00\", \"D01\""), std::string::npos) << message;
  EXPECT_NE(message.find("\"D19\" and 5 more"), std::string::npos) << message;
  EXPECT_EQ(message.find("D20"), std::string::npos) << message;
  EXPECT_NE(error_message_of([&] {
              store.activate_reserves("s1", "D00", "p7", 1);
            }).find("has no PSU \"p7\" in stratum \"D00\"; its PSUs there are \"p1\""),
            std::string::npos);
  // A known stratum without reserves is still "no reserve left".
  EXPECT_EQ(error_id_of([&] { store.activate_reserves("s1", "D01", std::nullopt, 1); }),
            "invitation.no_reserve");
  EXPECT_EQ(store.activate_reserves("s1", "D00", std::nullopt, 1).size(), 1u);
}

// Eight connections (as eight processes would have) race one invitation:
// BEGIN IMMEDIATE and the UNIQUE constraint let exactly one through.
TEST_P(StoreTest, OneInvitationRacedFromEightConnectionsStoresOneResponse) {
  std::int64_t invitation = 0;
  {
    SurveyStore store = open_survey();
    invitation = store.import_invitations("s1", {main_row("r1", "A")})[0].invitation;
  }
  constexpr int racers = 8;
  std::vector<SubmitResult> results(racers);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < racers; ++i) {
    threads.emplace_back([&, i] {
      SurveyStore store(db());
      ready.fetch_add(1);
      while (ready.load() < racers)
        std::this_thread::yield();
      results[static_cast<std::size_t>(i)] =
          store.insert_response(response_for("s1", invitation, "racer-" + std::to_string(i)), 1);
    });
  }
  for (auto& thread : threads)
    thread.join();
  auto stored = std::count_if(results.begin(), results.end(),
                              [](const SubmitResult& r) { return r.outcome == Outcome::Stored; });
  auto refused = std::count_if(results.begin(), results.end(), [](const SubmitResult& r) {
    return r.outcome == Outcome::AlreadyResponded;
  });
  EXPECT_EQ(stored, 1);
  EXPECT_EQ(refused, racers - 1);
  EXPECT_EQ(count_rows(db(), "responses"), 1);
}

TEST_P(StoreTest, ExportCarriesTheDesignButNeverTheContacts) {
  SurveyStore store = open_survey();
  auto issued = store.import_invitations("s1", {main_row("r1", "A", "p7"), main_row("r2", "B")});
  store.insert_response(response_for("s1", issued[0].invitation, "a"), 10);
  store.insert_response(response_for("s1", std::nullopt, "b"), 20);
  store.insert_response(response_for("s1", issued[1].invitation, "c"), 30);

  // The invitations' answers in the sample's order, then the open-link one.
  auto all = store.export_responses("s1", 0, 100);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_LT(all[0].seq, all[2].seq);
  EXPECT_LT(all[2].seq, all[1].seq);
  EXPECT_EQ(all[0].submission_id, "a");
  EXPECT_EQ(all[1].submission_id, "c");
  EXPECT_EQ(all[2].submission_id, "b");
  EXPECT_EQ(all[0].language, "vi");
  EXPECT_EQ(all[0].answers_json, R"({"q1": 5})");
  EXPECT_EQ(all[0].received_at, 10);
  EXPECT_EQ(all[0].review, ReviewState::Received);
  EXPECT_EQ(all[0].respondent_id, "r1");
  EXPECT_EQ(all[0].stratum, "A");
  EXPECT_EQ(all[0].psu, "p7");
  EXPECT_EQ(all[0].inclusion_probability, 0.25);
  EXPECT_EQ(all[0].design_weight, 4);
  EXPECT_EQ(all[0].attributes, main_row("r1", "A").attributes);
  EXPECT_FALSE(all[2].respondent_id);
  EXPECT_FALSE(all[2].stratum);
  EXPECT_FALSE(all[2].design_weight);
  EXPECT_TRUE(all[2].attributes.empty());

  for (const auto& row : all) {
    std::string everything = row.submission_id + row.language + row.answers_json +
                             row.respondent_id.value_or("") + row.stratum.value_or("") +
                             row.psu.value_or("");
    for (const auto& [name, value] : row.attributes)
      everything += name + value;
    EXPECT_EQ(everything.find("@example.vn"), std::string::npos);
    EXPECT_EQ(everything.find("+84-90-"), std::string::npos);
    EXPECT_EQ(everything.find("email"), std::string::npos);
  }

  // A page is the next responses in order of arrival (seq is the cursor).
  auto page = store.export_responses("s1", all[0].seq, 1);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].seq, all[2].seq);
  EXPECT_TRUE(store.export_responses("s1", all[1].seq, 100).empty());
  EXPECT_TRUE(store.export_responses("s1", 0, 0).empty());
  EXPECT_EQ(error_id_of([&] { store.export_responses("nope", 0, 10); }), "survey.not_found");
  EXPECT_EQ(error_id_of([&] { store.progress("nope"); }), "survey.not_found");
  EXPECT_EQ(store.progress("s1").open_link_responses, 1);
}

// Issue 17, audit replay: the same answers give the same export however they
// arrived. Two stores get the same sample and the same answers (four through
// invitations, three through the open link), submitted in two different
// orders at different times; their CSV exports are the same bytes apart from
// the two columns that record the arrival itself: `received_at` (when) and
// `seq` (the server's arrival counter, which is the export cursor and the id
// a review names).
TEST_P(StoreTest, ExportOrderDoesNotDependOnArrival) {
  const auto form = test::load(
      test::form_with({{{"id", "q1"}, {"type", "integer"}, {"text", test::text("Số")}}}));
  auto exported = [&](const std::string& name, const std::vector<int>& order) {
    SurveyStore store(dir_ / name);
    store.create_survey("s1", questionnaire, "sipas", "2024", true);
    store.set_survey_state("s1", SurveyState::Open);
    auto issued = store.import_invitations(
        "s1", {main_row("r1", "A", "p1"), main_row("r2", "A", "p2"), main_row("r3", "B", "p3"),
               main_row("r4", "B", "p4"), main_row("r5", "B", "p5")});
    // 0-3: the invitations of r4, r1, r3, r2; 4-6: open-link answers.
    const std::vector<std::pair<std::optional<std::int64_t>, std::string>> answers = {
        {issued[3].invitation, "sub-r4"}, {issued[0].invitation, "sub-r1"},
        {issued[2].invitation, "sub-r3"}, {issued[1].invitation, "sub-r2"},
        {std::nullopt, "open-z"},         {std::nullopt, "open-a"},
        {std::nullopt, "open-m"}};
    auto at = static_cast<Timestamp>(name.size() * 1000);
    for (const int k : order) {
      auto response = response_for("s1", answers[k].first, answers[k].second);
      response.answers_json = R"({"answers": {"q1": )" + std::to_string(k) + "}}";
      EXPECT_EQ(store.insert_response(response, at += 7).outcome, Outcome::Stored);
    }
    return app::responses_csv(form, store.export_responses("s1", 0, 100));
  };
  const std::string first = exported("first.db", {0, 1, 2, 3, 4, 5, 6});
  const std::string second = exported("second-run.db", {6, 3, 4, 0, 2, 5, 1});
  // seq and received_at are the first and third columns.
  auto masked = [](const std::string& csv) {
    std::string out;
    std::istringstream lines(csv);
    for (std::string line; std::getline(lines, line);) {
      const auto one = line.find(',');
      const auto two = line.find(',', one + 1);
      const auto three = line.find(',', two + 1);
      out += "*," + line.substr(one + 1, two - one) + "*" + line.substr(three) + "\n";
    }
    return out;
  };
  EXPECT_NE(first, second);  // the arrival records differ
  EXPECT_EQ(masked(first), masked(second));
  // By the sample's order, then the open link by submission id.
  std::vector<std::string> submissions;
  std::istringstream lines(masked(first));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line))
    submissions.push_back(line.substr(2, line.find(',', 2) - 2));
  EXPECT_EQ(submissions, (std::vector<std::string>{"sub-r1", "sub-r2", "sub-r3", "sub-r4", "open-a",
                                                   "open-m", "open-z"}));
}

TEST_P(StoreTest, ReviewsAreChangedButNotUndone) {
  SurveyStore store = open_survey();
  store.create_survey("s2", questionnaire, "sipas", "2024");
  auto stored = store.insert_response(response_for("s1", std::nullopt, "a"), 10);
  store.set_review_state("s1", stored.response, ReviewState::Received);  // no change
  store.set_review_state("s1", stored.response, ReviewState::Approved);
  EXPECT_EQ(store.export_responses("s1", 0, 10)[0].review, ReviewState::Approved);
  store.set_review_state("s1", stored.response, ReviewState::Rejected);
  EXPECT_EQ(store.export_responses("s1", 0, 10)[0].review, ReviewState::Rejected);
  EXPECT_EQ(
      error_id_of([&] { store.set_review_state("s1", stored.response, ReviewState::Received); }),
      "review.bad_state");
  EXPECT_EQ(
      error_id_of([&] { store.set_review_state("s2", stored.response, ReviewState::Approved); }),
      "response.not_found");
  EXPECT_EQ(error_id_of([&] { store.set_review_state("s1", 999, ReviewState::Approved); }),
            "response.not_found");
}

// The console's invitation list (issue 22): a page in import order, the
// count of all, and a unit's strata with those of the units below it.
TEST_P(StoreTest, InvitationsAreListedAPageAtATimeAndByUnit) {
  SurveyStore store = open_survey();
  store.upsert_units({{"HN", "Hà Nội", "province", std::nullopt},
                      {"HN.BD", "Ba Đình", "ward", std::string("HN")},
                      {"HN.BD.1", "Tổ 1", "group", std::string("HN.BD")},
                      {"HN.HK", "Hoàn Kiếm", "ward", std::string("HN")}});
  const auto issued = store.import_invitations(
      "s1", {main_row("a1", "HN.BD"), main_row("h1", "HN.HK"), main_row("a2", "HN.BD.1"),
             main_row("x1", "OTHER"), reserve_row("a3", "HN.BD", 2)});
  store.mark_opened(issued[1].invitation, 10);
  const auto stored = store.insert_response(response_for("s1", issued[0].invitation, "a"), 20);
  store.set_review_state("s1", stored.response, ReviewState::Approved);

  auto ids = [](const InvitationListing& listing) {
    std::vector<std::string> out;
    for (const auto& row : listing.rows)
      out.push_back(row.respondent_id);
    return out;
  };
  using Ids = std::vector<std::string>;
  const auto all = store.list_invitations("s1", std::nullopt, 0, 100);
  EXPECT_EQ(all.total, 5);
  EXPECT_EQ(ids(all), (Ids{"a1", "h1", "a2", "x1", "a3"}));
  EXPECT_EQ(all.rows[0].status, InvitationStatus::Responded);
  EXPECT_EQ(all.rows[0].review, ReviewState::Approved);
  EXPECT_EQ(all.rows[1].status, InvitationStatus::Opened);
  EXPECT_FALSE(all.rows[1].review);
  EXPECT_EQ(all.rows[2].status, InvitationStatus::Pending);
  EXPECT_EQ(all.rows[4].status, InvitationStatus::Inactive);
  EXPECT_TRUE(all.rows[4].reserve);
  EXPECT_EQ(all.rows[4].reserve_rank, 2);
  EXPECT_EQ(all.rows[2].psu, "p1");
  EXPECT_TRUE(all.rows[0].attributes.empty());  // never read here
  const auto page = store.list_invitations("s1", std::nullopt, 1, 2);
  EXPECT_EQ(page.total, 5);
  EXPECT_EQ(ids(page), (Ids{"h1", "a2"}));
  EXPECT_TRUE(store.list_invitations("s1", std::nullopt, 5, 2).rows.empty());
  EXPECT_TRUE(store.list_invitations("s1", std::nullopt, 0, 0).rows.empty());

  const auto ba_dinh = store.list_invitations("s1", "HN.BD", 0, 100);
  EXPECT_EQ(ba_dinh.total, 3);
  EXPECT_EQ(ids(ba_dinh), (Ids{"a1", "a2", "a3"}));
  EXPECT_EQ(ids(store.list_invitations("s1", "HN.BD", 1, 1)), Ids{"a2"});
  EXPECT_EQ(store.list_invitations("s1", "HN.BD", 1, 1).total, 3);
  EXPECT_EQ(ids(store.list_invitations("s1", "HN", 0, 100)), (Ids{"a1", "h1", "a2", "a3"}));
  EXPECT_EQ(store.list_invitations("s1", "nowhere", 0, 100).total, 0);
  EXPECT_EQ(error_id_of([&] { store.list_invitations("nope", std::nullopt, 0, 10); }),
            "survey.not_found");
}

// --------------------------------------------------------------------------
// The audit trail

AuditEntry audit_entry(Timestamp at, const std::string& actor, const std::string& action,
                       std::optional<std::string> survey, std::optional<std::string> subject) {
  AuditEntry entry;
  entry.at = at;
  entry.actor = actor;
  entry.action = action;
  entry.survey = std::move(survey);
  entry.subject = std::move(subject);
  return entry;
}

std::vector<std::int64_t> times_of(const std::vector<AuditEntry>& entries) {
  std::vector<std::int64_t> out;
  for (const auto& e : entries)
    out.push_back(e.at);
  return out;
}

// The console's filters (issue 22): each alone and together, the period
// from inclusive to exclusive, newest first, the cursor and the limit.
TEST_P(StoreTest, TheAuditTrailIsFilteredByActorSubjectActionAndTime) {
  SurveyStore store(db());
  store.append_audit(audit_entry(100, "user:anna", "response.review", "s1", "7"));
  store.append_audit(audit_entry(200, "cli:root", "survey.open", "s1", std::nullopt));
  store.append_audit(audit_entry(300, "user:anna", "invitation.reissue", "s1", "7"));
  store.append_audit(audit_entry(400, "user:binh", "response.review", "s2", "7"));
  store.append_audit(audit_entry(500, "user:anna", "response.review", "s1", "8"));
  auto entry = audit_entry(600, "user:anna", "response.review", "s1", "7");
  entry.note = "thiếu câu trả lời / answers missing";
  store.append_audit(entry);

  using Times = std::vector<std::int64_t>;
  EXPECT_EQ(times_of(store.read_audit({})), (Times{100, 200, 300, 400, 500, 600}));
  EXPECT_EQ(times_of(store.read_audit({.actor = "user:anna"})), (Times{100, 300, 500, 600}));
  EXPECT_EQ(times_of(store.read_audit({.actor = "user:ann"})), Times{});  // exact
  EXPECT_EQ(times_of(store.read_audit({.subject = "7"})), (Times{100, 300, 400, 600}));
  EXPECT_EQ(times_of(store.read_audit({.action = "response.review"})), (Times{100, 400, 500, 600}));
  EXPECT_EQ(times_of(store.read_audit({.from = 200, .to = 500})), (Times{200, 300, 400}));
  EXPECT_EQ(times_of(store.read_audit({.from = 201})), (Times{300, 400, 500, 600}));
  EXPECT_EQ(times_of(store.read_audit({.to = 200})), Times{100});
  // All together: one response's reviews in one survey, as review_history asks.
  EXPECT_EQ(
      times_of(store.read_audit({.survey = "s1", .subject = "7", .action = "response.review"})),
      (Times{100, 600}));
  EXPECT_EQ(times_of(store.read_audit({.survey = "s1",
                                       .actor = "user:anna",
                                       .subject = "7",
                                       .action = "response.review",
                                       .from = 100,
                                       .to = 601})),
            (Times{100, 600}));
  // Newest first, the newest `limit`; the cursor and the limit as before.
  EXPECT_EQ(times_of(store.read_audit({.actor = "user:anna", .limit = 2, .newest_first = true})),
            (Times{600, 500}));
  const auto all = store.read_audit({});
  EXPECT_EQ(times_of(store.read_audit({.since = all[3].seq})), (Times{500, 600}));
  EXPECT_EQ(times_of(store.read_audit({.since = all[3].seq, .newest_first = true})),
            (Times{600, 500}));
  EXPECT_EQ(times_of(store.read_audit({.limit = 2})), (Times{100, 200}));
  EXPECT_TRUE(store.read_audit({.limit = 0}).empty());
  // The note is kept; the others have none.
  EXPECT_EQ(all[5].note, "thiếu câu trả lời / answers missing");
  EXPECT_FALSE(all[0].note);
  // A value that looks like SQL is a value.
  EXPECT_TRUE(store.read_audit({.actor = "x' OR '1'='1"}).empty());
  EXPECT_EQ(store.read_audit({}).size(), 6u);
}

// The note came with schema 8: the trail stays append-only, the note too.
TEST_P(StoreTest, TheAuditNoteCannotBeChangedAfterwards) {
  SurveyStore store(db());
  auto entry = audit_entry(100, "user:anna", "response.review", "s1", "7");
  entry.note = "first words";
  store.append_audit(entry);
  auto raw = test::raw_connection(db());
  EXPECT_THROW(raw->exec("UPDATE audit_log SET note = 'other words'"), Error);
  EXPECT_THROW(raw->exec("DELETE FROM audit_log"), Error);
  EXPECT_EQ(store.read_audit({}).at(0).note, "first words");
}

// --------------------------------------------------------------------------
// API keys and tokens

// The demo's tokens (issue 17): a seeded source gives the same tokens in the
// same order in every run, of a token's syntax, never starting with '-'; a
// store given it issues them (imports and activated reserves), and finds the
// invitation by them as by random ones.
TEST_P(StoreTest, ASeededTokenSourceGivesTheSameTokensInEveryRun) {
  auto draw = [](const std::string& seed, std::size_t bytes) {
    auto source = seeded_token_source(seed);
    std::vector<std::string> out;
    for (int i = 0; i < 200; ++i)
      out.push_back(source(bytes));
    return out;
  };
  const auto tokens = draw("demo 1", token_bytes);
  EXPECT_EQ(tokens, draw("demo 1", token_bytes));
  EXPECT_NE(tokens, draw("demo 2", token_bytes));
  EXPECT_EQ(std::set<std::string>(tokens.begin(), tokens.end()).size(), tokens.size());
  for (const auto& token : tokens) {
    EXPECT_TRUE(is_token_syntax(token)) << token;
    EXPECT_NE(token.front(), '-') << token;
  }
  const auto keys = draw("demo 1 key", api_key_bytes);
  EXPECT_TRUE(is_api_key_syntax(keys[0]));
  EXPECT_EQ(keys[0].size(), base64url_length(api_key_bytes));

  SurveyStore::Options options;
  options.token_source = seeded_token_source("demo 1");
  SurveyStore store(db(), options);
  store.create_survey("s1", questionnaire, "sipas", "2024");
  auto issued = store.import_invitations(
      "s1", {main_row("r1", "A"), main_row("r2", "A"), reserve_row("r3", "A", 1)});
  ASSERT_EQ(issued.size(), 2u);  // the reserve waits without a token
  EXPECT_EQ(issued[0].token, tokens[0]);
  EXPECT_EQ(issued[1].token, tokens[1]);
  auto reserves = store.activate_reserves("s1", "A", std::nullopt, 1);
  ASSERT_EQ(reserves.size(), 1u);
  EXPECT_EQ(reserves[0].token, tokens[2]);
  ASSERT_TRUE(store.find_invitation_by_token("s1", tokens[1]));
  EXPECT_EQ(store.find_invitation_by_token("s1", tokens[1])->respondent_id, "r2");
}

TEST_P(StoreTest, ApiKeysAreFoundByHashAndStoredOnlyAsHashes) {
  std::string manager, analyst;
  {
    SurveyStore store(db());
    manager = store.create_api_key("desk", Role::Manager);
    analyst = store.create_api_key("stats", Role::Analyst);
    EXPECT_EQ(manager.size(), 43u);
    auto found = store.find_api_key(manager);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->name, "desk");
    EXPECT_EQ(found->role, Role::Manager);
    EXPECT_EQ(store.find_api_key(analyst)->role, Role::Analyst);
    EXPECT_FALSE(store.find_api_key(manager.substr(1)));
    EXPECT_FALSE(store.find_api_key(random_token(api_key_bytes)));
    EXPECT_FALSE(store.find_api_key(""));
    EXPECT_EQ(error_id_of([&] { store.create_api_key("", Role::Manager); }), "key.invalid");
  }
  std::string bytes = stored_bytes(db());
  EXPECT_EQ(bytes.find(manager), std::string::npos);
  EXPECT_EQ(bytes.find(analyst), std::string::npos);
  EXPECT_NE(bytes.find(hash_secret(manager)), std::string::npos);
}

// The console's list and revocation (issue 22): a revoked key is found no
// more, but stays listed with the time it was revoked.
TEST_P(StoreTest, ARevokedApiKeyIsListedButNoLongerFound) {
  SurveyStore store(db());
  const std::string desk = store.create_api_key("desk", Role::Manager);
  const std::string stats = store.create_api_key("stats", Role::Analyst);
  auto keys = store.list_api_keys();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].name, "desk");
  EXPECT_EQ(keys[0].role, Role::Manager);
  EXPECT_EQ(keys[1].name, "stats");
  EXPECT_GT(keys[0].created_at, 1'700'000'000);
  EXPECT_FALSE(keys[0].revoked_at);

  const auto before = store.revoke_api_key(keys[0].id);
  EXPECT_EQ(before.name, "desk");
  EXPECT_FALSE(before.revoked_at);
  EXPECT_FALSE(store.find_api_key(desk));
  ASSERT_TRUE(store.find_api_key(stats));
  keys = store.list_api_keys();
  ASSERT_TRUE(keys[0].revoked_at);
  EXPECT_GE(*keys[0].revoked_at, keys[0].created_at);
  EXPECT_FALSE(keys[1].revoked_at);
  // Again: nothing changes, the first time stays.
  const auto again = store.revoke_api_key(keys[0].id);
  EXPECT_EQ(again.revoked_at, keys[0].revoked_at);
  EXPECT_EQ(store.list_api_keys()[0].revoked_at, keys[0].revoked_at);

  EXPECT_EQ(error_id_of([&] { store.revoke_api_key(999); }), "key.not_found");
  EXPECT_NE(error_message_of([&] { store.revoke_api_key(999); }).find("999"), std::string::npos);
}

// A lost link (issue 22): a new token, the old one refused at once, the
// draft kept; only an active, unanswered invitation of the survey.
TEST_P(StoreTest, AReissuedLinkReplacesTheOldTokenAtOnce) {
  SurveyStore store = open_survey();
  store.create_survey("s2", questionnaire, "sipas", "2024");
  const auto issued = store.import_invitations(
      "s1", {main_row("r1", "A"), main_row("r2", "A"), reserve_row("r3", "A", 1)});
  ASSERT_EQ(issued.size(), 2u);
  store.save_draft(issued[0].invitation, R"({"q1": 4})", 100, 2);

  const auto again = store.reissue_invitation("s1", "r1");
  EXPECT_EQ(again.invitation, issued[0].invitation);
  EXPECT_EQ(again.respondent_id, "r1");
  EXPECT_EQ(again.stratum, "A");
  EXPECT_EQ(again.psu, "p1");
  EXPECT_FALSE(again.reserve);
  EXPECT_TRUE(is_token_syntax(again.token));
  EXPECT_NE(again.token, issued[0].token);
  EXPECT_EQ(again.contacts, main_row("r1", "A").contacts);
  EXPECT_FALSE(store.find_invitation_by_token("s1", issued[0].token));
  const auto found = store.find_invitation_by_token("s1", again.token);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->respondent_id, "r1");
  EXPECT_EQ(found->status, InvitationStatus::Pending);
  EXPECT_EQ(store.load_draft(issued[0].invitation)->page, 2);
  // The other invitation keeps its link; the new token is of s1 only.
  EXPECT_TRUE(store.find_invitation_by_token("s1", issued[1].token));
  EXPECT_FALSE(store.find_invitation_by_token("s2", again.token));
  // Progress is not moved by a new token.
  EXPECT_EQ(store.progress("s1").strata.at(0).invited, 2);

  EXPECT_EQ(error_id_of([&] { store.reissue_invitation("s1", "nobody"); }), "invitation.not_found");
  EXPECT_NE(error_message_of([&] { store.reissue_invitation("s1", "nobody"); }).find("nobody"),
            std::string::npos);
  EXPECT_EQ(error_id_of([&] { store.reissue_invitation("s2", "r1"); }), "invitation.not_found");
  EXPECT_EQ(error_id_of([&] { store.reissue_invitation("s1", "r3"); }), "invitation.inactive");
  EXPECT_EQ(error_id_of([&] { store.reissue_invitation("nope", "r1"); }), "survey.not_found");
  ASSERT_EQ(store.insert_response(response_for("s1", issued[1].invitation, "sub-2"), 200).outcome,
            Outcome::Stored);
  EXPECT_EQ(error_id_of([&] { store.reissue_invitation("s1", "r2"); }),
            "invitation.already_responded");
  EXPECT_TRUE(store.find_invitation_by_token("s1", issued[1].token));  // unchanged
  // An activated reserve has a link to lose too.
  const auto reserve = store.activate_reserves("s1", "A", std::nullopt, 1).at(0);
  const auto reserve_again = store.reissue_invitation("s1", "r3");
  EXPECT_TRUE(reserve_again.reserve);
  EXPECT_EQ(reserve_again.reserve_rank, 1);
  EXPECT_FALSE(store.find_invitation_by_token("s1", reserve.token));
  EXPECT_TRUE(store.find_invitation_by_token("s1", reserve_again.token));
}

TEST_P(StoreTest, ThousandTokensAreDistinctBase64urlAndNeverStoredInPlain) {
  std::vector<IssuedInvitation> issued;
  {
    SurveyStore store = open_survey();
    std::vector<InvitationInput> rows;
    for (int i = 0; i < 1000; ++i)
      rows.push_back(main_row("r" + std::to_string(i), "A"));
    issued = store.import_invitations("s1", rows);
    ASSERT_EQ(issued.size(), 1000u);
    for (std::size_t i = 0; i < issued.size(); i += 97) {
      auto found = store.find_invitation_by_token("s1", issued[i].token);
      ASSERT_TRUE(found);
      EXPECT_EQ(found->id, issued[i].invitation);
    }
  }
  std::set<std::string> distinct;
  for (const auto& invitation : issued) {
    EXPECT_EQ(invitation.token.size(), 22u);
    EXPECT_TRUE(std::all_of(invitation.token.begin(), invitation.token.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    })) << invitation.token;
    // A leading '-' would read as a formula in a spreadsheet (1 in 64 before).
    EXPECT_NE(invitation.token.front(), '-') << invitation.token;
    distinct.insert(invitation.token);
  }
  EXPECT_EQ(distinct.size(), 1000u);
  // Every connection closed: the WAL is checkpointed into the file; read both.
  std::string bytes = stored_bytes(db());
  for (const auto& invitation : issued) {
    ASSERT_EQ(bytes.find(invitation.token), std::string::npos) << invitation.token;
  }
  EXPECT_NE(bytes.find(hash_secret(issued[0].token)), std::string::npos);
}

TEST(TokensTest, HashesEncodingsAndComparisons) {
  EXPECT_EQ(hash_secret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(base64url_length(token_bytes), 22u);
  EXPECT_EQ(base64url_length(api_key_bytes), 43u);
  EXPECT_TRUE(is_token_syntax("AAAAAAAAAAAAAAAAAAAA-_"));
  EXPECT_FALSE(is_token_syntax("AAAAAAAAAAAAAAAAAAAA+/"));
  EXPECT_FALSE(is_token_syntax("AAAAAAAAAAAAAAAAAAAAA"));
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret!"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

// --------------------------------------------------------------------------
// Transactions, integrity, read-only

TEST_P(StoreTest, TransactionRollsBackEverythingWhenItsBodyThrows) {
  SurveyStore store(db());
  EXPECT_THROW(store.transaction([&] {
    store.create_survey("s1", questionnaire, "sipas", "2024");
    store.create_survey("s2", questionnaire, "sipas", "2024");
    throw std::runtime_error("no");
  }),
               std::runtime_error);
  EXPECT_TRUE(store.list_surveys().empty());
  EXPECT_FALSE(store.in_transaction());

  // Inside a transaction a failed operation undoes only itself.
  store.transaction([&] {
    store.create_survey("s1", questionnaire, "sipas", "2024");
    EXPECT_EQ(error_id_of([&] { store.create_survey("s1", questionnaire, "x", "1"); }),
              "survey.exists");
    EXPECT_EQ(error_id_of([&] {
                store.import_invitations("s1", {main_row("r1", "A"), main_row("r1", "B")});
              }),
              "invitation.duplicate_respondent");
    store.create_survey("s2", questionnaire, "sipas", "2024");
  });
  EXPECT_EQ(store.list_surveys().size(), 2u);
  EXPECT_EQ(store.integrity_check(), "ok");
}

TEST_P(StoreTest, ReadOnlyStoreReadsButEveryWriteIsReadOnly) {
  {
    SurveyStore store = open_survey();
    store.import_invitations("s1", {main_row("r1", "A")});
  }
  SurveyStore::Options options;
  options.read_only = true;
  SurveyStore store(db(), options);
  EXPECT_EQ(store.list_surveys().size(), 1u);
  EXPECT_EQ(store.progress("s1").strata.size(), 1u);
  EXPECT_EQ(error_id_of([&] { store.create_survey("s2", questionnaire, "x", "1"); }),
            "store.read_only");
  EXPECT_EQ(error_id_of([&] { store.insert_response(response_for("s1", std::nullopt, "a"), 1); }),
            "store.read_only");
  EXPECT_EQ(error_id_of([&] { store.create_api_key("k", Role::Manager); }), "store.read_only");
  EXPECT_EQ(store.integrity_check(), "ok");
}

// A file the process may not write (chmod 0444): it opens for reading and
// every write is store.read_only. Root writes a 0444 file regardless, so as
// root the check runs in a child process that has become "nobody".
TEST_F(SqliteStoreTest, ReadOnlyFileOpensForReadingAndRefusesWrites) {
  { open_survey(); }
  namespace fs = std::filesystem;
  fs::permissions(db(), fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  auto check = [&]() -> int {
    try {
      SurveyStore store(db());
      if (store.list_surveys().size() != 1) return 10;
      if (error_id_of([&] { store.create_survey("s2", questionnaire, "x", "1"); }) !=
          "store.read_only")
        return 11;
      if (error_id_of([&] { store.insert_response(response_for("s1", std::nullopt, "a"), 1); }) !=
          "store.read_only")
        return 12;
      return 0;
    } catch (...) {
      return 13;
    }
  };
  if (::geteuid() != 0) {
    EXPECT_EQ(check(), 0);
  } else {
    constexpr uid_t nobody = 65534;
    fs::permissions(dir_.path(), fs::perms::all);  // "nobody" may create -wal and -shm
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      if (::setgid(nobody) != 0 || ::setuid(nobody) != 0) ::_exit(20);
      ::_exit(check());
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  fs::permissions(db(), fs::perms::owner_all);
  EXPECT_EQ(count_rows(db(), "surveys"), 1);
}

}  // namespace
}  // namespace sipas::store
