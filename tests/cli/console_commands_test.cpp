// The command line's share of the console's work (issue 22), run as the
// executable on a real database file: sipas invite reissue, sipas key
// list|revoke, and sipas audit --actor --from --to.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "app/clock.hpp"
#include "store/store.hpp"
#include "tests/support/csv_lines.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::test {
namespace {

class ConsoleCommandsTest : public ::testing::Test {
 protected:
  // Survey s1 with p1, p2 (phone contacts) and a waiting reserve r1; the
  // import's links CSV rows.
  std::vector<std::vector<std::string>> prepare() {
    const auto sample = dir_.path() / "sample.csv";
    std::ofstream(sample) << "id,stratum,psu,inclusion_probability,design_weight,role,"
                             "reserve_rank,phone\n"
                             "p1,A,A,0.1,10,main,,0901\n"
                             "p2,A,A,0.1,10,main,,0902\n"
                             "r1,A,A,0.1,10,reserve,1,0911\n";
    auto r =
        sipas({"survey", "create", "--db", db_, "--survey", "s1", "--standard", "sipas-short"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto links = dir_.path() / "links.csv";
    r = sipas({"invite", "import", "--db", db_, "--survey", "s1", "--sample", sample.string(),
               "--contact", "phone", "--base-url", "https://khaosat.example.vn", "--out",
               links.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(links);
    return split_plain_csv(std::string(std::istreambuf_iterator<char>(in), {}));
  }

  TempDir dir_{"sipas-console-cli"};
  std::string db_ = (dir_.path() / "survey.db").string();
};

TEST_F(ConsoleCommandsTest, InviteReissueWritesTheNewLinkAndTheOldOneStops) {
  const auto links = prepare();
  ASSERT_EQ(links.size(), 3u);
  const std::string old_token = links[1][5];

  auto r = sipas({"invite", "reissue", "--db", db_, "--survey", "s1", "--id", "p1", "--base-url",
                  "https://khaosat.example.vn"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto again = split_plain_csv(r.out);
  ASSERT_EQ(again.size(), 2u) << r.out;
  EXPECT_EQ(again[0], links[0]);
  EXPECT_EQ(again[1][0], "p1");
  EXPECT_EQ(again[1][7], "0901");
  const std::string new_token = again[1][5];
  EXPECT_NE(new_token, old_token);
  EXPECT_EQ(again[1][6], "https://khaosat.example.vn/s/s1?t=" + new_token);
  {
    store::SurveyStore store(db_);
    EXPECT_FALSE(store.find_invitation_by_token("s1", old_token));
    EXPECT_TRUE(store.find_invitation_by_token("s1", new_token));
    const auto last = store.read_audit({.newest_first = true}).at(0);
    EXPECT_EQ(last.action, "invitation.reissue");
    EXPECT_EQ(last.subject, "p1");
  }

  // To a file, owner-only.
  const auto out = dir_.path() / "p2.csv";
  r = sipas({"invite", "reissue", "--db", db_, "--survey", "s1", "--id", "p2", "--base-url",
             "https://khaosat.example.vn", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(out.string()), std::string::npos) << r.out;
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  r = sipas({"invite", "reissue", "--db", db_, "--survey", "s1", "--id", "nobody", "--base-url",
             "https://khaosat.example.vn"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nobody"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[invitation.not_found]"), std::string::npos) << r.err;
  r = sipas({"invite", "reissue", "--db", db_, "--survey", "s1", "--id", "r1", "--base-url",
             "https://khaosat.example.vn"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[invitation.inactive]"), std::string::npos) << r.err;
  r = sipas(
      {"invite", "reissue", "--db", db_, "--survey", "s1", "--id", "p1", "--base-url", "ftp://x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--base-url"), std::string::npos) << r.err;
  r = sipas({"invite", "reissue", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("old link stops working"), std::string::npos) << r.out;
}

TEST_F(ConsoleCommandsTest, KeysAreListedAndRevoked) {
  auto r = sipas({"survey", "create", "--db", db_, "--survey", "s1", "--standard", "sipas-short"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = sipas({"key", "create", "--db", db_, "--name", "desk", "--role", "manager"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string desk = r.out.substr(0, r.out.find('\n'));
  r = sipas({"key", "create", "--db", db_, "--name", "stats", "--role", "analyst"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = sipas({"key", "list", "--db", db_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string today = app::iso_time(app::now_seconds()).substr(0, 10);
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "id\tname\trole\tcreated\trevoked");
  EXPECT_NE(r.out.find("\n1\tdesk\tmanager\t" + today), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n2\tstats\tanalyst\t" + today), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(desk), std::string::npos) << "a key was printed";

  r = sipas({"key", "revoke", "--db", db_, "--id", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "revoked key 1 (desk)\n");
  r = sipas({"key", "revoke", "--db", db_, "--id", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "already revoked: key 1 (desk)\n");
  r = sipas({"key", "list", "--db", db_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::vector<std::string>> lines;
  {
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      lines.emplace_back();
      std::istringstream cells(line);
      for (std::string cell; std::getline(cells, cell, '\t');)
        lines.back().push_back(cell);
    }
  }
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[1][0], "1");
  EXPECT_EQ(lines[1][4].substr(0, 10), today);  // revoked: when
  EXPECT_EQ(lines[2][0], "2");
  EXPECT_EQ(lines[2][4], "-");  // not revoked
  {
    store::SurveyStore store(db_);
    EXPECT_FALSE(store.find_api_key(desk));
    const auto keys = store.list_api_keys();
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_TRUE(keys[0].revoked_at);
    EXPECT_FALSE(keys[1].revoked_at);
  }
  r = sipas({"key", "revoke", "--db", db_, "--id", "9"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[key.not_found]"), std::string::npos) << r.err;
}

TEST_F(ConsoleCommandsTest, AuditIsFilteredByActorAndByDay) {
  prepare();
  {
    store::SurveyStore store(db_);
    store::AuditEntry entry;
    entry.at = app::parse_utc_day("2026-03-01", "at") + 3600;
    entry.actor = "user:anna";
    entry.action = "survey.set";
    entry.survey = "s1";
    store.append_audit(entry);
    entry.at = app::parse_utc_day("2026-03-02", "at") + 3600;
    entry.actor = "user:binh";
    store.append_audit(entry);
  }
  auto r = sipas({"audit", "--db", db_, "--actor", "user:anna"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\t2026-03-01T01:00:00Z\tuser:anna\tsurvey.set\ts1\t"), std::string::npos)
      << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;

  // --to takes its whole day.
  r = sipas({"audit", "--db", db_, "--from", "2026-03-01", "--to", "2026-03-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  r = sipas(
      {"audit", "--db", db_, "--from", "2026-03-01", "--to", "2026-03-02", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  ASSERT_EQ(json["entries"].size(), 2u) << r.out;
  EXPECT_EQ(json["entries"][1]["actor"], "user:binh");
  r = sipas({"audit", "--db", db_, "--from", "2026-03-03"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The entries of today's commands (create, import) only.
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;

  r = sipas({"audit", "--db", db_, "--from", "2026-02-30"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[request.bad_parameter]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(--from)"), std::string::npos) << r.err;
  r = sipas({"audit", "--db", db_, "--from", "2026-03-02", "--to", "2026-03-01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("(--to)"), std::string::npos) << r.err;
  r = sipas({"audit", "--help"});
  EXPECT_NE(r.out.find("--actor"), std::string::npos);
  EXPECT_NE(r.out.find("YYYY-MM-DD"), std::string::npos);
}

}  // namespace
}  // namespace sipas::test
