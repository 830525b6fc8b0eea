// The libraries name the fields of their requests; the command line shows
// the flag the user typed instead (cli/flag_names.hpp), with the prefix of
// last year's options in sipas compare, and never a field in backquotes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/process.hpp"

namespace {

using sipas::test::sipas;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string apistrat = std::string(SIPAS_SOURCE_DIR) + "/../shared/data/api/apistrat.csv";

std::vector<std::string> analyze(std::initializer_list<std::string> more) {
  std::vector<std::string> args = {"analyze",   "--data", apistrat, "--strata", "stype",
                                   "--weights", "pw",     "--mean", "api00"};
  args.insert(args.end(), more);
  return args;
}

void expect_user_error(const std::vector<std::string>& args, const std::string& message) {
  const auto r = sipas(args);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr(message));
  EXPECT_THAT(r.err, Not(HasSubstr("`")));
}

TEST(OptionFlagsTest, AnalyzeNamesTheFlagsOfItsTypedOptions) {
  expect_user_error(analyze({"--replicates", "bogus"}),
                    "--replicates must be jk1, jkn, bootstrap[:R] or brr[:FAY] "
                    "[analysis.invalid_option]");
  expect_user_error(analyze({"--replicates", "bootstrap:1"}),
                    "--replicates bootstrap:R needs a whole R from 2 to 100000");
  expect_user_error(analyze({"--repweights", "rw", "--reptype", "jk2"}),
                    "--reptype must be jk1, jkn, bootstrap, brr, fay or other");
  expect_user_error(analyze({"--calibrate", "margins.csv", "--calfun", "logit"}),
                    "--calfun must be poststratify, raking or linear");
  expect_user_error(analyze({"--lonely-psu", "skip"}),
                    "--lonely-psu must be fail, adjust, average, certainty or remove");
  expect_user_error(analyze({"--ci", "wilson"}), "--ci must be wald, logit, xlogit or beta");
  expect_user_error(analyze({"--ratio", "api00"}), "--ratio api00: write NUM/DEN");
}

TEST(OptionFlagsTest, AnalyzeNamesTheFlagsInTheLibrarysMessages) {
  // A prefix of no column: the library names the request's field.
  expect_user_error(analyze({"--repweights", "bogus"}),
                    "no replicate weight columns 'bogus1', 'bogus2', ... (--repweights) "
                    "[replicate.no_columns]");
  expect_user_error(analyze({"--replicates", "jk1", "--repweights", "rw"}),
                    "give --replicates or --repweights, not both");
  expect_user_error(analyze({"--quantile", "api00:0.5", "--replicates", "jkn"}),
                    "leave out --replicates/--repweights for --quantile");
  expect_user_error({"analyze", "--data", apistrat, "--strata", "stype"},
                    "ask for at least one estimate: --mean, --total, --ratio, --prop, "
                    "--quantile, --index, --scheme or --scale");
}

TEST(OptionFlagsTest, CompareNamesLastYearsFlagsWithTheirPrefix) {
  expect_user_error(
      {"compare", "--data", apistrat, "--strata", "stype", "--weights", "pw", "--mean", "api00",
       "--by", "stype", "--last-year-data", apistrat, "--last-year-replicates", "bogus"},
      "--last-year-replicates must be jk1, jkn, bootstrap[:R] or brr[:FAY]");
  expect_user_error(
      {"compare", "--data", apistrat, "--strata", "stype", "--weights", "pw", "--mean", "api00",
       "--by", "stype", "--last-year-data", apistrat, "--last-year-lonely-psu", "skip"},
      "--last-year-lonely-psu must be fail, adjust, average");
  expect_user_error({"compare", "--data", apistrat, "--strata", "stype", "--weights", "pw",
                     "--mean", "api00", "--by", "stype", "--pair", "E,H", "--each-vs-all"},
                    "give --pair or --each-vs-all, not both");
}

TEST(OptionFlagsTest, SampleSizeNamesItsFlags) {
  expect_user_error({"sample", "size", "--frame", apistrat, "--strata", "stype", "--margin", "2"},
                    "--margin must be between 0 and 1");
}

}  // namespace
