// Activating reserves, against the real `sipas serve` and the real `sipas
// invite` commands on one database file (issue 15's two reserve bugs):
// - the links of activated reserves lacked the contact columns that the
//   import's links CSV has, so the manager could not reach the reserves: both
//   the admin route and the CLI now write the import's contact columns, in
//   the same order, with the reserves' stored contacts;
// - a stratum (or PSU) that the survey does not have said "no reserve left":
//   it is now 404 invitation.unknown_stratum (invitation.unknown_psu), the
//   message listing the strata (PSUs) there are, and the CLI says the same.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/csv_lines.hpp"
#include "tests/support/process.hpp"
#include "tests/survey_server/fault_serve.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;

// Contacts in the file's order email, phone; declared phone,email: the links
// CSV follows the declaration.
const std::string sample =
    "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,email,sex,phone\n"
    "p1,A,A1,0.1,10,main,,p1@example.vn,1,0901\n"
    "p2,B,B1,0.2,5,main,,p2@example.vn,2,0902\n"
    "r1,A,A1,0.1,10,reserve,1,r1@example.vn,2,0911\n"
    "r2,A,A2,0.1,10,reserve,2,r2@example.vn,1,0912\n"
    "r3,B,B1,0.2,5,reserve,1,r3@example.vn,1,0913\n";

class ReserveLinksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_ / "sample.csv") << sample;
    server_ = start_serve(dir_, db(), "serve");
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  std::filesystem::path db() const { return dir_ / "survey.db"; }
  HttpClient& c() { return *client_; }

  ClientResponse activate(const std::string& survey, const Json& body) {
    return c().post("/api/v1/surveys/" + survey + "/reserves/activate", body.dump(), json_type,
                    TestServer::as_manager());
  }

  // Creates and opens `survey` through the admin API.
  void create(const std::string& survey) {
    auto r = c().post("/api/v1/surveys", Json{{"id", survey}, {"standard", "sipas-short"}}.dump(),
                      json_type, TestServer::as_manager());
    ASSERT_EQ(r.status, 201) << r.body;
    r = c().post("/api/v1/surveys/" + survey + "/open", "", "", TestServer::as_manager());
    ASSERT_EQ(r.status, 200) << r.body;
  }

  ProcessResult cli_activate(const std::string& survey, const std::string& stratum,
                             const std::filesystem::path& out) {
    return sipas({"invite", "activate-reserves", "--db", db().string(), "--survey", survey,
                  "--stratum", stratum, "--base-url", "https://khaosat.example.vn", "--out",
                  out.string()});
  }

  TempDir dir_{"sipas-reserves"};
  std::unique_ptr<ServeProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ReserveLinksTest, ApiReserveLinksHaveTheImportsContactColumnsInItsOrder) {
  create("hn-2026");
  auto r = c().post("/api/v1/surveys/hn-2026/invitations?contact=phone,email", sample, "text/csv",
                    TestServer::as_manager());
  ASSERT_EQ(r.status, 201) << r.body;
  const auto imported = split_plain_csv(r.body);
  ASSERT_EQ(imported.size(), 3u);
  const std::vector<std::string> header = {"id",    "stratum", "psu",   "role", "reserve_rank",
                                           "token", "link",    "phone", "email"};
  ASSERT_EQ(imported[0], header);
  EXPECT_EQ(imported[1][7], "0901");
  EXPECT_EQ(imported[1][8], "p1@example.vn");

  r = activate("hn-2026", {{"stratum", "A"}, {"count", 5}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto reserves = split_plain_csv(r.body);
  ASSERT_EQ(reserves.size(), 3u) << r.body;
  ASSERT_EQ(reserves[0], header) << r.body;
  ASSERT_EQ(reserves[1].size(), header.size());
  ASSERT_EQ(reserves[2].size(), header.size());
  EXPECT_EQ(reserves[1][0], "r1");
  EXPECT_EQ(reserves[1][3], "reserve");
  EXPECT_EQ(reserves[1][7], "0911");
  EXPECT_EQ(reserves[1][8], "r1@example.vn");
  EXPECT_EQ(reserves[2][0], "r2");
  EXPECT_EQ(reserves[2][7], "0912");
  EXPECT_EQ(reserves[2][8], "r2@example.vn");
  // The reserve's link works.
  EXPECT_EQ(c().get("/s/hn-2026?t=" + reserves[1][5]).status, 200);
  // Contacts are still never exported.
  r = c().get("/api/v1/surveys/hn-2026/responses?format=csv", TestServer::as_analyst());
  EXPECT_EQ(r.body.find("phone"), std::string::npos);
}

TEST_F(ReserveLinksTest, CliReserveLinksHaveTheImportsContactColumnsInItsOrder) {
  ASSERT_EQ(sipas({"survey", "create", "--db", db().string(), "--survey", "cli", "--standard",
                   "sipas-short"})
                .exit_code,
            0);
  const auto links = dir_ / "links.csv";
  auto out = sipas({"invite", "import", "--db", db().string(), "--survey", "cli", "--sample",
                    (dir_ / "sample.csv").string(), "--contact", "phone,email", "--base-url",
                    "https://khaosat.example.vn", "--out", links.string()});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  const auto imported = split_plain_csv(slurp(links));
  ASSERT_FALSE(imported.empty());

  const auto reserve_links = dir_ / "reserve-links.csv";
  out = cli_activate("cli", "B", reserve_links);
  ASSERT_EQ(out.exit_code, 0) << out.err;
  const auto reserves = split_plain_csv(slurp(reserve_links));
  ASSERT_EQ(reserves.size(), 2u);
  ASSERT_EQ(reserves[0], imported[0]);
  ASSERT_EQ(reserves[1].size(), imported[0].size());
  EXPECT_EQ(reserves[1][0], "r3");
  EXPECT_EQ(reserves[1][7], "0913");
  EXPECT_EQ(reserves[1][8], "r3@example.vn");
  struct stat info {};
  ASSERT_EQ(::stat(reserve_links.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u) << "tokens and contacts: the owner's only";

  // The server reads the same file: the reserves it activates now have the
  // same columns too.
  auto r = activate("cli", {{"stratum", "A"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(split_plain_csv(r.body)[0], imported[0]);
}

TEST_F(ReserveLinksTest, UnknownStratumOrPsuIsNotFoundAndNamesTheKnownOnes) {
  create("hn-2026");
  // No invitations yet: no stratum at all.
  auto r = activate("hn-2026", {{"stratum", "A"}});
  EXPECT_EQ(r.status, 404) << r.body;
  auto error = Json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "invitation.unknown_stratum");
  EXPECT_NE(error["message"].get<std::string>().find("import the sample first"), std::string::npos);

  r = c().post("/api/v1/surveys/hn-2026/invitations?contact=phone,email", sample, "text/csv",
               TestServer::as_manager());
  ASSERT_EQ(r.status, 201) << r.body;
  r = activate("hn-2026", {{"stratum", "a"}});  // a typo for A
  EXPECT_EQ(r.status, 404) << r.body;
  error = Json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "invitation.unknown_stratum");
  EXPECT_EQ(error["message"],
            "survey \"hn-2026\" has no stratum \"a\"; its strata are \"A\", \"B\"");
  r = activate("hn-2026", {{"stratum", "A"}, {"psu", "A9"}});
  EXPECT_EQ(r.status, 404) << r.body;
  error = Json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "invitation.unknown_psu");
  EXPECT_EQ(error["message"],
            "survey \"hn-2026\" has no PSU \"A9\" in stratum \"A\"; its PSUs there are \"A1\", "
            "\"A2\"");
  // A stratum that is there but has no reserve left is still a conflict.
  ASSERT_EQ(activate("hn-2026", {{"stratum", "B"}}).status, 200);
  r = activate("hn-2026", {{"stratum", "B"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "invitation.no_reserve");

  // The CLI says the same, and writes no file.
  const auto out_file = dir_ / "none.csv";
  auto out = cli_activate("hn-2026", "Z", out_file);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out.err.find("survey \"hn-2026\" has no stratum \"Z\"; its strata are \"A\", \"B\" "
                         "[invitation.unknown_stratum]"),
            std::string::npos)
      << out.err;
  EXPECT_FALSE(std::filesystem::exists(out_file));
  out = cli_activate("hn-2026", "B", out_file);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out.err.find("[invitation.no_reserve]"), std::string::npos) << out.err;
}

}  // namespace
}  // namespace sipas::test
