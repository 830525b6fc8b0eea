// sipas survey | invite | responses on a database file, as a survey manager
// would run them.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::test {
namespace {

std::size_t count_lines(const std::string& text) {
  std::size_t n = 0;
  for (char c : text)
    n += c == '\n';
  return n;
}

TEST(SurveyCommandsTest, CreateOpenImportExportClose) {
  TempDir dir;
  const std::string db = (dir / "survey.db").string();
  auto r =
      sipas({"survey", "create", "--db", db, "--survey", "hn-2026", "--standard", "sipas-short"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("state draft"), std::string::npos);
  r = sipas({"survey", "create", "--db", db, "--survey", "hn-2026", "--standard", "sipas-short"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("survey.exists"), std::string::npos) << r.err;
  ASSERT_EQ(sipas({"survey", "open", "--db", db, "--survey", "hn-2026"}).exit_code, 0);

  std::ofstream(dir / "sample.csv")
      << "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,phone\n"
         "p1,A,A,0.5,2,main,,0901\n"
         "p2,A,A,0.5,2,main,,0902\n"
         "r1,A,A,0.5,2,reserve,1,0911\n";
  const std::string links = (dir / "links.csv").string();
  r = sipas({"invite", "import", "--db", db, "--survey", "hn-2026", "--sample",
             (dir / "sample.csv").string(), "--contact", "phone", "--base-url",
             "https://khaosat.example.vn/", "--out", links});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = slurp(links);
  EXPECT_EQ(count_lines(text), 3u) << text;  // header + the two main units
  EXPECT_NE(text.find("https://khaosat.example.vn/s/hn-2026?t="), std::string::npos) << text;
  EXPECT_NE(text.find("0902"), std::string::npos);

  // A bad sample names the file and line, and imports nothing.
  std::ofstream(dir / "bad.csv")
      << "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank\n"
         "q1,A,A,0.5,2,main,\n"
         "q2,A,A,0.5,-2,main,\n";
  r = sipas({"invite", "import", "--db", db, "--survey", "hn-2026", "--sample",
             (dir / "bad.csv").string(), "--base-url", "https://x", "--out",
             (dir / "bad-links.csv").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.csv:3"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "bad-links.csv"));

  const std::string out = (dir / "responses.csv").string();
  r = sipas({"responses", "export", "--db", db, "--survey", "hn-2026", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string exported = slurp(out);
  EXPECT_EQ(count_lines(exported), 1u);  // no answers yet: the header
  EXPECT_EQ(exported.find("phone"), std::string::npos);

  // Two main units invited in A, nobody answered yet, the reserve waiting.
  const std::string progress = (dir / "progress.json").string();
  r = sipas({"survey", "progress", "--db", db, "--survey", "hn-2026", "--out", progress});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rates = nlohmann::json::parse(slurp(progress));
  EXPECT_EQ(rates["overall"]["invited"], 2);
  EXPECT_EQ(rates["overall"]["responded"], 0);
  EXPECT_EQ(rates["overall"]["response_rate"], 0.0);
  ASSERT_EQ(rates["strata"].size(), 1u);
  EXPECT_EQ(rates["strata"][0]["stratum"], "A");
  EXPECT_EQ(rates["strata"][0]["reserves_waiting"], 1);
  r = sipas({"survey", "progress", "--db", db, "--survey", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("survey.not_found"), std::string::npos) << r.err;

  r = sipas({"survey", "close", "--db", db, "--survey", "hn-2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = sipas({"survey", "list", "--db", db});
  EXPECT_NE(r.out.find("hn-2026\tclosed"), std::string::npos) << r.out;
  r = sipas({"survey", "open", "--db", (dir / "missing.db").string(), "--survey", "x"});
  EXPECT_EQ(r.exit_code, 1);
}

// Issue 15: the open link is a survey's setting, off unless a manager turns
// it on, at creation or later (also while the server runs).
TEST(SurveyCommandsTest, OpenLinkIsOffByDefaultAndSetByTheManager) {
  TempDir dir;
  const std::string db = (dir / "survey.db").string();
  auto r =
      sipas({"survey", "create", "--db", db, "--survey", "sample", "--standard", "sipas-short"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("state draft, open link off"), std::string::npos) << r.out;
  r = sipas({"survey", "create", "--db", db, "--survey", "kiosk", "--standard", "sipas-short",
             "--open-link", "on"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("open link on"), std::string::npos) << r.out;
  r = sipas({"survey", "list", "--db", db});
  EXPECT_EQ(r.out,
            "kiosk\tdraft\tsipas-short 2024.1\topen-link on\n"
            "sample\tdraft\tsipas-short 2024.1\topen-link off\n");

  r = sipas({"survey", "set", "--db", db, "--survey", "sample", "--open-link", "on"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "survey sample: open link on\n");
  r = sipas({"survey", "set", "--db", db, "--survey", "kiosk", "--open-link", "off"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = sipas({"survey", "list", "--db", db});
  EXPECT_NE(r.out.find("kiosk\tdraft\tsipas-short 2024.1\topen-link off"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("sample\tdraft\tsipas-short 2024.1\topen-link on"), std::string::npos)
      << r.out;

  r = sipas({"survey", "set", "--db", db, "--survey", "nope", "--open-link", "on"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("survey.not_found"), std::string::npos) << r.err;
  r = sipas({"survey", "set", "--db", db, "--survey", "sample", "--open-link", "yes"});
  EXPECT_EQ(r.exit_code, 1);
  r = sipas({"survey", "set", "--db", db, "--survey", "sample"});
  EXPECT_EQ(r.exit_code, 1) << "--open-link is required";
  r = sipas({"survey", "create", "--db", db, "--survey", "x", "--standard", "sipas-short",
             "--open-link", "maybe"});
  EXPECT_EQ(r.exit_code, 1);
  r = sipas({"survey", "list", "--db", db});
  EXPECT_EQ(r.out.find("\nx\t"), std::string::npos) << "nothing created on a bad option";
}

// What a newcomer met (issue 19): one flag per concept, the id rule --help
// states is the rule applied, a missing --db refused by every command that
// needs one, reserves of a closed survey, a shortfall warned, and the audit
// trail of it all.
TEST(SurveyCommandsTest, TheSurveyIdRuleOfHelpIsTheRuleApplied) {
  TempDir dir;
  const std::string db = (dir / "survey.db").string();
  auto help = sipas({"survey", "create", "--help"});
  EXPECT_NE(help.out.find("starting with a letter or digit"), std::string::npos) << help.out;
  for (const char* bad : {"Sipas-2027", ".", "-x", "a.b"}) {
    auto r = sipas({"survey", "create", "--db", db, "--survey", bad, "--standard", "sipas-short"});
    EXPECT_EQ(r.exit_code, 1) << bad;
    EXPECT_NE(r.err.find("survey.bad_id"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(db)) << "a refused id leaves no empty database";
  // One flag for the survey's id: the old --id is gone everywhere.
  auto r = sipas({"survey", "progress", "--db", db, "--id", "x"});
  EXPECT_EQ(r.exit_code, 1);
}

TEST(SurveyCommandsTest, EveryCommandThatNeedsADatabaseRefusesAMissingOne) {
  TempDir dir;
  const std::string missing = (dir / "missing.db").string();
  std::ofstream(dir / "sample.csv")
      << "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank\n"
         "p1,A,A,0.5,2,main,\n";
  const std::string sample = (dir / "sample.csv").string();
  const std::string out = (dir / "out.csv").string();
  const std::vector<std::vector<std::string>> commands = {
      {"survey", "open", "--db", missing, "--survey", "x"},
      {"survey", "close", "--db", missing, "--survey", "x"},
      {"survey", "set", "--db", missing, "--survey", "x", "--open-link", "on"},
      {"survey", "progress", "--db", missing, "--survey", "x"},
      {"survey", "list", "--db", missing},
      {"invite", "import", "--db", missing, "--survey", "x", "--sample", sample, "--base-url",
       "https://khaosat.example.vn", "--out", out},
      {"invite", "activate-reserves", "--db", missing, "--survey", "x", "--stratum", "A",
       "--base-url", "https://khaosat.example.vn", "--out", out},
      {"responses", "export", "--db", missing, "--survey", "x", "--out", out},
      {"key", "create", "--db", missing, "--name", "n"},
      {"audit", "--db", missing},
      {"serve", "--db", missing, "--listen", "127.0.0.1:0"},
  };
  for (const auto& command : commands) {
    auto r = sipas(command);
    EXPECT_EQ(r.exit_code, 1) << command[0] << " " << command[1] << ": " << r.err;
    EXPECT_NE(r.err.find("store.not_found"), std::string::npos) << command[0] << ": " << r.err;
    EXPECT_FALSE(std::filesystem::exists(missing)) << command[0] << " " << command[1];
  }
}

TEST(SurveyCommandsTest, ReservesLinksAndTheAuditTrail) {
  TempDir dir;
  const std::string db = (dir / "survey.db").string();
  ASSERT_EQ(sipas({"survey", "create", "--db", db, "--survey", "s1", "--standard", "sipas-short"})
                .exit_code,
            0);
  ASSERT_EQ(sipas({"survey", "open", "--db", db, "--survey", "s1"}).exit_code, 0);
  std::ofstream(dir / "sample.csv")
      << "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank\n"
         "p1,A,A,0.5,2,main,\n"
         "r1,A,A,0.5,2,reserve,1\n"
         "r2,A,A,0.5,2,reserve,2\n";
  const std::string sample = (dir / "sample.csv").string();
  // A base URL without a scheme makes links that cannot open: refused, nothing stored.
  auto r = sipas({"invite", "import", "--db", db, "--survey", "s1", "--sample", sample,
                  "--base-url", "khaosat.example.vn", "--out", (dir / "links.csv").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("server.bad_public_url"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--base-url"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "links.csv"));
  r = sipas({"invite", "import", "--db", db, "--survey", "s1", "--sample", sample, "--base-url",
             "https://khaosat.example.vn", "--out", (dir / "links.csv").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 reserves waiting"), std::string::npos) << r.out;

  // 200 asked for, 2 waiting: both activated, and the shortfall said.
  r = sipas({"invite", "activate-reserves", "--db", db, "--survey", "s1", "--stratum", "A",
             "--count", "200", "--base-url", "https://khaosat.example.vn", "--out",
             (dir / "reserves.csv").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("activated 2 reserves"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("warning: 200 reserves were asked for, only 2 were waiting"),
            std::string::npos)
      << r.err;

  // A closed survey's reserves stay waiting.
  std::ofstream(dir / "more.csv")
      << "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank\n"
         "r3,B,B,0.5,2,reserve,1\n";
  ASSERT_EQ(sipas({"invite", "import", "--db", db, "--survey", "s1", "--sample",
                   (dir / "more.csv").string(), "--base-url", "https://khaosat.example.vn", "--out",
                   (dir / "more-links.csv").string()})
                .exit_code,
            0);
  ASSERT_EQ(sipas({"survey", "close", "--db", db, "--survey", "s1"}).exit_code, 0);
  r = sipas({"invite", "activate-reserves", "--db", db, "--survey", "s1", "--stratum", "B",
             "--base-url", "https://khaosat.example.vn", "--out", (dir / "closed.csv").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("survey.closed"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "closed.csv"));

  // Every change above, by this user, in order; JSON for scripts.
  r = sipas({"audit", "--db", db, "--survey", "s1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> actions;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> cells;
    std::istringstream fields(line);
    for (std::string cell; std::getline(fields, cell, '\t');)
      cells.push_back(cell);
    ASSERT_GE(cells.size(), 7u) << line;
    EXPECT_EQ(cells[2].rfind("cli:", 0), 0u) << line;
    actions.push_back(cells[3]);
  }
  EXPECT_EQ(actions,
            (std::vector<std::string>{"survey.create", "survey.open", "invitations.import",
                                      "reserves.activate", "invitations.import", "survey.close"}));
  r = sipas({"audit", "--db", db, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["entries"].size(), 6u);
  EXPECT_EQ(json["entries"][3]["after"]["requested"], 200);
  EXPECT_EQ(json["entries"][3]["after"]["activated"], 2);
  EXPECT_EQ(json["entries"][5]["before"]["state"], "open");
}

}  // namespace
}  // namespace sipas::test
