// Every error of the sipas command in one form, "sipas: error: MESSAGE [ID]",
// the command line's own errors too (cli/usage_errors.cpp), with "did you
// mean" for a misspelled option or command.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/support/process.hpp"

namespace {

using sipas::test::sipas;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string api(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/../shared/data/api/" + name + ".csv";
}

// One line on standard error, in the one form, with the id; exit code 1.
void expect_error(const sipas::test::ProcessResult& r, const std::string& id,
                  const std::string& message) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, StartsWith("sipas: error: ")) << r.err;
  EXPECT_THAT(r.err, EndsWith(" [" + id + "]\n")) << r.err;
  EXPECT_THAT(r.err, HasSubstr(message)) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(UsageErrorsTest, MisspelledOptionSuggestsTheOption) {
  expect_error(sipas({"analyze", "--data", api("apistrat"), "--strat", "stype", "--mean", "api00"}),
               "cli.unknown_option",
               "analyze: unknown option --strat; did you mean --strata? (sipas analyze --help)");
  expect_error(sipas({"analyze", "--data", api("apistrat"), "--mean=api00", "--wieghts=pw"}),
               "cli.unknown_option", "unknown option --wieghts; did you mean --weights?");
}

TEST(UsageErrorsTest, UnknownOptionFarFromEveryNameHasNoGuess) {
  auto r = sipas({"analyze", "--data", api("apistrat"), "--zzzzzzzz", "--mean", "api00"});
  expect_error(r, "cli.unknown_option", "analyze: unknown option --zzzzzzzz");
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("did you mean")));
}

TEST(UsageErrorsTest, MisspelledCommandSuggestsTheCommand) {
  expect_error(sipas({"analyse", "--data", api("apistrat")}), "cli.unknown_command",
               "unknown command 'analyse'; did you mean analyze?");
  expect_error(sipas({"survey", "crate", "--db", "x.db"}), "cli.unknown_command",
               "survey: unknown command 'crate'; did you mean create?");
  auto far = sipas({"zzzzzz"});
  expect_error(far, "cli.unknown_command", "unknown command 'zzzzzz'; the commands: ");
  EXPECT_THAT(far.err, HasSubstr("analyze"));
}

TEST(UsageErrorsTest, NoCommandListsTheCommands) {
  expect_error(sipas({}), "cli.missing_command", "give a command: ");
}

TEST(UsageErrorsTest, MissingOptionHasAnId) {
  expect_error(sipas({"small-area", "--area", "a", "--direct", "d", "--out", "sae.json"}),
               "cli.missing_option", "small-area: --data is required");
}

TEST(UsageErrorsTest, BadValueHasAnId) {
  expect_error(sipas({"analyze", "--data", api("apistrat"), "--mean", "api00", "--format", "xml"}),
               "cli.bad_value", "analyze: --format");
  expect_error(sipas({"analyze", "--data", api("apistrat"), "--mean", "api00", "--level", "abc"}),
               "cli.bad_value", "analyze: Could not convert: --level = abc");
  expect_error(sipas({"analyze", "--mean", "api00", "--data"}), "cli.bad_value", "analyze: --data");
}

TEST(UsageErrorsTest, StrayArgumentSuggestsTheOption) {
  // "strata" without its dashes, after --data's value.
  expect_error(sipas({"analyze", "--data", api("apistrat"), "strata", "--mean", "api00"}),
               "cli.unexpected_argument", "unexpected argument 'strata'; did you mean --strata?");
}

TEST(UsageErrorsTest, LibraryErrorsInTheSameForm) {
  expect_error(sipas({"analyze", "--data", "no-such-file.csv", "--mean", "api00"}), "io.not_found",
               "no-such-file.csv: no such file");
}

TEST(UsageErrorsTest, MissingColumnListsTheColumns) {
  auto r = sipas({"analyze", "--data", api("apisrs"), "--mean", "api01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no column 'api01' (columns: cds, stype, name, sname, snum, "));
  EXPECT_THAT(r.err, HasSubstr("api00, api99, "));
  auto by = sipas({"analyze", "--data", api("apisrs"), "--mean", "api00", "--by", "styp"});
  EXPECT_EQ(by.exit_code, 1);
  EXPECT_THAT(by.err, HasSubstr("no column 'styp' (columns: cds, stype, "));
}

TEST(UsageErrorsTest, HelpAndVersionStillSucceed) {
  auto help = sipas({"analyze", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_THAT(help.out, HasSubstr("--strata"));
  auto version = sipas({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_THAT(version.out, HasSubstr("sipas"));
}

}  // namespace
