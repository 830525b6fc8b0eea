// The console's pages for people, keys, the audit trail, a survey's
// invitations and re-issued links, through the real server as a browser
// uses them: each secret shown once and working; each refusal on the form;
// the _csrf of every form; a unit user limited to its strata.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "app/clock.hpp"
#include "app/units.hpp"
#include "app/users.hpp"
#include "tests/survey_server/console_support.hpp"
#include "tests/survey_server/test_server.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
using survey_server::ClientResponse;

const std::string password = "một mật khẩu đủ dài";
const std::string form_type = "application/x-www-form-urlencoded";

// The secret a page shows once.
std::string secret_in(const std::string& page) {
  std::smatch m;
  const std::regex re("<code class=\"secret\">([^<]+)</code>");
  return std::regex_search(page, m, re) ? m[1].str() : "";
}

class ConsoleAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::SurveyStore store(server_.db());
    const app::Actor cli{"cli:test", store::Role::Manager};
    std::ofstream(server_.dir().path() / "units.csv")
        << "id,name,type,parent\nT,Tỉnh Thử,province,\nW1,Phường Một,ward,T\n"
           "W2,Xã Hai,commune,T\n";
    app::import_units(store, cli, server_.dir().path() / "units.csv", "units.csv");
    app::add_user(store, cli, {"root", store::UserRole::Admin, std::nullopt, password});
    app::add_user(store, cli, {"minh", store::UserRole::Manager, std::nullopt, password});
    app::add_user(store, cli, {"lan", store::UserRole::Unit, "W1", password});
  }

  ClientResponse get(const std::string& path, const std::string& cookie) {
    return client_.get(path, {{"Cookie", cookie}});
  }
  ClientResponse post(const std::string& path, const std::string& cookie,
                      const std::vector<std::pair<std::string, std::string>>& fields) {
    return client_.post(path, form_encode(fields), form_type, {{"Cookie", cookie}});
  }
  // A survey with invitations a1, a2 (W1) and b1 (W2); returns the links CSV.
  std::string survey_with_sample() {
    auto r = client_.post("/api/v1/surveys", R"({"id": "s1", "standard": "sipas-short"})",
                          "application/json", TestServer::as_manager());
    EXPECT_EQ(r.status, 201) << r.body;
    r = client_.post("/api/v1/surveys/s1/invitations?raw=1",
                     "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank\n"
                     "a1,W1,P1,0.5,2,main,\na2,W1,P1,0.5,2,main,\nb1,W2,P2,0.5,2,main,\n",
                     "text/csv", TestServer::as_manager());
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(client_.post("/api/v1/surveys/s1/open", "", "", TestServer::as_manager()).status,
              200);
    return r.body;
  }

  TestServer server_;
  survey_server::HttpClient client_ = server_.client();
};

TEST_F(ConsoleAdminTest, TheAdministratorAddsDisablesAndResetsUsersFromTheConsole) {
  const auto admin = log_in(client_, "root", password);
  auto page = get("/admin/users", admin);
  ASSERT_EQ(page.status, 200);
  const auto csrf = csrf_in(page.body);

  // Refused on the form, each reason said, the typed values kept.
  auto r =
      post("/admin/users", admin, {{"_csrf", csrf}, {"name", "Bad Name"}, {"role", "manager"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("value=\"Bad Name\""), std::string::npos);
  r = post("/admin/users", admin, {{"_csrf", csrf}, {"name", "ha"}, {"role", "unit"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("the unit role needs a unit"), std::string::npos);
  r = post("/admin/users", admin, {{"_csrf", csrf}, {"name", "minh"}, {"role", "analyst"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("exists already"), std::string::npos);
  r = post("/admin/users", admin,
           {{"_csrf", csrf}, {"name", "ha"}, {"role", "analyst"}, {"password", "ngắn"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("class=\"error-summary\""), std::string::npos);
  EXPECT_EQ(r.body.find("ngắn"), std::string::npos);  // a password is never shown back
  // Without the _csrf: 403, nobody added.
  EXPECT_EQ(post("/admin/users", admin, {{"name", "ha"}, {"role", "analyst"}}).status, 403);

  // Added without a password: one is made, shown once, and it logs in.
  r = post("/admin/users", admin, {{"_csrf", csrf}, {"name", "ha"}, {"role", "analyst"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("cache-control"), "no-store");
  const auto made = secret_in(r.body);
  ASSERT_GE(made.size(), 12u) << r.body;
  const auto ha = log_in(client_, "ha", made);
  EXPECT_EQ(get("/admin/surveys", ha).status, 200);
  // The list shows the new user; the made password is nowhere in it.
  page = get("/admin/users", admin);
  EXPECT_NE(page.body.find("<td>ha</td>"), std::string::npos);
  EXPECT_EQ(page.body.find(made), std::string::npos);

  // Disabled: the open session ends at once and the password no longer logs in.
  r = post("/admin/users/ha/state", admin, {{"_csrf", csrf}, {"disabled", "on"}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(get("/admin/surveys", ha).status, 303);
  EXPECT_EQ(post_login(client_, open_login(client_), "ha", made).status, 403);
  r = post("/admin/users/ha/state", admin, {{"_csrf", csrf}, {"disabled", "off"}});
  EXPECT_EQ(r.status, 303);

  // Reset: a new password shown once; the old one no longer works.
  r = post("/admin/users/ha/password", admin, {{"_csrf", csrf}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto second = secret_in(r.body);
  ASSERT_FALSE(second.empty());
  EXPECT_NE(second, made);
  EXPECT_EQ(post_login(client_, open_login(client_), "ha", made).status, 403);
  log_in(client_, "ha", second);

  // Every change in the audit trail with the administrator's name, never a password.
  auto audit = client_.get("/api/v1/audit?actor=user:root", TestServer::as_manager());
  ASSERT_EQ(audit.status, 200);
  for (const char* action : {"user.create", "user.disable", "user.enable", "user.reset_password"})
    EXPECT_NE(audit.body.find(action), std::string::npos) << action;
  EXPECT_EQ(audit.body.find(made), std::string::npos);
  EXPECT_EQ(audit.body.find(second), std::string::npos);

  // A manager may not manage users: 403 on the page and on its forms.
  const auto manager = log_in(client_, "minh", password);
  EXPECT_EQ(get("/admin/users", manager).status, 403);
  EXPECT_EQ(post("/admin/users/ha/state", manager,
                 {{"_csrf", csrf_in(get("/admin/", manager).body)}, {"disabled", "on"}})
                .status,
            403);
}

TEST_F(ConsoleAdminTest, AManagerMakesAKeyShownOnceAndRevokesIt) {
  const auto manager = log_in(client_, "minh", password);
  auto page = get("/admin/keys", manager);
  ASSERT_EQ(page.status, 200);
  const auto csrf = csrf_in(page.body);
  auto r = post("/admin/keys", manager, {{"_csrf", csrf}, {"name", ""}, {"role", "analyst"}});
  EXPECT_EQ(r.status, 422);
  r = post("/admin/keys", manager, {{"_csrf", csrf}, {"name", "dashboard"}, {"role", "analyst"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto key = secret_in(r.body);
  ASSERT_EQ(key.size(), 43u) << r.body;
  EXPECT_EQ(client_.get("/api/v1/surveys", {{"Authorization", "Bearer " + key}}).status, 200);
  page = get("/admin/keys", manager);
  EXPECT_NE(page.body.find("dashboard"), std::string::npos);
  EXPECT_EQ(page.body.find(key), std::string::npos);
  // Revoked from its row's button: refused from then on.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(page.body, m, std::regex("/admin/keys/([0-9]+)/revoke")));
  r = post("/admin/keys/" + m[1].str() + "/revoke", manager, {{"_csrf", csrf}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(client_.get("/api/v1/surveys", {{"Authorization", "Bearer " + key}}).status, 401);
  // A unit user sees no keys.
  const auto unit = log_in(client_, "lan", password);
  EXPECT_EQ(get("/admin/keys", unit).status, 403);
}

TEST_F(ConsoleAdminTest, TheAuditTrailIsFilteredByPersonSurveyAndDay) {
  survey_with_sample();
  const auto manager = log_in(client_, "minh", password);
  const auto csrf = csrf_in(get("/admin/", manager).body);
  ASSERT_EQ(post("/admin/surveys/s1/state", manager, {{"_csrf", csrf}, {"state", "closed"}}).status,
            303);
  auto page = get("/admin/audit?actor=user:minh", manager);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<td>survey.close</td>"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("<td>survey.open</td>"), std::string::npos);    // opened by a key
  EXPECT_EQ(page.body.find("<td>survey.create</td>"), std::string::npos);  // made by a key
  page = get("/admin/audit?survey=s1", manager);
  EXPECT_NE(page.body.find("<td>survey.create</td>"), std::string::npos);
  const std::string today = app::iso_time(app::now_seconds()).substr(0, 10);
  page = get("/admin/audit?from=" + today + "&to=" + today, manager);
  EXPECT_NE(page.body.find("<td>survey.close</td>"), std::string::npos);
  page = get("/admin/audit?to=2020-01-01", manager);
  EXPECT_EQ(page.body.find("<td>survey.close</td>"), std::string::npos);
  page = get("/admin/audit?from=2026-02-30", manager);
  EXPECT_EQ(page.status, 422);
  EXPECT_NE(page.body.find("class=\"error-summary\""), std::string::npos);
  EXPECT_NE(page.body.find("value=\"2026-02-30\""), std::string::npos);
  const auto unit = log_in(client_, "lan", password);
  EXPECT_EQ(get("/admin/audit", unit).status, 403);
}

TEST_F(ConsoleAdminTest, AUnitUserSeesTheInvitationsOfItsUnitOnlyAndNoContacts) {
  survey_with_sample();
  const auto manager = log_in(client_, "minh", password);
  auto page = get("/admin/surveys/s1/invitations", manager);
  ASSERT_EQ(page.status, 200);
  for (const char* id : {"<td>a1</td>", "<td>a2</td>", "<td>b1</td>"})
    EXPECT_NE(page.body.find(id), std::string::npos) << id;
  EXPECT_NE(page.body.find("Phường Một (W1)"), std::string::npos);
  const auto unit = log_in(client_, "lan", password);
  page = get("/admin/surveys/s1/invitations", unit);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<td>a1</td>"), std::string::npos);
  EXPECT_EQ(page.body.find("<td>b1</td>"), std::string::npos);
}

TEST_F(ConsoleAdminTest, AManagerReissuesALinkTheOldOneStopsAndTheNewOneWorks) {
  const auto links = survey_with_sample();
  std::istringstream in(links);
  std::string line;
  std::getline(in, line);
  std::getline(in, line);  // a1: id, stratum, psu, role, reserve_rank, token, link
  std::vector<std::string> cells;
  std::stringstream fields(line);
  for (std::string cell; std::getline(fields, cell, ',');)
    cells.push_back(cell);
  ASSERT_EQ(cells.size(), 7u) << line;
  const std::string old_token = cells[5];
  ASSERT_EQ(client_.get("/s/s1?t=" + old_token).status, 200);
  const auto manager = log_in(client_, "minh", password);
  auto page = get("/admin/surveys/s1/links", manager);
  ASSERT_EQ(page.status, 200);
  const auto csrf = csrf_in(page.body);
  auto r = post("/admin/surveys/s1/links", manager, {{"_csrf", csrf}, {"id", "a1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto link = secret_in(r.body);
  ASSERT_TRUE(link.starts_with("http://127.0.0.1/s/s1?t=")) << r.body;
  EXPECT_EQ(client_.get(link.substr(std::string("http://127.0.0.1").size())).status, 200);
  EXPECT_EQ(client_.get("/s/s1?t=" + old_token).status, 403);
  // An unknown id: said on the form.
  r = post("/admin/surveys/s1/links", manager, {{"_csrf", csrf}, {"id", ""}});
  EXPECT_EQ(r.status, 422);
  const auto unit = log_in(client_, "lan", password);
  EXPECT_EQ(get("/admin/surveys/s1/links", unit).status, 403);
}

}  // namespace
}  // namespace sipas::test
