// Schema migrations on real files: an older database is brought up to date
// with its rows intact, a newer one is refused and left byte for byte as it
// was, and a failed step changes nothing.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/migrations.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "store/tokens.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::store {
namespace {

using test::error_id_of;
using test::error_message_of;

using Mode = sqlite::Database::Mode;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int version_of(const std::filesystem::path& db) {
  sqlite::Database raw(db, Mode::ReadOnly);
  return user_version(raw);
}

std::vector<std::int64_t> recorded_versions(const std::filesystem::path& db) {
  sqlite::Database raw(db, Mode::ReadOnly);
  sqlite::Statement query(raw, "SELECT version FROM schema_migrations ORDER BY version");
  std::vector<std::int64_t> versions;
  while (query.step())
    versions.push_back(query.column_int64(0));
  return versions;
}

class MigrationTest : public ::testing::Test {
 protected:
  std::filesystem::path db() const { return dir_ / "survey.db"; }

  // A database as sipas with schema 1 left it: a survey, two invitations (one
  // answered), attributes, contacts, an API key; rows written with that
  // version's SQL.
  void write_version_one() {
    migrate_to(db(), 1);
    ASSERT_EQ(version_of(db()), 1);
    sqlite::Database raw(db(), Mode::ReadWrite);
    raw.exec(
        "INSERT INTO surveys (id, questionnaire_json, questionnaire_id, questionnaire_version, "
        "state, created_at, opened_at) VALUES ('old', '{\"id\":\"sipas\"}', 'sipas', '2023', "
        "'open', 100, 110)");
    sqlite::Statement invitation(
        raw,
        "INSERT INTO invitations (id, survey, respondent_id, stratum, psu, inclusion_probability, "
        "design_weight, reserve, reserve_rank, import_order, token_hash, active, activated_at) "
        "VALUES (?1, 'old', ?2, 'A', 'p1', 0.5, 2, 0, 0, ?1, ?3, 1, 100)");
    invitation.bind(1, 1);
    invitation.bind(2, "r1");
    invitation.bind(3, hash_secret(answered_token));
    invitation.run();
    invitation.reset();
    invitation.bind(1, 2);
    invitation.bind(2, "r2");
    invitation.bind(3, hash_secret(waiting_token));
    invitation.run();
    raw.exec(
        "INSERT INTO invitation_attributes VALUES (1, 0, 'sex', 'f');"
        "INSERT INTO invitation_contacts VALUES (1, 0, 'email', 'r1@example.vn');"
        "INSERT INTO responses (survey, invitation, submission_id, language, answers_json, "
        "received_at, client) VALUES ('old', 1, 'sub-1', 'vi', '{\"q1\":5}', 120, 'c');"
        "INSERT INTO responses (survey, invitation, submission_id, language, answers_json, "
        "received_at, client) VALUES ('old', NULL, 'kiosk-1', 'en', '{\"q1\":3}', 130, 'c')");
    sqlite::Statement key(
        raw,
        "INSERT INTO api_keys (name, role, key_hash, created_at) VALUES ('desk', 'manager', "
        "?1, 100)");
    key.bind(1, hash_secret(api_key));
    key.run();
  }

  const std::string answered_token = "AAAAAAAAAAAAAAAAAAAAAA";
  const std::string waiting_token = "BBBBBBBBBBBBBBBBBBBBBB";
  const std::string api_key = std::string(43, 'k');
  test::TempDir dir_{"sipas-migration"};
};

TEST_F(MigrationTest, NewDatabaseRecordsEveryStepAndTheLatestVersion) {
  { SurveyStore store(db()); }
  EXPECT_EQ(version_of(db()), latest_schema_version());
  std::vector<std::int64_t> expected;
  for (int v = 1; v <= latest_schema_version(); ++v)
    expected.push_back(v);
  EXPECT_EQ(recorded_versions(db()), expected);
}

// The requirement: an existing database from an older schema version
// is migrated, never destroyed.
TEST_F(MigrationTest, VersionOneDatabaseIsMigratedWithItsRowsIntact) {
  write_version_one();
  SurveyStore store(db());
  EXPECT_EQ(store.schema_version(), latest_schema_version());
  EXPECT_EQ(version_of(db()), latest_schema_version());
  EXPECT_EQ(recorded_versions(db()).size(), static_cast<std::size_t>(latest_schema_version()));

  auto survey = store.find_survey("old");
  ASSERT_TRUE(survey);
  EXPECT_EQ(survey->state, SurveyState::Open);
  EXPECT_EQ(survey->questionnaire_version, "2023");
  EXPECT_EQ(survey->opened_at, 110);

  auto answered = store.find_invitation_by_token("old", answered_token);
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->respondent_id, "r1");
  EXPECT_EQ(answered->status, InvitationStatus::Responded);
  EXPECT_DOUBLE_EQ(answered->design_weight, 2);

  auto rows = store.export_responses("old", 0, 10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].submission_id, "sub-1");
  EXPECT_EQ(rows[0].answers_json, "{\"q1\":5}");
  EXPECT_EQ(rows[0].received_at, 120);
  EXPECT_EQ(rows[0].respondent_id, "r1");
  EXPECT_EQ(rows[0].review, ReviewState::Received);  // v2's column, filled for old rows
  EXPECT_EQ(rows[0].attributes, (std::vector<std::pair<std::string, std::string>>{{"sex", "f"}}));
  EXPECT_EQ(rows[1].submission_id, "kiosk-1");
  EXPECT_FALSE(rows[1].respondent_id);

  EXPECT_EQ(store.find_api_key(api_key)->role, Role::Manager);

  // v3's progress counts are filled from the old rows: r1 answered (so
  // opened) without an opening on record, r2 waiting; one open-link answer.
  auto progress = store.progress("old");
  ASSERT_EQ(progress.strata.size(), 1u);
  EXPECT_EQ(progress.strata[0].stratum, "A");
  EXPECT_EQ(progress.strata[0].invited, 2);
  EXPECT_EQ(progress.strata[0].opened, 1);
  EXPECT_EQ(progress.strata[0].responded, 1);
  EXPECT_EQ(progress.strata[0].reserves_waiting, 0);
  EXPECT_EQ(progress.open_link_responses, 1);

  // What v2 added works on the old rows.
  store.set_review_state("old", rows[0].seq, ReviewState::Approved);
  EXPECT_EQ(store.export_responses("old", 0, 10)[0].review, ReviewState::Approved);
  auto waiting = store.find_invitation_by_token("old", waiting_token);
  ASSERT_TRUE(waiting);
  store.save_draft(waiting->id, "{\"q1\":1}", 200);
  EXPECT_EQ(store.load_draft(waiting->id)->answers_json, "{\"q1\":1}");
  // And the old sequence goes on: no seq is reused.
  NewResponse response;
  response.survey = "old";
  response.invitation = waiting->id;
  response.submission_id = "sub-2";
  response.language = "vi";
  response.answers_json = "{}";
  auto stored = store.insert_response(response, 300);
  EXPECT_EQ(stored.outcome, SubmitResult::Outcome::Stored);
  EXPECT_GT(stored.response, rows[1].seq);
  progress = store.progress("old");
  EXPECT_EQ(progress.strata[0].opened, 2);
  EXPECT_EQ(progress.strata[0].responded, 2);
  EXPECT_EQ(store.integrity_check(), "ok");
}

// Schema 4 adds the open-link setting. Existing surveys took token-less
// answers without being asked: only a survey that has lived on its open link
// alone (no invitations, open-link answers already in) keeps it; one with
// invitations loses it (the ballot-stuffing hole of issue 15), and so does
// one with neither, which has shown nothing to keep.
TEST_F(MigrationTest, OpenLinkStaysOnOnlyForSurveysThatLivedOnIt) {
  write_version_one();  // "old": invitations and one open-link answer
  migrate_to(db(), 3);
  {
    sqlite::Database raw(db(), Mode::ReadWrite);
    raw.exec(
        "INSERT INTO surveys (id, questionnaire_json, questionnaire_id, questionnaire_version, "
        "state, created_at, opened_at) VALUES "
        "('kiosk', '{}', 'sipas-short', '2024', 'open', 100, 110), "
        "('fresh', '{}', 'sipas-short', '2024', 'open', 100, 110), "
        "('planned', '{}', 'sipas', '2024', 'draft', 100, NULL);"
        "INSERT INTO responses (survey, invitation, submission_id, language, answers_json, "
        "received_at, client) VALUES ('kiosk', NULL, 'k-1', 'vi', '{}', 130, '');"
        "INSERT INTO invitations (survey, respondent_id, stratum, psu, inclusion_probability, "
        "design_weight, reserve, reserve_rank, import_order, token_hash, active) VALUES "
        "('planned', 'p1', 'A', 'p', 0.5, 2, 1, 1, 1, NULL, 0)");
  }
  SurveyStore store(db());
  EXPECT_EQ(store.schema_version(), latest_schema_version());
  EXPECT_FALSE(store.find_survey("old")->open_link);
  EXPECT_TRUE(store.find_survey("kiosk")->open_link);
  EXPECT_FALSE(store.find_survey("fresh")->open_link);
  EXPECT_FALSE(store.find_survey("planned")->open_link);

  NewResponse response;
  response.survey = "kiosk";
  response.submission_id = "k-2";
  response.language = "vi";
  response.answers_json = "{}";
  EXPECT_EQ(store.insert_response(response, 200).outcome, SubmitResult::Outcome::Stored);
  response.survey = "old";
  EXPECT_EQ(store.insert_response(response, 200).outcome,
            SubmitResult::Outcome::InvitationRequired);
  // The answers already in stay, marked as open-link in the export.
  auto rows = store.export_responses("old", 0, 10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[0].open_link);
  EXPECT_TRUE(rows[1].open_link);
  // A manager turns it back on where it is wanted.
  EXPECT_TRUE(store.set_open_link("old", true).open_link);
  EXPECT_EQ(store.insert_response(response, 210).outcome, SubmitResult::Outcome::Stored);
  EXPECT_EQ(store.integrity_check(), "ok");
}

TEST_F(MigrationTest, NewerSchemaIsRefusedAndTheFileIsByteIdentical) {
  {
    SurveyStore store(db());
    store.create_survey("s1", "{}", "sipas", "2024");
  }
  {
    sqlite::Database raw(db(), Mode::ReadWrite);
    raw.exec("PRAGMA user_version = " + std::to_string(latest_schema_version() + 1));
  }
  const std::string before = slurp(db());
  EXPECT_EQ(error_id_of([&] { SurveyStore store(db()); }), "store.newer_schema");
  SurveyStore::Options read_only;
  read_only.read_only = true;
  EXPECT_EQ(error_id_of([&] { SurveyStore store(db(), read_only); }), "store.newer_schema");
  EXPECT_EQ(error_id_of([&] { migrate_to(db(), 1); }), "store.newer_schema");
  EXPECT_EQ(slurp(db()), before);
  EXPECT_EQ(version_of(db()), latest_schema_version() + 1);
}

TEST_F(MigrationTest, NewerSchemaMessageNamesTheFileAndBothVersions) {
  {
    sqlite::Database raw(db(), Mode::ReadWriteCreate);
    raw.exec("PRAGMA user_version = 99");
  }
  try {
    SurveyStore store(db());
    FAIL() << "opened a database from the future";
  } catch (const StoreError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find(db().string()), std::string::npos) << message;
    EXPECT_NE(message.find("99"), std::string::npos) << message;
    EXPECT_NE(message.find(std::to_string(latest_schema_version())), std::string::npos) << message;
  }
}

// v2 creates a table "drafts"; a v1 file that already has one (someone's
// manual fix, say) makes that step fail: nothing of it may remain.
TEST_F(MigrationTest, FailedStepChangesNothing) {
  write_version_one();
  {
    sqlite::Database raw(db(), Mode::ReadWrite);
    raw.exec("CREATE TABLE drafts (x INTEGER)");
  }
  try {
    SurveyStore store(db());
    FAIL() << "migrated over a conflicting table";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.id(), "store.migration_failed");
    std::string message = error.what();
    EXPECT_NE(message.find("version 2"), std::string::npos) << message;
    EXPECT_NE(message.find("drafts"), std::string::npos) << message;
  }
  EXPECT_EQ(version_of(db()), 1);
  EXPECT_EQ(recorded_versions(db()), (std::vector<std::int64_t>{1}));
  sqlite::Database raw(db(), Mode::ReadOnly);
  sqlite::Statement columns(raw, "SELECT COUNT(*) FROM pragma_table_info('responses')");
  ASSERT_TRUE(columns.step());
  EXPECT_EQ(columns.column_int64(0), 8);  // no review_state, no reviewed_at
  sqlite::Statement responses(raw, "SELECT COUNT(*) FROM responses");
  ASSERT_TRUE(responses.step());
  EXPECT_EQ(responses.column_int64(0), 2);
}

TEST_F(MigrationTest, ReadOnlyConnectionRefusesAnOldSchemaAndLeavesIt) {
  write_version_one();
  SurveyStore::Options options;
  options.read_only = true;
  EXPECT_EQ(error_id_of([&] { SurveyStore store(db(), options); }), "store.read_only");
  EXPECT_EQ(version_of(db()), 1);
}

// Two servers (or the CLI and a server) opening an old file at once: the
// version is read again under the write lock, so each step runs once.
TEST_F(MigrationTest, ConnectionsOpeningAnOldFileAtOnceMigrateItOnce) {
  write_version_one();
  constexpr int openers = 6;
  std::atomic<int> ready{0}, failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < openers; ++i) {
    threads.emplace_back([&] {
      ready.fetch_add(1);
      while (ready.load() < openers)
        std::this_thread::yield();
      try {
        SurveyStore store(db());
        if (store.schema_version() != latest_schema_version()) failures.fetch_add(1);
      } catch (...) {
        failures.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(recorded_versions(db()).size(), static_cast<std::size_t>(latest_schema_version()));
  SurveyStore store(db());
  EXPECT_EQ(store.export_responses("old", 0, 10).size(), 2u);
}

TEST_F(MigrationTest, MigrateToRefusesUnknownVersions) {
  EXPECT_EQ(error_id_of([&] { migrate_to(db(), latest_schema_version() + 1); }),
            "store.migration_failed");
  EXPECT_EQ(error_id_of([&] { migrate_to(db(), -1); }), "store.migration_failed");
  migrate_to(db(), 0);  // an empty database
  EXPECT_EQ(version_of(db()), 0);
  SurveyStore store(db());
  EXPECT_EQ(store.schema_version(), latest_schema_version());
}

}  // namespace
}  // namespace sipas::store
