// The console's login, sessions and logout over a real socket (issue 22):
// the cookie's attributes, the login form's CSRF binding, one message for
// every wrong login, the throttle, 303 to the login without a session, the
// logout's _csrf, and a disabled user's session ending at once.

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "app/units.hpp"
#include "app/users.hpp"
#include "io/percent_encoding.hpp"
#include "store/store.hpp"
#include "tests/support/raw_database.hpp"
#include "tests/survey_server/console_support.hpp"
#include "tests/survey_server/test_server.hpp"

namespace sipas::test {
namespace {

const std::string password = "một mật khẩu đủ dài";
const app::Actor cli_manager{"cli:test", store::Role::Manager};

class ConsoleLoginTest : public ::testing::Test {
 protected:
  ConsoleLoginTest() {
    store::SurveyStore store(server_.db());
    std::ofstream(server_.dir().path() / "units.csv")
        << "id,name,type,parent\nQN,Tỉnh Quảng Ninh,province,\nQN.HL,Phường Hạ Long,ward,QN\n"
           "QN.HL.1,Khu phố 1,group,QN.HL\nQN.CP,Phường Cẩm Phả,ward,QN\n";
    app::import_units(store, cli_manager, server_.dir().path() / "units.csv", "units.csv");
    app::add_user(store, cli_manager, {"minh", store::UserRole::Manager, std::nullopt, password});
    app::add_user(store, cli_manager, {"lan", store::UserRole::Unit, "QN.HL", password});
    app::add_user(store, cli_manager, {"an", store::UserRole::Admin, std::nullopt, password});
  }

  LoginForm open_login() { return test::open_login(client_); }
  survey_server::ClientResponse post_login(const LoginForm& form, const std::string& user,
                                           const std::string& pw) {
    return test::post_login(client_, form, user, pw);
  }
  std::string log_in(const std::string& user) { return test::log_in(client_, user, password); }

  TestServer server_;
  HttpClient client_ = server_.client();
};

TEST_F(ConsoleLoginTest, WithoutASessionEveryConsolePageIsARedirectToTheLogin) {
  for (const char* path : {"/admin", "/admin/", "/admin/surveys", "/admin/no/such/page"}) {
    auto response = client_.get(path);
    EXPECT_EQ(response.status, 303) << path;
    EXPECT_EQ(response.header("location"), "/admin/login") << path;
  }
  // A bearer key does not open the console.
  auto keyed = client_.get("/admin/", TestServer::as_manager());
  EXPECT_EQ(keyed.status, 303);
  // A made-up session is no session.
  auto forged = client_.get("/admin/", {{"Cookie", "sipas_session=AAAAAAAAAAAAAAAAAAAAAA"}});
  EXPECT_EQ(forged.status, 303);
}

TEST_F(ConsoleLoginTest, TheLoginFormIsBoundToItsOwnCookie) {
  auto page = client_.get("/admin/login");
  ASSERT_EQ(page.status, 200);
  const auto set_cookie = page.header("set-cookie");
  EXPECT_TRUE(set_cookie.starts_with("sipas_login=")) << set_cookie;
  EXPECT_NE(set_cookie.find("; Path=/admin/login"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; SameSite=Strict"), std::string::npos) << set_cookie;
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos) << "http: no Secure";
  EXPECT_NE(page.body.find("name=\"user\""), std::string::npos);
  EXPECT_NE(page.body.find("name=\"password\" type=\"password\""), std::string::npos);
  EXPECT_NE(page.body.find("<html lang=\"vi\""), std::string::npos);
  EXPECT_NE(client_.get("/admin/login?lang=en").body.find("Log in"), std::string::npos);
  const LoginForm form{cookie_pair(set_cookie), csrf_in(page.body)};
  ASSERT_EQ(form.csrf.size(), 64u);

  // Without the cookie, without the _csrf, or with another form's: 403, no session.
  auto no_cookie = client_.post(
      "/admin/login", form_encode({{"user", "minh"}, {"password", password}, {"_csrf", form.csrf}}),
      "application/x-www-form-urlencoded");
  EXPECT_EQ(no_cookie.status, 403);
  auto no_csrf =
      client_.post("/admin/login", form_encode({{"user", "minh"}, {"password", password}}),
                   "application/x-www-form-urlencoded", {{"Cookie", form.cookie}});
  EXPECT_EQ(no_csrf.status, 403);
  const auto other = open_login();
  EXPECT_EQ(post_login({form.cookie, other.csrf}, "minh", password).status, 403);
  for (const auto* r : {&no_cookie, &no_csrf})
    EXPECT_EQ(r->header("set-cookie").find("sipas_session"), std::string::npos);
  // The right pair logs in.
  EXPECT_EQ(post_login(form, "minh", password).status, 303);
}

TEST_F(ConsoleLoginTest, ALoginSetsASessionCookieAndLogoutEndsIt) {
  auto response = post_login(open_login(), "minh", password);
  ASSERT_EQ(response.status, 303) << response.body;
  EXPECT_EQ(response.header("location"), "/admin/?lang=vi");
  const auto set_cookie = response.header("set-cookie");
  EXPECT_TRUE(std::regex_match(
      set_cookie, std::regex("sipas_session=[A-Za-z0-9_-]{22}; Path=/; HttpOnly; SameSite=Strict")))
      << set_cookie;
  const auto session = cookie_pair(set_cookie);
  // The database keeps the id's hash, never the id.
  const auto id = session.substr(session.find('=') + 1);
  EXPECT_EQ(scalar(server_.db(), "SELECT COUNT(*) FROM sessions WHERE id_hash = '" + id + "'"), 0);
  EXPECT_EQ(scalar(server_.db(), "SELECT COUNT(*) FROM sessions"), 1);

  auto home = client_.get("/admin/", {{"Cookie", session}});
  ASSERT_EQ(home.status, 200) << home.body;
  EXPECT_NE(home.body.find("minh"), std::string::npos);
  EXPECT_NE(home.body.find("Quản lý khảo sát"), std::string::npos);
  EXPECT_NE(home.header("content-security-policy").find("default-src 'none'"), std::string::npos);
  // Logged in, the login form sends to the console.
  EXPECT_EQ(client_.get("/admin/login", {{"Cookie", session}}).status, 303);

  // The logout needs the session's _csrf.
  const auto csrf = csrf_in(home.body);
  ASSERT_EQ(csrf.size(), 64u);
  auto refused = client_.post("/admin/logout", form_encode({{"_csrf", std::string(64, '0')}}),
                              "application/x-www-form-urlencoded", {{"Cookie", session}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(client_.get("/admin/", {{"Cookie", session}}).status, 200);
  auto out = client_.post("/admin/logout", form_encode({{"_csrf", csrf}}),
                          "application/x-www-form-urlencoded", {{"Cookie", session}});
  EXPECT_EQ(out.status, 303);
  EXPECT_TRUE(out.header("location").starts_with("/admin/login"));
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(client_.get("/admin/", {{"Cookie", session}}).status, 303);
  EXPECT_EQ(scalar(server_.db(), "SELECT COUNT(*) FROM sessions"), 0);
  // Both ends are in the audit trail, by the person.
  EXPECT_EQ(scalar(server_.db(),
                   "SELECT COUNT(*) FROM audit_log WHERE actor = 'user:minh' AND action IN "
                   "('session.login', 'session.logout')"),
            2);
}

TEST_F(ConsoleLoginTest, EveryWrongLoginGetsOneAnswerAndFiveThrottleTheUser) {
  const auto form = open_login();
  auto wrong = post_login(form, "minh", "not the password");
  auto unknown = post_login(form, "nobody", password);
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(unknown.status, 403);
  // The same page but for the name typed, which is shown again.
  auto body_without = [](std::string body, const std::string& name) {
    for (auto at = body.find(name); at != std::string::npos; at = body.find(name))
      body.erase(at, name.size());
    return body;
  };
  EXPECT_EQ(body_without(wrong.body, "minh"), body_without(unknown.body, "nobody"));
  EXPECT_NE(wrong.body.find("Tên người dùng hoặc mật khẩu không đúng."), std::string::npos);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(post_login(form, "minh", "still wrong " + std::to_string(i)).status, 403);
  // Five wrong passwords: now even the right one is 429, for that user only.
  auto throttled = post_login(form, "minh", password);
  EXPECT_EQ(throttled.status, 429);
  EXPECT_NE(throttled.body.find("15"), std::string::npos);
  EXPECT_EQ(post_login(form, "lan", password).status, 303);
}

TEST_F(ConsoleLoginTest, ADisabledUsersSessionEndsAtOnce) {
  const auto session = log_in("lan");
  auto home = client_.get("/admin/", {{"Cookie", session}});
  ASSERT_EQ(home.status, 200);
  // A unit user's page names the unit, by its name first.
  EXPECT_NE(home.body.find("Phường Hạ Long</a> <small>(QN.HL)</small>"), std::string::npos);
  {
    store::SurveyStore store(server_.db());
    app::set_user_disabled(store, cli_manager, "lan", true);
  }
  EXPECT_EQ(client_.get("/admin/", {{"Cookie", session}}).status, 303);
  // And a disabled user cannot log in again: the one message.
  EXPECT_EQ(post_login(open_login(), "lan", password).status, 403);
}

TEST_F(ConsoleLoginTest, AUnitUserSeesTheirUnitAndBelowAndNothingElse) {
  const auto session = log_in("lan");
  auto status = [&](const std::string& path) {
    return client_.get(path, {{"Cookie", session}}).status;
  };
  EXPECT_EQ(status("/admin/units/QN.HL"), 200);
  EXPECT_EQ(status("/admin/units/QN.HL.1"), 200);
  // The province above, a ward beside, a unit that does not exist, the users:
  // all 403 (a unit user learns nothing of what is outside their unit).
  EXPECT_EQ(status("/admin/units/QN"), 403);
  EXPECT_EQ(status("/admin/units/QN.CP"), 403);
  EXPECT_EQ(status("/admin/units/NOPE"), 403);
  EXPECT_EQ(status("/admin/users"), 403);
  // The list holds their units only, by name with the code in small print.
  const auto list = client_.get("/admin/units", {{"Cookie", session}}).body;
  EXPECT_NE(list.find("Phường Hạ Long</a> <small>(QN.HL)</small>"), std::string::npos) << list;
  EXPECT_NE(list.find("Khu phố 1"), std::string::npos);
  EXPECT_EQ(list.find("Cẩm Phả"), std::string::npos);
  EXPECT_EQ(list.find("Tỉnh Quảng Ninh"), std::string::npos);
  // Its page links up no further than the person may go.
  const auto page = client_.get("/admin/units/QN.HL", {{"Cookie", session}}).body;
  EXPECT_EQ(page.find("/admin/units/QN?"), std::string::npos);
  EXPECT_NE(page.find("/admin/units/QN.HL.1?"), std::string::npos);
  EXPECT_EQ(page.find("/admin/users"), std::string::npos) << "no link to the users";
}

TEST_F(ConsoleLoginTest, TheAdministratorSeesEveryUnitAndTheUsers) {
  const auto session = log_in("an");
  EXPECT_EQ(client_.get("/admin/units/QN", {{"Cookie", session}}).status, 200);
  EXPECT_EQ(client_.get("/admin/units/NOPE", {{"Cookie", session}}).status, 404);
  const auto users = client_.get("/admin/users", {{"Cookie", session}});
  ASSERT_EQ(users.status, 200);
  for (const char* name : {"minh", "lan", "an"})
    EXPECT_NE(users.body.find(std::string("<td>") + name + "</td>"), std::string::npos) << name;
  EXPECT_EQ(users.body.find("argon2"), std::string::npos) << "never a password hash";
  // A manager is not the administrator: no users page.
  EXPECT_EQ(client_.get("/admin/users", {{"Cookie", log_in("minh")}}).status, 403);
}

TEST(ConsoleCookieTest, SecureBehindHttps) {
  survey_server::ServiceOptions options;
  options.public_url = "https://khaosat.example.gov.vn";
  TestServer server(options);
  auto page = server.client().get("/admin/login");
  EXPECT_NE(page.header("set-cookie").find("; Secure"), std::string::npos)
      << page.header("set-cookie");
}

}  // namespace
}  // namespace sipas::test
