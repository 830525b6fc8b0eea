// sipas survey | invite | responses on a database file, as a survey manager
// would run them.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
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
  auto r = sipas({"survey", "create", "--db", db, "--id", "hn-2026", "--standard", "sipas-short"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("state draft"), std::string::npos);
  r = sipas({"survey", "create", "--db", db, "--id", "hn-2026", "--standard", "sipas-short"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("survey.exists"), std::string::npos) << r.err;
  ASSERT_EQ(sipas({"survey", "open", "--db", db, "--id", "hn-2026"}).exit_code, 0);

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
  r = sipas({"survey", "progress", "--db", db, "--id", "hn-2026", "--out", progress});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rates = nlohmann::json::parse(slurp(progress));
  EXPECT_EQ(rates["overall"]["invited"], 2);
  EXPECT_EQ(rates["overall"]["responded"], 0);
  EXPECT_EQ(rates["overall"]["response_rate"], 0.0);
  ASSERT_EQ(rates["strata"].size(), 1u);
  EXPECT_EQ(rates["strata"][0]["stratum"], "A");
  EXPECT_EQ(rates["strata"][0]["reserves_waiting"], 1);
  r = sipas({"survey", "progress", "--db", db, "--id", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("survey.not_found"), std::string::npos) << r.err;

  r = sipas({"survey", "close", "--db", db, "--id", "hn-2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = sipas({"survey", "list", "--db", db});
  EXPECT_NE(r.out.find("hn-2026\tclosed"), std::string::npos) << r.out;
  r = sipas({"survey", "open", "--db", (dir / "missing.db").string(), "--id", "x"});
  EXPECT_EQ(r.exit_code, 1);
}

// Issue 15: the open link is a survey's setting, off unless a manager turns
// it on, at creation or later (also while the server runs).
TEST(SurveyCommandsTest, OpenLinkIsOffByDefaultAndSetByTheManager) {
  TempDir dir;
  const std::string db = (dir / "survey.db").string();
  auto r = sipas({"survey", "create", "--db", db, "--id", "sample", "--standard", "sipas-short"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("state draft, open link off"), std::string::npos) << r.out;
  r = sipas({"survey", "create", "--db", db, "--id", "kiosk", "--standard", "sipas-short",
             "--open-link", "on"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("open link on"), std::string::npos) << r.out;
  r = sipas({"survey", "list", "--db", db});
  EXPECT_EQ(r.out,
            "kiosk\tdraft\tsipas-short 2024.1\topen-link on\n"
            "sample\tdraft\tsipas-short 2024.1\topen-link off\n");

  r = sipas({"survey", "set", "--db", db, "--id", "sample", "--open-link", "on"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "survey sample: open link on\n");
  r = sipas({"survey", "set", "--db", db, "--id", "kiosk", "--open-link", "off"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = sipas({"survey", "list", "--db", db});
  EXPECT_NE(r.out.find("kiosk\tdraft\tsipas-short 2024.1\topen-link off"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("sample\tdraft\tsipas-short 2024.1\topen-link on"), std::string::npos)
      << r.out;

  r = sipas({"survey", "set", "--db", db, "--id", "nope", "--open-link", "on"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("survey.not_found"), std::string::npos) << r.err;
  r = sipas({"survey", "set", "--db", db, "--id", "sample", "--open-link", "yes"});
  EXPECT_EQ(r.exit_code, 1);
  r = sipas({"survey", "set", "--db", db, "--id", "sample"});
  EXPECT_EQ(r.exit_code, 1) << "--open-link is required";
  r = sipas({"survey", "create", "--db", db, "--id", "x", "--standard", "sipas-short",
             "--open-link", "maybe"});
  EXPECT_EQ(r.exit_code, 1);
  r = sipas({"survey", "list", "--db", db});
  EXPECT_EQ(r.out.find("\nx\t"), std::string::npos) << "nothing created on a bad option";
}

}  // namespace
}  // namespace sipas::test
