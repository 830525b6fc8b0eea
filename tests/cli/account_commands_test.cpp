// sipas unit import|list and sipas user add|list|disable|enable|reset, run as
// the executable on a real database file: exit codes, what is printed (a made
// password once), what is stored (a hash, never the password), and that a bad
// units file names its lines and changes nothing.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "app/passwords.hpp"
#include "store/store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::test {
namespace {

class AccountCommandsTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path.string();
  }
  TempDir dir_{"sipas-account-cli"};
  std::string db_ = (dir_.path() / "survey.db").string();
};

TEST_F(AccountCommandsTest, UnitsImportListAndRefuseABadFileWhole) {
  auto units = write("units.csv",
                     "id,name,type,parent\n"
                     "QN,\"Tỉnh Quảng Ninh\",province,\n"
                     "QN.SNV,\"Sở Nội vụ, Quảng Ninh\",department,QN\n"
                     "QN.HL,Phường Hạ Long,ward,QN\n");
  auto r = sipas({"unit", "import", "--db", db_, units});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "units: 3 added, 0 updated, 0 unchanged\n");
  // The database is made 0600: it will hold people's accounts.
  struct stat st {};
  ASSERT_EQ(::stat(db_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  auto bad = write("bad.csv",
                   "id,name,type,parent\n"
                   "QN.CP,Phường Cẩm Phả,ward,QN\n"
                   "QN.X,,ward,QN\n"
                   "QN.Y,Y,ward,QN.NOWHERE\n");
  r = sipas({"unit", "import", "--db", db_, bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.csv:3: name is empty"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bad.csv:4: parent 'QN.NOWHERE'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[units.invalid]"), std::string::npos) << r.err;

  r = sipas({"unit", "list", "--db", db_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "id,name,type,parent\n"
            "QN,\"Tỉnh Quảng Ninh\",\"province\",\n"
            "QN.HL,\"Phường Hạ Long\",\"ward\",QN\n"
            "QN.SNV,\"Sở Nội vụ, Quảng Ninh\",\"department\",QN\n");
}

TEST_F(AccountCommandsTest, UsersAreAddedListedDisabledAndReset) {
  ASSERT_EQ(sipas({"unit", "import", "--db", db_,
                   write("u.csv", "id,name,type,parent\nQN,Quảng Ninh,province,\n")})
                .exit_code,
            0);
  // A password from standard input is not printed.
  auto r =
      sipas({"user", "add", "--db", db_, "--name", "minh", "--role", "admin", "--password-stdin"},
            std::string("một mật khẩu dài\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "user minh added (admin)\n");
  // A made password is printed once.
  r = sipas({"user", "add", "--db", db_, "--name", "lan", "--role", "unit", "--unit", "QN"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto nl = r.out.rfind('\n', r.out.size() - 2);
  const std::string made = r.out.substr(nl + 1, r.out.size() - nl - 2);
  EXPECT_EQ(made.size(), 20u) << r.out;
  {
    store::SurveyStore store(db_);
    EXPECT_TRUE(app::verify_password(store.find_user("lan")->password_hash, made));
    EXPECT_TRUE(app::verify_password(store.find_user("minh")->password_hash, "một mật khẩu dài"));
  }
  EXPECT_EQ(sipas({"user", "list", "--db", db_}).out,
            "lan                      unit       QN               active\n"
            "minh                     admin      -                active\n");

  // Refusals, each with its id and exit code 1.
  for (const auto& [args, input, id] :
       std::vector<std::tuple<std::vector<std::string>, std::optional<std::string>, std::string>>{
           {{"--name", "minh", "--role", "clerk"}, std::nullopt, "user.exists"},
           {{"--name", "x", "--role", "unit"}, std::nullopt, "user.unit_required"},
           {{"--name", "x", "--role", "unit", "--unit", "NOPE"}, std::nullopt, "unit.not_found"},
           {{"--name", "X Y", "--role", "clerk"}, std::nullopt, "user.invalid_name"},
           {{"--name", "x", "--role", "clerk", "--password-stdin"},
            "short\n",
            "user.weak_password"},
           {{"--name", "x", "--role", "clerk", "--password-stdin"}, "", "user.empty_password"},
       }) {
    std::vector<std::string> full{"user", "add", "--db", db_};
    full.insert(full.end(), args.begin(), args.end());
    r = sipas(full, input);
    EXPECT_EQ(r.exit_code, 1) << id;
    EXPECT_NE(r.err.find("[" + id + "]"), std::string::npos) << r.err;
  }
  r = sipas({"user", "add", "--db", db_, "--name", "x", "--role", "boss"});
  EXPECT_EQ(r.exit_code, 1);

  ASSERT_EQ(sipas({"user", "disable", "--db", db_, "--name", "lan"}).exit_code, 0);
  EXPECT_NE(sipas({"user", "list", "--db", db_}).out.find("QN               disabled"),
            std::string::npos);
  ASSERT_EQ(sipas({"user", "enable", "--db", db_, "--name", "lan"}).exit_code, 0);
  r = sipas({"user", "reset", "--db", db_, "--name", "lan"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string remade = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1, 20);
  {
    store::SurveyStore store(db_);
    EXPECT_TRUE(app::verify_password(store.find_user("lan")->password_hash, remade));
    EXPECT_FALSE(app::verify_password(store.find_user("lan")->password_hash, made));
    // The audit trail has every change, by the command line's user, and no
    // password.
    std::vector<std::string> actions;
    for (const auto& e : store.read_audit({.limit = 100})) {
      actions.push_back(e.action);
      EXPECT_TRUE(e.actor.starts_with("cli:")) << e.actor;
      EXPECT_EQ(e.after_json.value_or("").find(made), std::string::npos);
    }
    EXPECT_EQ(actions,
              (std::vector<std::string>{"unit.import", "user.create", "user.create", "user.disable",
                                        "user.enable", "user.reset_password"}));
  }
  EXPECT_EQ(sipas({"user", "reset", "--db", db_, "--name", "nobody"}).exit_code, 1);
}

}  // namespace
}  // namespace sipas::test
