// The sipas executable, run as a user runs it: exit codes, messages, JSON.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace {

using sipas::test::sipas;
using ::testing::HasSubstr;

std::string forms(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/questionnaires/forms/" + name;
}
std::string responses(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/questionnaires/examples/responses/" + name;
}

class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content)
      : path_(std::filesystem::temp_directory_path() /
              ("sipas-cli-" + std::to_string(::getpid()) + "-" + name)) {
    std::ofstream(path_) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(CliTest, HelpListsTheCommands) {
  auto r = sipas({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("questionnaire"));
  EXPECT_THAT(r.out, HasSubstr("demo"));
  auto sub = sipas({"questionnaire", "validate", "--help"});
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_THAT(sub.out, HasSubstr("error id"));
}

TEST(CliTest, NoCommandOrUnknownOptionIsAUserError) {
  EXPECT_EQ(sipas({}).exit_code, 1);
  auto r = sipas({"questionnaire", "check", "--frobnicate", forms("sipas-citizen.json")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("frobnicate"));
}

TEST(CliTest, CheckSummarisesTheStandardForms) {
  auto r = sipas({"questionnaire", "check", forms("sipas-citizen.json"),
                  forms("par-officials.json"), forms("sipas-short.json")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("sipas-citizen.json: ok"));
  EXPECT_THAT(r.out, HasSubstr("P3 (8)"));
  EXPECT_THAT(r.out, HasSubstr("vi, en"));
  EXPECT_THAT(r.out, HasSubstr("PAR points     32"));
}

TEST(CliTest, CheckAsJson) {
  auto r = sipas({"questionnaire", "check", "--json", forms("sipas-citizen.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(r.out);
  ASSERT_EQ(report.size(), 1u);
  EXPECT_TRUE(report[0]["ok"].get<bool>());
  EXPECT_EQ(report[0]["summary"]["scored_items"], 33);
  EXPECT_EQ(report[0]["summary"]["elements"].size(), 9u);
}

TEST(CliTest, CheckReportsEveryProblemWithFileItemFieldAndPosition) {
  auto doc = nlohmann::json::parse(sipas::test::slurp(forms("sipas-short.json")));
  doc["sections"][1]["items"][0]["relevant"] = "${s_field} = ";
  doc["sections"][1]["items"][1]["type"] = "slider";
  TempFile file("broken.json", doc.dump());
  auto r = sipas({"questionnaire", "check", file.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("2 problems"));
  EXPECT_THAT(r.err, HasSubstr("/sections/1/items/0/relevant, position 14"));
  EXPECT_THAT(r.err, HasSubstr("[questionnaire.expression_error]"));
  EXPECT_THAT(r.err, HasSubstr("[questionnaire.unknown_type]"));
  auto json = sipas({"questionnaire", "check", "--json", file.path()});
  EXPECT_EQ(json.exit_code, 1);
  auto report = nlohmann::json::parse(json.out);
  EXPECT_FALSE(report[0]["ok"].get<bool>());
  EXPECT_EQ(report[0]["problems"].size(), 2u);
}

TEST(CliTest, ValidateAcceptsAGoodResponse) {
  auto r = sipas({"questionnaire", "validate", forms("sipas-citizen.json"),
                  responses("sipas-citizen-1.json")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("valid"));
}

TEST(CliTest, ValidatePrintsEveryProblemAndExitsOne) {
  auto r = sipas({"questionnaire", "validate", forms("sipas-citizen.json"),
                  responses("sipas-citizen-invalid.json")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("6 problems"));
  EXPECT_THAT(r.out, HasSubstr("a_sex: Vui lòng trả lời câu hỏi này. [response.required_missing]"));
  auto json = sipas({"questionnaire", "validate", "--json", forms("sipas-citizen.json"),
                     responses("sipas-citizen-invalid.json")});
  auto result = nlohmann::json::parse(json.out);
  EXPECT_FALSE(result["valid"].get<bool>());
  EXPECT_EQ(result["issues"].size(), 6u);
  EXPECT_EQ(result["issues"][0]["id"], "response.required_missing");
}

TEST(CliTest, MalformedResponseNamesTheFile) {
  TempFile file("bad-response.json", "{\"answers\": [1, 2");
  auto r = sipas({"questionnaire", "validate", forms("sipas-citizen.json"), file.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("bad-response.json"));
  EXPECT_THAT(r.err, HasSubstr("[response.malformed]"));
}

TEST(CliTest, MissingFileIsAUserError) {
  auto r = sipas({"questionnaire", "check", "/nonexistent/form.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/form.json"));
}

TEST(CliTest, DemoRefusesAnOutputFolderItCannotCreate) {
  TempFile file("demo-out-is-a-file", "not a folder");
  auto r = sipas({"demo", "--out", file.path() + "/outputs"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("[demo.bad_out]"));
  EXPECT_THAT(r.err, HasSubstr(file.path() + "/outputs"));
  std::ifstream in(file.path());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "not a folder");
}

}  // namespace
