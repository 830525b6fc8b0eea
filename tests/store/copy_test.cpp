// sipas db copy: a whole installation from SQLite to PostgreSQL and back,
// checked by what the stores return afterwards, not only by the copy's own
// counts and hashes.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "store/copy.hpp"
#include "store/store.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/process.hpp"
#include "tests/support/raw_database.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_postgres.hpp"

namespace sipas::store {
namespace {

using test::error_id_of;
using test::error_message_of;
using test::scalar;

constexpr const char* questionnaire = R"({"id": "sipas", "version": "2024"})";

InvitationInput row(const std::string& id, const std::string& stratum, bool reserve = false) {
  InvitationInput out;
  out.respondent_id = id;
  out.stratum = stratum;
  out.psu = "p-" + stratum;
  out.inclusion_probability = 0.1;  // not exact in binary: must come back the same double
  out.design_weight = 10.0 / 3.0;
  out.reserve = reserve;
  out.reserve_rank = reserve ? 1 : 0;
  out.attributes = {{"sex", "nữ"}, {"age_group", "35-44"}};
  out.contacts = {{"email", id + "@example.vn"}};
  return out;
}

NewResponse answer(std::optional<std::int64_t> invitation, const std::string& id) {
  NewResponse out;
  out.survey = "s1";
  out.invitation = invitation;
  out.submission_id = id;
  out.language = "vi";
  out.answers_json = R"({"q1": 4, "note": "Thủ tục nhanh, cán bộ nhiệt tình"})";
  return out;
}

struct Installation {
  std::vector<IssuedInvitation> issued;
  std::string manager_key;
};

// Every kind of row: surveys in each state, invitations with attributes and
// contacts, a reserve, answers by token and by the open link, a review, a
// draft with its page, a key, audit entries.
Installation fill(const std::string& db) {
  SurveyStore store(db);
  Installation out;
  store.create_survey("s1", questionnaire, "sipas", "2024", true);
  store.set_survey_state("s1", SurveyState::Open);
  store.create_survey("s2", questionnaire, "sipas", "2024");
  std::vector<InvitationInput> rows;
  for (int i = 0; i < 30; ++i)
    rows.push_back(row("r" + std::to_string(i), i % 2 == 0 ? "A" : "B"));
  rows.push_back(row("x1", "A", true));
  out.issued = store.import_invitations("s1", rows);
  for (int i = 0; i < 20; ++i) {
    store.mark_opened(out.issued[static_cast<std::size_t>(i)].invitation, 1000 + i);
    store.insert_response(
        answer(out.issued[static_cast<std::size_t>(i)].invitation, "sub-" + std::to_string(i)),
        2000 + i);
  }
  store.insert_response(answer(std::nullopt, "open-1"), 3000);
  store.set_review_state("s1", 2, ReviewState::Approved);
  store.save_draft(out.issued[25].invitation, R"({"q1": 2})", 4000, 3);
  out.manager_key = store.create_api_key("desk", Role::Manager);
  store.create_api_key("old", Role::Analyst);
  store.revoke_api_key(store.list_api_keys().back().id);
  store.append_audit({0, 5000, "cli:lan", "survey.open", "s1", std::nullopt, R"({"state":"draft"})",
                      R"({"state":"open"})", "opened after the pilot"});
  return out;
}

class CopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::test_postgres_url()) GTEST_SKIP() << test::no_postgres_message;
    postgres_ = std::make_unique<test::TestDatabase>();
  }
  std::string file(const std::string& name) const { return (dir_.path() / name).string(); }

  test::TempDir dir_{"sipas-copy"};
  std::unique_ptr<test::TestDatabase> postgres_;
};

TEST_F(CopyTest, CopiedTablesAreEveryTableOfTheSchema) {
  const std::set<std::string> copied(copied_tables().begin(), copied_tables().end());
  {
    SurveyStore store(file("a.db"));
    auto raw = test::raw_connection(file("a.db"));
    auto& names = raw->statement(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT IN ('schema_migrations', 'stratum_progress')");
    std::set<std::string> tables;
    while (names.step())
      tables.insert(names.column_text(0));
    EXPECT_EQ(tables, copied) << "a table of the SQLite schema is not copied (store/copy.cpp)";
  }
  SurveyStore store(postgres_->url());
  auto raw = test::raw_connection(postgres_->url());
  auto& names = raw->statement(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
      "AND tablename <> 'schema_migrations'");
  std::set<std::string> tables;
  while (names.step())
    tables.insert(names.column_text(0));
  EXPECT_EQ(tables, copied) << "a table of the PostgreSQL schema is not copied (store/copy.cpp)";
}

// SQLite → PostgreSQL → a new SQLite file: every store call gives what it
// gave on the original, tokens and keys still work, and new rows get new ids.
TEST_F(CopyTest, SqliteToPostgresAndBackKeepsEveryRowAndItsId) {
  const auto original = fill(file("original.db"));
  const auto copied = copy_database(file("original.db"), postgres_->url());
  ASSERT_EQ(copied.size(), copied_tables().size());
  const auto by_table = [](const std::vector<TableCopy>& tables, const std::string& name) {
    return *std::find_if(tables.begin(), tables.end(),
                         [&](const TableCopy& t) { return t.table == name; });
  };
  EXPECT_EQ(by_table(copied, "invitations").rows, 31);
  EXPECT_EQ(by_table(copied, "responses").rows, 21);
  EXPECT_EQ(by_table(copied, "invitation_attributes").rows, 62);
  EXPECT_EQ(by_table(copied, "audit_log").rows, 1);

  const auto sqlite_digests = table_digests(file("original.db"));
  const auto postgres_digests = table_digests(postgres_->url());
  for (std::size_t i = 0; i < sqlite_digests.size(); ++i) {
    EXPECT_EQ(sqlite_digests[i].rows, postgres_digests[i].rows) << sqlite_digests[i].table;
    EXPECT_EQ(sqlite_digests[i].hash, postgres_digests[i].hash) << sqlite_digests[i].table;
  }

  SurveyStore before(file("original.db"));
  SurveyStore after(postgres_->url());
  const auto exported_before = before.export_responses("s1", 0, 100);
  const auto exported_after = after.export_responses("s1", 0, 100);
  ASSERT_EQ(exported_before.size(), exported_after.size());
  for (std::size_t i = 0; i < exported_before.size(); ++i) {
    SCOPED_TRACE(exported_before[i].submission_id);
    EXPECT_EQ(exported_before[i].seq, exported_after[i].seq);
    EXPECT_EQ(exported_before[i].submission_id, exported_after[i].submission_id);
    EXPECT_EQ(exported_before[i].answers_json, exported_after[i].answers_json);
    EXPECT_EQ(exported_before[i].review, exported_after[i].review);
    EXPECT_EQ(exported_before[i].design_weight, exported_after[i].design_weight);
    EXPECT_EQ(exported_before[i].inclusion_probability, exported_after[i].inclusion_probability);
    EXPECT_EQ(exported_before[i].attributes, exported_after[i].attributes);
  }
  const auto progress_before = before.progress("s1");
  const auto progress_after = after.progress("s1");
  ASSERT_EQ(progress_before.strata.size(), progress_after.strata.size());
  for (std::size_t i = 0; i < progress_before.strata.size(); ++i) {
    EXPECT_EQ(progress_before.strata[i].invited, progress_after.strata[i].invited);
    EXPECT_EQ(progress_before.strata[i].opened, progress_after.strata[i].opened);
    EXPECT_EQ(progress_before.strata[i].responded, progress_after.strata[i].responded);
    EXPECT_EQ(progress_before.strata[i].reserves_waiting,
              progress_after.strata[i].reserves_waiting);
  }
  EXPECT_EQ(progress_after.open_link_responses, 1);
  const auto found = after.find_invitation_by_token("s1", original.issued[0].token);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, original.issued[0].invitation);
  EXPECT_EQ(found->status, InvitationStatus::Responded);
  EXPECT_EQ(after.load_draft(original.issued[25].invitation)->page, 3);
  ASSERT_TRUE(after.find_api_key(original.manager_key));
  ASSERT_EQ(after.list_api_keys().size(), 2u);
  EXPECT_FALSE(after.list_api_keys()[0].revoked_at);
  EXPECT_TRUE(after.list_api_keys()[1].revoked_at);  // revoked_at copied
  EXPECT_EQ(after.read_audit({.limit = 10}).at(0).actor, "cli:lan");
  EXPECT_EQ(after.read_audit({.limit = 10}).at(0).note, "opened after the pilot");
  // The identity columns go on after the copied ids.
  const auto next = after.insert_response(answer(original.issued[22].invitation, "sub-new"), 6000);
  EXPECT_EQ(next.outcome, SubmitResult::Outcome::Stored);
  EXPECT_EQ(next.response, exported_before.back().seq + 1);
  EXPECT_EQ(after.import_invitations("s1", {row("r-new", "A")}).at(0).invitation, 32);
  EXPECT_EQ(after.integrity_check(), "ok");

  // And back, through the command a person runs.
  const auto result =
      test::sipas({"db", "copy", "--from", postgres_->url(), "--to", file("back.db")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("counts and hashes agree"), std::string::npos) << result.out;
  const auto back = table_digests(file("back.db"));
  const auto now = table_digests(postgres_->url());
  for (std::size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].rows, now[i].rows) << back[i].table;
    EXPECT_EQ(back[i].hash, now[i].hash) << back[i].table;
  }
  SurveyStore again(file("back.db"));
  EXPECT_EQ(again.progress("s1").strata.at(0).responded,
            after.progress("s1").strata.at(0).responded);
  EXPECT_EQ(again.integrity_check(), "ok");
}

TEST_F(CopyTest, ADestinationWithDataIsRefusedAndLeftAsItIs) {
  fill(file("a.db"));
  {
    SurveyStore other(postgres_->url());
    other.create_survey("mine", questionnaire, "sipas", "2024");
  }
  EXPECT_EQ(error_id_of([&] { copy_database(file("a.db"), postgres_->url()); }), "store.not_empty");
  EXPECT_EQ(scalar(postgres_->url(), "SELECT COUNT(*) FROM surveys"), 1);
  EXPECT_EQ(scalar(postgres_->url(), "SELECT COUNT(*) FROM invitations"), 0);
  EXPECT_EQ(error_id_of([&] { copy_database(file("a.db"), file("a.db")); }), "store.same_database");
  const auto result = test::sipas({"db", "copy", "--from", file("a.db"), "--to", postgres_->url()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("store.not_empty"), std::string::npos) << result.err;
}

// A destination that changes what it is given (a trigger here; a different
// collation, a lossy type elsewhere) fails the check, and nothing is kept.
TEST_F(CopyTest, AContentMismatchWritesNothing) {
  fill(file("a.db"));
  {
    SurveyStore created(postgres_->url());
    auto raw = test::raw_connection(postgres_->url());
    raw->exec(
        "CREATE FUNCTION lose_accents() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "NEW.value := 'nu'; RETURN NEW; END $$; "
        "CREATE TRIGGER lose_accents BEFORE INSERT ON invitation_attributes "
        "FOR EACH ROW WHEN (NEW.name = 'sex') EXECUTE FUNCTION lose_accents()");
  }
  EXPECT_EQ(error_id_of([&] { copy_database(file("a.db"), postgres_->url()); }),
            "store.copy_mismatch");
  EXPECT_EQ(scalar(postgres_->url(), "SELECT COUNT(*) FROM surveys"), 0);
  EXPECT_EQ(scalar(postgres_->url(), "SELECT COUNT(*) FROM invitations"), 0);
}

}  // namespace
}  // namespace sipas::store
