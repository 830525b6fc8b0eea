// What only the PostgreSQL backend has: a server without sipas' tables, a
// URL with a password, nodes migrating at once, a lost connection, and the
// export cursor under writers that commit out of order. The rest of the
// store's behaviour is the one suite of store_test.cpp, run on both.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/migrations.hpp"
#include "store/store.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/raw_database.hpp"
#include "tests/support/test_postgres.hpp"

namespace sipas::store {
namespace {

using test::error_id_of;
using test::error_message_of;
using test::scalar;

using namespace std::chrono_literals;

constexpr const char* questionnaire = R"({"id": "sipas", "version": "2024"})";

NewResponse open_link_answer(const std::string& submission_id) {
  NewResponse response;
  response.survey = "s1";
  response.submission_id = submission_id;
  response.language = "vi";
  response.answers_json = R"({"q1": 5})";
  return response;
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::test_postgres_url()) GTEST_SKIP() << test::no_postgres_message;
    database_ = std::make_unique<test::TestDatabase>();
  }
  const std::string& url() const { return database_->url(); }

  // One open survey "s1" taking open-link answers.
  SurveyStore open_survey() {
    SurveyStore store(url());
    store.create_survey("s1", questionnaire, "sipas", "2024", true);
    store.set_survey_state("s1", SurveyState::Open);
    return store;
  }

  std::unique_ptr<test::TestDatabase> database_;
};

TEST_F(PostgresStoreTest, ADatabaseWithoutSipasTablesIsNotFoundUnlessCreated) {
  SurveyStore::Options options;
  options.create = false;
  EXPECT_EQ(error_id_of([&] { SurveyStore store(url(), options); }), "store.not_found");
  EXPECT_NE(error_message_of([&] { SurveyStore store(url(), options); }).find(url()),
            std::string::npos);
  EXPECT_EQ(scalar(url(), "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"), 0);

  SurveyStore store(url());
  EXPECT_EQ(store.schema_version(), latest_schema_version());
  EXPECT_EQ(store.backend(), db::Backend::Postgres);
  EXPECT_EQ(store.path().string(), url());
  EXPECT_EQ(store.integrity_check(), "ok");
  // Every value of a write is acknowledged only once on the server's disk.
  auto raw = test::raw_connection(url());
  auto& setting = raw->statement("SHOW synchronous_commit");
  ASSERT_TRUE(setting.step());
  EXPECT_EQ(setting.column_text(0), "on");
}

TEST_F(PostgresStoreTest, APasswordInTheUrlIsRefusedAndNeverRepeated) {
  const std::string with_password =
      test::postgres_url_with_database(url(), database_->name())
          .replace(std::string("postgresql://sipas").size(), 0, ":hunter2secret");
  ASSERT_NE(with_password.find(":hunter2secret@"), std::string::npos) << with_password;
  EXPECT_EQ(error_id_of([&] { SurveyStore store(with_password); }), "store.password_in_url");
  const std::string message = error_message_of([&] { SurveyStore store(with_password); });
  EXPECT_EQ(message.find("hunter2secret"), std::string::npos) << message;
  EXPECT_NE(message.find("PGPASSFILE"), std::string::npos) << message;
}

TEST_F(PostgresStoreTest, AServerThatIsNotThereIsOpenFailedNamingTheUrl) {
  const std::string nowhere = "postgresql://sipas@127.0.0.1:1/nothing?connect_timeout=2";
  EXPECT_EQ(error_id_of([&] { SurveyStore store(nowhere); }), "store.open_failed");
  const std::string message = error_message_of([&] { SurveyStore store(nowhere); });
  EXPECT_NE(message.find(nowhere), std::string::npos) << message;
  // libpq's message has two lines; sipas prints every error on one.
  EXPECT_EQ(message.find_first_of("\n\t"), std::string::npos) << message;
}

// Nodes started together on a new database: the advisory lock lets one
// migrate; the others wait, then find the schema current. Each step is
// recorded once.
TEST_F(PostgresStoreTest, NodesOpeningANewDatabaseAtOnceMigrateItOnce) {
  constexpr int nodes = 6;
  std::atomic<int> ready{0};
  std::vector<std::future<int>> versions;
  for (int i = 0; i < nodes; ++i) {
    versions.push_back(std::async(std::launch::async, [&] {
      ready.fetch_add(1);
      while (ready.load() < nodes)
        std::this_thread::yield();
      SurveyStore store(url());
      return store.schema_version();
    }));
  }
  for (auto& version : versions)
    EXPECT_EQ(version.get(), latest_schema_version());
  EXPECT_EQ(scalar(url(), "SELECT COUNT(*) FROM schema_migrations"), latest_schema_version());
  EXPECT_EQ(scalar(url(), "SELECT COUNT(DISTINCT version) FROM schema_migrations"),
            latest_schema_version());
}

TEST_F(PostgresStoreTest, ANewerSchemaIsRefusedAndLeftAsItIs) {
  { SurveyStore store(url()); }
  {
    auto raw = test::raw_connection(url());
    raw->exec("INSERT INTO schema_migrations (version, applied_at, description) VALUES (" +
              std::to_string(latest_schema_version() + 1) + ", 0, 'from the future')");
  }
  EXPECT_EQ(error_id_of([&] { SurveyStore store(url()); }), "store.newer_schema");
  EXPECT_EQ(scalar(url(), "SELECT MAX(version) FROM schema_migrations"),
            latest_schema_version() + 1);
}

// The server ends the store's connection (a restart, a failover): the next
// statement finds it gone, connects again and runs; nothing is lost.
TEST_F(PostgresStoreTest, ALostConnectionIsMadeAgainBetweenTransactions) {
  SurveyStore store = open_survey();
  EXPECT_EQ(store.insert_response(open_link_answer("a"), 1).outcome, SubmitResult::Outcome::Stored);
  {
    auto raw = test::raw_connection(url());
    raw->exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()");
  }
  EXPECT_EQ(store.list_surveys().size(), 1u);
  EXPECT_NO_THROW(store.ping());
  EXPECT_EQ(store.insert_response(open_link_answer("b"), 2).outcome, SubmitResult::Outcome::Stored);
  EXPECT_EQ(store.export_responses("s1", 0, 10).size(), 2u);
}

// Writer A takes a seq and has not committed; writer B takes the next seq
// and commits. A reader by `since` that saw B's row and moved its cursor past
// A's would never see A's row. The reader waits for A instead, and gets both.
TEST_F(PostgresStoreTest, TheExportCursorNeverPassesARowStillToCome) {
  SurveyStore a = open_survey();
  SurveyStore b(url());
  SurveyStore reader(url());
  a.begin();
  ASSERT_EQ(a.insert_response(open_link_answer("first"), 1).outcome, SubmitResult::Outcome::Stored);
  ASSERT_EQ(b.insert_response(open_link_answer("second"), 2).outcome,
            SubmitResult::Outcome::Stored);
  auto read = std::async(std::launch::async, [&] { return reader.export_responses("s1", 0, 10); });
  EXPECT_EQ(read.wait_for(500ms), std::future_status::timeout)
      << "the reader did not wait for the writer in flight";
  a.commit();
  const auto rows = read.get();
  std::set<std::string> seen;
  for (const auto& row : rows)
    seen.insert(row.submission_id);
  EXPECT_EQ(seen, (std::set<std::string>{"first", "second"}));
}

TEST_F(PostgresStoreTest, TheAuditCursorNeverPassesAnEntryStillToCome) {
  SurveyStore a(url());
  SurveyStore b(url());
  SurveyStore reader(url());
  a.begin();
  a.append_audit({0, 1, "cli:a", "survey.create", "s1", std::nullopt, std::nullopt, std::nullopt});
  b.append_audit({0, 2, "cli:b", "survey.create", "s2", std::nullopt, std::nullopt, std::nullopt});
  auto read = std::async(std::launch::async, [&] { return reader.read_audit({.limit = 10}); });
  EXPECT_EQ(read.wait_for(500ms), std::future_status::timeout);
  a.commit();
  EXPECT_EQ(read.get().size(), 2u);
}

// What no constraint says, integrity_check finds.
TEST_F(PostgresStoreTest, IntegrityCheckFindsAResponseOfAnotherSurveysInvitation) {
  {
    SurveyStore store = open_survey();
    store.create_survey("s2", questionnaire, "sipas", "2024");
    InvitationInput row;
    row.respondent_id = "r1";
    row.stratum = "A";
    row.psu = "p1";
    const auto issued = store.import_invitations("s2", {row});
    auto raw = test::raw_connection(url());
    raw->exec(
        "INSERT INTO responses (survey, invitation, submission_id, language, answers_json, "
        "received_at, client) VALUES ('s1', " +
        std::to_string(issued[0].invitation) + ", 'x', 'vi', '{}', 0, '')");
  }
  SurveyStore store(url());
  EXPECT_NE(store.integrity_check().find("is of survey s2"), std::string::npos)
      << store.integrity_check();
}

}  // namespace
}  // namespace sipas::store
