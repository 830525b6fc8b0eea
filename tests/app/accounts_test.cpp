// Units, users, logins and sessions (issue 22) on both backends: what the
// command line and the console rely on. Passwords are really hashed with
// Argon2id; sessions really expire by the clock given.

#include <gtest/gtest.h>

#include <fstream>

#include "app/audit.hpp"
#include "app/passwords.hpp"
#include "app/sessions.hpp"
#include "app/units.hpp"
#include "app/use_case_error.hpp"
#include "app/users.hpp"
#include "store/tokens.hpp"
#include "tests/support/raw_database.hpp"
#include "tests/support/refusal_of.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_postgres.hpp"

namespace sipas::app {
namespace {

const Actor manager{"cli:manager", store::Role::Manager};
const Actor analyst{"key:analyst-1", store::Role::Analyst};
constexpr store::Timestamp t0 = 1'800'000'000;
const std::string good_password = "mật khẩu đủ dài 2026";

using test::refusal_of;

std::string message_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

class AccountsTest : public ::testing::TestWithParam<store::db::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == store::db::Backend::Postgres && !postgres_)
      GTEST_SKIP() << test::no_postgres_message;
  }
  static std::unique_ptr<test::TestDatabase> postgres_for(store::db::Backend backend) {
    if (backend != store::db::Backend::Postgres || !test::test_postgres_url()) return nullptr;
    return std::make_unique<test::TestDatabase>();
  }

  std::filesystem::path write(const std::string& name, const std::string& text) {
    auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path;
  }
  std::int64_t count(const std::string& table) {
    return test::scalar(location_, "SELECT COUNT(*) FROM " + table);
  }
  void province() {
    import_units(store_, manager,
                 write("units.csv",
                       "id,name,type,parent\n"
                       "HN,Thành phố Hà Nội,province,\n"
                       "HN.SNV,Sở Nội vụ,department,HN\n"
                       "HN.BD,Phường Ba Đình,ward,HN\n"
                       "HN.BD.1,Tổ dân phố 1,group,HN.BD\n"
                       "HN.HK,Phường Hoàn Kiếm,ward,HN\n"),
                 "units.csv");
  }
  AddedUser add(const std::string& name, store::UserRole role = store::UserRole::Manager,
                std::optional<std::string> unit = std::nullopt) {
    return add_user(store_, manager, {name, role, std::move(unit), good_password});
  }

  test::TempDir dir_{"sipas-accounts"};
  std::unique_ptr<test::TestDatabase> postgres_ = postgres_for(GetParam());
  std::string location_ = postgres_ ? postgres_->url() : (dir_.path() / "survey.db").string();
  store::SurveyStore store_{location_};
};

INSTANTIATE_TEST_SUITE_P(Backends, AccountsTest,
                         ::testing::Values(store::db::Backend::Sqlite,
                                           store::db::Backend::Postgres),
                         test::backend_name);

TEST_P(AccountsTest, UnitsAreATreeAUnitSeesItselfAndBelow) {
  province();
  EXPECT_EQ(count("units"), 5);
  EXPECT_EQ(store_.unit_and_below("HN.BD"), (std::vector<std::string>{"HN.BD", "HN.BD.1"}));
  EXPECT_EQ(store_.unit_and_below("HN").size(), 5u);
  EXPECT_EQ(store_.unit_and_below("HN.SNV"), std::vector<std::string>{"HN.SNV"});
  EXPECT_TRUE(store_.unit_and_below("nowhere").empty());
  const auto unit = store_.find_unit("HN.SNV");
  ASSERT_TRUE(unit);
  EXPECT_EQ(unit->name, "Sở Nội vụ");
  EXPECT_EQ(unit->parent, "HN");

  // Again: nothing changes; a renamed unit and a child listed before its new
  // parent are taken.
  auto counts = import_units(store_, manager,
                             write("more.csv",
                                   "id,name,type,parent\n"
                                   "HN.SNV,Sở Nội vụ Hà Nội,department,HN\n"
                                   "HN.HK.2,Tổ 2,group,HN.HK.X\n"
                                   "HN.HK.X,Khu X,area,HN.HK\n"
                                   "HN,Thành phố Hà Nội,province,\n"),
                             "more.csv");
  EXPECT_EQ(counts.added, 2);
  EXPECT_EQ(counts.updated, 1);
  EXPECT_EQ(counts.unchanged, 1);
  EXPECT_EQ(store_.find_unit("HN.SNV")->name, "Sở Nội vụ Hà Nội");
  EXPECT_EQ(store_.unit_and_below("HN.HK"),
            (std::vector<std::string>{"HN.HK", "HN.HK.2", "HN.HK.X"}));
}

TEST_P(AccountsTest, ABadUnitsFileNamesEveryBadLineAndStoresNothing) {
  province();
  const auto audit_before = count("audit_log");
  try {
    import_units(store_, manager,
                 write("bad.csv",
                       "id,name,type,parent\n"
                       "OK1,Một,ward,HN\n"
                       ",Không mã,ward,HN\n"
                       "OK1,Lặp,ward,HN\n"
                       "B A D,Sai mã,ward,\n"
                       "N1,,ward,HN\n"
                       "N2,Hai,,HN\n"
                       "N3,Ba,ward,NOWHERE\n"
                       "N4,Bốn,ward,N4\n"),
                 "bad.csv");
    FAIL() << "a bad file was imported";
  } catch (const UnitsError& e) {
    EXPECT_EQ(e.id(), "units.invalid");
    EXPECT_EQ(e.problems(),
              (std::vector<std::string>{
                  "bad.csv:3: id is empty",
                  "bad.csv:4: id 'OK1' is already on line 2",
                  "bad.csv:5: id 'B A D' must be 1 to 64 characters of A-Z a-z 0-9 . _ -",
                  "bad.csv:6: name is empty",
                  "bad.csv:7: type is empty",
                  "bad.csv:8: parent 'NOWHERE' is neither in the file nor a stored unit",
                  "bad.csv:9: a unit cannot be its own parent",
              }));
    EXPECT_NE(std::string(e.what()).find("7 problems, nothing was stored"), std::string::npos);
  }
  EXPECT_EQ(count("units"), 5);
  EXPECT_EQ(count("audit_log"), audit_before);

  // A circle through a stored unit: HN.BD's parent would become its child.
  EXPECT_EQ(refusal_of([&] {
              import_units(store_, manager,
                           write("circle.csv",
                                 "id,name,type,parent\n"
                                 "HN.BD,Phường Ba Đình,ward,HN.BD.1\n"),
                           "circle.csv");
            }).first,
            "units.invalid");
  EXPECT_EQ(store_.find_unit("HN.BD")->parent, "HN");
  // A missing column is the CSV reader's error, naming the column.
  EXPECT_NE(message_of([&] {
              import_units(store_, manager, write("cols.csv", "id,name,type\nA,B,C\n"), "cols.csv");
            }).find("parent"),
            std::string::npos);
  // Only a manager imports.
  EXPECT_EQ(refusal_of([&] {
              import_units(store_, analyst, write("ok.csv", "id,name,type,parent\nZ,Z,ward,\n"),
                           "ok.csv");
            }),
            std::make_pair(std::string("auth.forbidden"), std::optional(Refusal::Forbidden)));
}

TEST_P(AccountsTest, UsersAreAddedWithAnArgon2idHashAndNeverThePassword) {
  province();
  auto minh = add("minh");
  EXPECT_FALSE(minh.generated_password);
  auto stored = store_.find_user("minh");
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->password_hash.starts_with("$argon2id$")) << stored->password_hash;
  EXPECT_TRUE(verify_password(stored->password_hash, good_password));
  EXPECT_FALSE(verify_password(stored->password_hash, good_password + "x"));

  auto lan = add_user(store_, manager, {"lan", store::UserRole::Unit, "HN.BD", std::nullopt});
  ASSERT_TRUE(lan.generated_password);
  EXPECT_EQ(lan.generated_password->size(), 20u);
  EXPECT_TRUE(verify_password(store_.find_user("lan")->password_hash, *lan.generated_password));
  EXPECT_EQ(store_.find_user("lan")->unit, "HN.BD");

  // Neither password nor hash is anywhere in the audit trail.
  for (const auto& entry : store_.read_audit({.limit = 100})) {
    const std::string all = entry.after_json.value_or("") + entry.before_json.value_or("");
    EXPECT_EQ(all.find(good_password), std::string::npos);
    EXPECT_EQ(all.find(*lan.generated_password), std::string::npos);
    EXPECT_EQ(all.find("argon2"), std::string::npos);
  }
  EXPECT_EQ(store_.read_audit({.limit = 100}).back().action, "user.create");

  using P = std::pair<std::string, std::optional<Refusal>>;
  EXPECT_EQ(refusal_of([&] { add("minh"); }), P("user.exists", Refusal::Conflict));
  EXPECT_EQ(refusal_of([&] { add("Minh"); }), P("user.invalid_name", Refusal::BadRequest));
  EXPECT_EQ(refusal_of([&] { add(""); }), P("user.invalid_name", Refusal::BadRequest));
  EXPECT_EQ(refusal_of([&] { add("x", store::UserRole::Unit); }),
            P("user.unit_required", Refusal::BadRequest));
  EXPECT_EQ(refusal_of([&] { add("x", store::UserRole::Unit, "NOWHERE"); }),
            P("unit.not_found", Refusal::NotFound));
  EXPECT_EQ(refusal_of([&] {
              add_user(store_, manager, {"x", store::UserRole::Clerk, std::nullopt, "short"});
            }),
            P("user.weak_password", Refusal::BadRequest));
  EXPECT_EQ(refusal_of([&] {
              add_user(store_, analyst, {"x", store::UserRole::Clerk, std::nullopt, good_password});
            }),
            P("auth.forbidden", Refusal::Forbidden));
  EXPECT_EQ(count("users"), 2);
}

TEST_P(AccountsTest, ALoginGivesASessionKeptOnlyAsItsHash) {
  add("minh");
  auto in = log_in(store_, {"minh", good_password}, t0);
  EXPECT_TRUE(store::is_token_syntax(in.session_id, store::token_bytes));
  EXPECT_EQ(in.user.name, "minh");
  EXPECT_EQ(count("sessions"), 1);
  EXPECT_EQ(test::scalar(location_, "SELECT COUNT(*) FROM sessions WHERE id_hash = '" +
                                        store::hash_secret(in.session_id) + "'"),
            1);
  EXPECT_EQ(test::scalar(location_,
                         "SELECT COUNT(*) FROM sessions WHERE id_hash = '" + in.session_id + "'"),
            0);
  auto user = current_user(store_, in.session_id, t0 + 5);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->name, "minh");
  // A second login is another session.
  auto again = log_in(store_, {"minh", good_password}, t0 + 10);
  EXPECT_NE(again.session_id, in.session_id);
  EXPECT_FALSE(current_user(store_, "not-a-session", t0));
  EXPECT_FALSE(current_user(store_, store::random_token(store::token_bytes), t0));
  const auto audit = store_.read_audit({.limit = 100});
  EXPECT_EQ(audit.back().action, "session.login");
  EXPECT_EQ(audit.back().actor, "user:minh");

  log_out(store_, in.session_id);
  EXPECT_FALSE(current_user(store_, in.session_id, t0 + 20));
  EXPECT_TRUE(current_user(store_, again.session_id, t0 + 20));
  EXPECT_EQ(store_.read_audit({.limit = 100}).back().action, "session.logout");
}

TEST_P(AccountsTest, UnknownUserWrongPasswordAndDisabledUserGetOneMessage) {
  add("minh");
  add("hoa");
  set_user_disabled(store_, manager, "hoa", true);
  std::vector<std::string> messages;
  for (const auto& [user, password] :
       std::vector<std::pair<std::string, std::string>>{{"minh", "wrong password!!"},
                                                        {"nobody", good_password},
                                                        {"hoa", good_password},
                                                        {"BAD NAME", good_password},
                                                        {"minh", std::string(5000, 'x')}}) {
    try {
      log_in(store_, {user, password}, t0);
      ADD_FAILURE() << user << " logged in";
    } catch (const UseCaseError& e) {
      EXPECT_EQ(e.id(), "auth.login_failed");
      EXPECT_EQ(e.refusal(), Refusal::Forbidden);
      messages.push_back(e.what());
    }
  }
  for (const auto& m : messages)
    EXPECT_EQ(m, messages.front());
  EXPECT_EQ(count("sessions"), 0);
}

TEST_P(AccountsTest, FiveWrongPasswordsThrottleThatUserOnEveryNode) {
  add("minh");
  add("hoa");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(refusal_of([&] {
                log_in(store_, {"minh", "wrong password " + std::to_string(i)}, t0 + i);
              }).first,
              "auth.login_failed");
  }
  // Now even the right password is refused, from another connection too
  // (another node), while the other user is not held up.
  store::SurveyStore other_node(location_);
  EXPECT_EQ(refusal_of([&] {
              log_in(other_node, {"minh", good_password}, t0 + 60);
            }),
            std::make_pair(std::string("auth.login_throttled"), std::optional(Refusal::Throttled)));
  EXPECT_NO_THROW(log_in(other_node, {"hoa", good_password}, t0 + 60));
  // Unknown names are throttled the same way (no telling who exists).
  for (int i = 0; i < 5; ++i)
    (void)refusal_of([&] { log_in(store_, {"ghost", "x"}, t0 + i); });
  EXPECT_EQ(refusal_of([&] {
              log_in(store_, {"ghost", "x"}, t0 + 10);
            }).first,
            "auth.login_throttled");
  // Fifteen minutes after the first failure the oldest leaves the window.
  EXPECT_NO_THROW(log_in(store_, {"minh", good_password}, t0 + 15 * 60));
}

TEST_P(AccountsTest, SessionsEndWhenIdleTooOldDisabledOrPasswordChanged) {
  add("minh");
  // Idle: 30 minutes without a request.
  auto a = log_in(store_, {"minh", good_password}, t0);
  EXPECT_TRUE(current_user(store_, a.session_id, t0 + 29 * 60));
  EXPECT_TRUE(current_user(store_, a.session_id, t0 + 58 * 60));  // touched at 29 min
  EXPECT_FALSE(current_user(store_, a.session_id, t0 + 58 * 60 + 30 * 60));
  EXPECT_EQ(count("sessions"), 0);  // removed when found expired

  // Absolute: 12 hours after login, however busy.
  auto b = log_in(store_, {"minh", good_password}, t0);
  for (store::Timestamp t = t0; t < t0 + 12 * 3600; t += 20 * 60)
    ASSERT_TRUE(current_user(store_, b.session_id, t)) << (t - t0);
  EXPECT_FALSE(current_user(store_, b.session_id, t0 + 12 * 3600));

  // Disabled: every session of the user ends at once.
  auto c = log_in(store_, {"minh", good_password}, t0);
  auto d = log_in(store_, {"minh", good_password}, t0);
  set_user_disabled(store_, manager, "minh", true);
  EXPECT_FALSE(current_user(store_, c.session_id, t0 + 1));
  EXPECT_FALSE(current_user(store_, d.session_id, t0 + 1));
  set_user_disabled(store_, manager, "minh", false);

  // A new password ends them too, and the old password no longer works.
  auto e = log_in(store_, {"minh", good_password}, t0);
  const auto made = reset_password(store_, manager, "minh", std::nullopt);
  ASSERT_TRUE(made);
  EXPECT_FALSE(current_user(store_, e.session_id, t0 + 1));
  EXPECT_EQ(refusal_of([&] {
              log_in(store_, {"minh", good_password}, t0 + 2);
            }).first,
            "auth.login_failed");
  EXPECT_NO_THROW(log_in(store_, {"minh", *made}, t0 + 3));
  EXPECT_EQ(refusal_of([&] { reset_password(store_, manager, "nobody", std::nullopt); }).first,
            "user.not_found");
}

TEST_P(AccountsTest, OldSessionsAndFailuresAreRemovedAsTimeGoesOn) {
  add("minh");
  auto old = log_in(store_, {"minh", good_password}, t0);
  (void)refusal_of([&] { log_in(store_, {"minh", "wrong password here"}, t0); });
  EXPECT_EQ(count("sessions"), 1);
  EXPECT_EQ(count("login_failures"), 1);
  // A day later: the next wrong password and the next login clear the old rows.
  (void)refusal_of([&] { log_in(store_, {"minh", "wrong password again"}, t0 + 25 * 3600); });
  EXPECT_EQ(count("login_failures"), 1);
  auto fresh = log_in(store_, {"minh", good_password}, t0 + 25 * 3600);
  EXPECT_EQ(count("sessions"), 1);
  EXPECT_FALSE(current_user(store_, old.session_id, t0 + 25 * 3600));
  // Another connection (a restarted server, another node) finds the session.
  store::SurveyStore other(location_);
  EXPECT_TRUE(current_user(other, fresh.session_id, t0 + 25 * 3600 + 1));
}

TEST(CsrfTokenTest, BoundToItsSessionAndNotTheSessionId) {
  const std::string a = store::random_token(), b = store::random_token();
  EXPECT_EQ(csrf_token(a).size(), 64u);
  EXPECT_TRUE(csrf_matches(a, csrf_token(a)));
  EXPECT_FALSE(csrf_matches(a, csrf_token(b)));
  EXPECT_FALSE(csrf_matches(a, ""));
  EXPECT_FALSE(csrf_matches(a, csrf_token(a).substr(1)));
  // The page's token does not find the session: another hash than the store key.
  EXPECT_NE(csrf_token(a), session_key(a));
}

TEST(PasswordTest, HashesAreSaltedAndChecked) {
  const auto one = hash_password(good_password), two = hash_password(good_password);
  EXPECT_NE(one, two);
  EXPECT_TRUE(verify_password(one, good_password));
  EXPECT_TRUE(verify_password(two, good_password));
  EXPECT_FALSE(verify_password("not a hash", good_password));
  EXPECT_FALSE(verify_password("", good_password));
  EXPECT_NO_THROW(check_password(std::string(12, 'a')));
  EXPECT_THROW(check_password(std::string(11, 'a')), UseCaseError);
  EXPECT_THROW(check_password(std::string(257, 'a')), UseCaseError);
  EXPECT_NE(generate_password(), generate_password());
}

}  // namespace
}  // namespace sipas::app
