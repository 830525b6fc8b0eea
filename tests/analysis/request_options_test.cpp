// The typed options of an analysis request, parsed once from their words:
// good values give the type, bad ones an error naming the request's field
// (never a command-line flag).

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "analysis/calibration.hpp"
#include "analysis/design.hpp"
#include "analysis/error.hpp"
#include "analysis/intervals.hpp"
#include "analysis/nonresponse.hpp"
#include "analysis/replicate.hpp"
#include "analysis/run.hpp"

namespace sipas::analysis {
namespace {

// The error `parse` throws, as "id: message".
std::string error_of(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const AnalysisError& e) {
    return e.id() + ": " + e.what();
  }
  return "no error";
}

TEST(ReplicateMethodTest, ReadsEachKindAndItsArgument) {
  using Kind = ReplicateMethod::Kind;
  EXPECT_EQ(parse_replicate_method("jk1"), (ReplicateMethod{Kind::JK1, std::nullopt}));
  EXPECT_EQ(parse_replicate_method("jkn"), (ReplicateMethod{Kind::JKn, std::nullopt}));
  EXPECT_EQ(parse_replicate_method("bootstrap:50"), (ReplicateMethod{Kind::Bootstrap, 50}));
  EXPECT_EQ(parse_replicate_method("bootstrap"), (ReplicateMethod{Kind::Bootstrap, std::nullopt}));
  EXPECT_EQ(parse_replicate_method("bootstrap").bootstrap_replicates(), 50);
  EXPECT_EQ(parse_replicate_method("bootstrap:200").bootstrap_replicates(), 200);
  EXPECT_EQ(parse_replicate_method("brr"), (ReplicateMethod{Kind::BRR, std::nullopt}));
  EXPECT_EQ(parse_replicate_method("brr").fay_rho(), 0);
  EXPECT_EQ(parse_replicate_method("brr:0.3").fay_rho(), 0.3);
}

TEST(ReplicateMethodTest, WritesTheWordsItReads) {
  for (const char* text : {"jk1", "jkn", "bootstrap", "bootstrap:50", "brr", "brr:0.5"})
    EXPECT_EQ(to_string(parse_replicate_method(text)), text);
}

TEST(ReplicateMethodTest, NamesTheFieldOfABadValue) {
  EXPECT_EQ(error_of([] { parse_replicate_method("bogus"); }),
            "analysis.invalid_option: `replicates` must be jk1, jkn, bootstrap[:R] or brr[:FAY]");
  EXPECT_EQ(error_of([] { parse_replicate_method("jk1:3"); }),
            "analysis.invalid_option: `replicates` must be jk1, jkn, bootstrap[:R] or brr[:FAY]");
  EXPECT_EQ(error_of([] { parse_replicate_method("bootstrap:x"); }),
            "analysis.invalid_option: `replicates` bootstrap:x: 'x' is not a number");
  EXPECT_EQ(error_of([] { parse_replicate_method("bootstrap:1"); }),
            "analysis.invalid_option: `replicates` bootstrap:R needs a whole R from 2 to 100000");
  EXPECT_EQ(error_of([] { parse_replicate_method("bootstrap:2.5"); }),
            "analysis.invalid_option: `replicates` bootstrap:R needs a whole R from 2 to 100000");
  EXPECT_EQ(error_of([] { parse_replicate_method("brr:1"); }),
            "analysis.invalid_option: Fay's rho must be in [0, 1)");
  EXPECT_EQ(error_of([] { parse_replicate_method(""); }),
            "analysis.invalid_option: `replicates` must be jk1, jkn, bootstrap[:R] or brr[:FAY]");
}

TEST(ReplicateTypeTest, ParsesAnyCaseAndNamesTheField) {
  EXPECT_EQ(parse_replicate_type("jkn"), ReplicateType::JKn);
  EXPECT_EQ(parse_replicate_type("Fay"), ReplicateType::Fay);
  EXPECT_EQ(parse_replicate_type("OTHER"), ReplicateType::Other);
  EXPECT_EQ(reptype_option(ReplicateType::JKn), "jkn");
  EXPECT_EQ(to_string(ReplicateType::JKn), "JKn");
  EXPECT_EQ(error_of([] { parse_replicate_type("jk2"); }),
            "analysis.invalid_option: `reptype` must be jk1, jkn, bootstrap, brr, fay or other");
}

TEST(CalibrationFunctionTest, ParsesTheThreeAndNamesTheField) {
  EXPECT_EQ(parse_calibration_function("poststratify"), CalibrationOptions::PostStratify);
  EXPECT_EQ(parse_calibration_function("raking"), CalibrationOptions::Raking);
  EXPECT_EQ(parse_calibration_function("linear"), CalibrationOptions::Linear);
  for (auto method :
       {CalibrationOptions::PostStratify, CalibrationOptions::Raking, CalibrationOptions::Linear})
    EXPECT_EQ(parse_calibration_function(to_string(method)), method);
  EXPECT_EQ(error_of([] { parse_calibration_function("Raking"); }),
            "analysis.invalid_option: `calfun` must be poststratify, raking or linear");
}

TEST(LonelyPsuTest, ParsesEveryRuleAndNamesTheField) {
  for (auto rule : {LonelyPsu::Fail, LonelyPsu::Adjust, LonelyPsu::Average, LonelyPsu::Certainty,
                    LonelyPsu::Remove})
    EXPECT_EQ(parse_lonely_psu(to_string(rule)), rule);
  EXPECT_EQ(parse_lonely_psu("average"), LonelyPsu::Average);
  EXPECT_EQ(error_of([] { parse_lonely_psu("skip"); }),
            "analysis.invalid_option: `design.lonely_psu` must be fail, adjust, average, "
            "certainty or remove");
}

TEST(IntervalMethodTest, ParsesEveryMethodAndNamesTheField) {
  for (auto method :
       {IntervalMethod::Wald, IntervalMethod::Logit, IntervalMethod::XLogit, IntervalMethod::Beta})
    EXPECT_EQ(parse_interval_method(to_string(method)), method);
  EXPECT_EQ(parse_interval_method("beta"), IntervalMethod::Beta);
  EXPECT_EQ(error_of([] { parse_interval_method("wilson"); }),
            "analysis.invalid_option: `interval` must be wald, logit, xlogit or beta");
}

TEST(StatisticKindTest, ParsesEveryKindAndNamesTheField) {
  using Kind = StatisticRequest::Kind;
  for (auto kind : {Kind::Mean, Kind::Total, Kind::Ratio, Kind::Proportion, Kind::Quantile})
    EXPECT_EQ(parse_statistic_kind(to_string(kind)), kind);
  EXPECT_EQ(parse_statistic_kind("proportion"), Kind::Proportion);
  EXPECT_EQ(error_of([] { parse_statistic_kind("median"); }),
            "analysis.invalid_option: `statistics` kind must be mean, total, ratio, proportion "
            "or quantile");
}

TEST(StatisticTest, ParsesEachFormAndNamesTheFieldOfABadOne) {
  using Kind = StatisticRequest::Kind;
  const auto ratio = parse_statistic(Kind::Ratio, "api00/api99");
  EXPECT_EQ(ratio.variable, "api00");
  EXPECT_EQ(ratio.denominator, "api99");
  const auto share = parse_statistic(Kind::Proportion, "q1=4,5");
  EXPECT_EQ(share.codes, (std::vector<std::string>{"4", "5"}));
  EXPECT_EQ(parse_statistic(Kind::Quantile, "api00:0.25").p, 0.25);
  EXPECT_EQ(error_of([] { parse_statistic(Kind::Ratio, "api00"); }),
            "analysis.invalid_option: `statistics.ratio` api00: write NUM/DEN");
  EXPECT_EQ(error_of([] { parse_statistic(Kind::Proportion, "q1"); }),
            "analysis.invalid_option: `statistics.proportion` q1: write VAR=CODE[,CODE...]");
  EXPECT_EQ(error_of([] { parse_statistic(Kind::Quantile, "api00:2"); }),
            "analysis.invalid_option: `statistics.quantile` api00:2: P must be between 0 and 1");
}

TEST(ReplicateRequestTest, ReadsTheWeightsCommandsKinds) {
  EXPECT_EQ(parse_replicate_request("jk1").kind, ReplicateRequest::Kind::JK1);
  EXPECT_EQ(parse_replicate_request("jkn").kind, ReplicateRequest::Kind::JKn);
  const auto bootstrap = parse_replicate_request("bootstrap:80");
  EXPECT_EQ(bootstrap.kind, ReplicateRequest::Kind::Bootstrap);
  EXPECT_EQ(bootstrap.count, 80);
  EXPECT_EQ(parse_replicate_request("bootstrap").count, 50);
  for (const char* bad : {"brr", "bootstrap:", "bootstrapx", "bootstrap:1.5", ""}) {
    EXPECT_EQ(error_of([&] { parse_replicate_request(bad); }),
              "weights.invalid_option: `replicates` must be jk1, jkn, bootstrap or bootstrap:R")
        << bad;
  }
}

}  // namespace
}  // namespace sipas::analysis
