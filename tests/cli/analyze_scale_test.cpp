// sipas analyze --scale and the scales of --index's elements, run as a
// statistician runs them; results.json against R's psych::alpha and
// survey::svyvar (tests/reference/scale_reference.json).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "io/file.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sipas::test::sipas;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr double tolerance = 1e-9;

std::string reference_path(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/tests/reference/" + name;
}

std::string form(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/questionnaires/forms/" + name;
}

const Json& reference() {
  static const Json doc =
      Json::parse(sipas::io::read_file(reference_path("scale_reference.json"), 1 << 22));
  return doc;
}

// One scale of results.json against R's record of it.
void expect_matches_r(const Json& scale, const Json& ref) {
  const std::string name = scale["name"];
  SCOPED_TRACE("scale " + name);
  EXPECT_NEAR(scale["alpha"].get<double>(), ref["raw_alpha"]["value"].get<double>(), tolerance);
  EXPECT_NEAR(scale["std_alpha"].get<double>(), ref["std_alpha"]["value"].get<double>(), tolerance);
  EXPECT_NEAR(scale["alpha_weighted"].get<double>(), ref["alpha_weighted"]["value"].get<double>(),
              tolerance);
  ASSERT_EQ(scale["items"], ref["items"]);
  for (std::size_t j = 0; j < scale["items"].size(); ++j) {
    const std::string item = scale["items"][j];
    SCOPED_TRACE("item " + item);
    EXPECT_NEAR(scale["item_rest"][j].get<double>(), ref["r_drop"]["value"][item].get<double>(),
                tolerance);
    EXPECT_NEAR(scale["alpha_if_dropped"][j].get<double>(),
                ref["alpha_drop"]["value"][item].get<double>(), tolerance);
    EXPECT_NEAR(scale["dont_know_share"][j].get<double>(),
                ref["dont_know_share"]["value"][item].get<double>(), 1e-15);
    EXPECT_NEAR(scale["missing_share"][j].get<double>(),
                ref["missing_share"]["value"][item].get<double>(), 1e-15);
    EXPECT_EQ(scale["valid_n"][j], ref["n"]["value"][item]);
  }
}

TEST(AnalyzeScaleTest, ScaleOptionsWriteTheirQualityToResultsJson) {
  sipas::test::TempDir dir;
  const auto out = (dir / "results.json").string();
  auto r = sipas({"analyze", "--data", reference_path("scale_items.csv"), "--weights", "w",
                  "--mean", "b1", "--scale", "A=a1,a2,a3,a4", "--scale", "C=c1,c2", "--dont-know",
                  "9", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json results = Json::parse(sipas::test::slurp(out));
  ASSERT_EQ(results["scales"].size(), 2u);
  EXPECT_EQ(results["scales"][0]["name"], "A");
  EXPECT_EQ(results["scales"][0]["source"], "option");
  EXPECT_EQ(results["scales"][0]["rows"], 60);
  expect_matches_r(results["scales"][0], reference()["items"]["A"]);
  expect_matches_r(results["scales"][1], reference()["items"]["C"]);
  EXPECT_EQ(results["estimates"].size(), 1u);  // the mean, and nothing more
}

TEST(AnalyzeScaleTest, ScalesAloneAreEnoughToRun) {
  auto r = sipas({"analyze", "--data", reference_path("scale_items.csv"), "--weights", "w",
                  "--scale", "D=d1,d2,d3", "--dont-know", "9"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json results = Json::parse(r.out);
  EXPECT_TRUE(results["estimates"].empty());
  const Json& d = results["scales"][0];
  EXPECT_EQ(d["no_variance"], Json::array({"d3"}));
  EXPECT_TRUE(d["item_rest"][2].is_null());
  EXPECT_TRUE(d["alpha_if_dropped"][2].is_null());
  EXPECT_NEAR(d["alpha"].get<double>(), reference()["items"]["D"]["raw_alpha"]["value"], tolerance);
}

TEST(AnalyzeScaleTest, TheCsvStaysOneRowPerEstimate) {
  auto r = sipas({"analyze", "--data", reference_path("scale_items.csv"), "--weights", "w",
                  "--mean", "b1", "--scale", "B=b1,b2,b3", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2);  // header and the mean
}

TEST(AnalyzeScaleTest, EveryElementOfTheOfficialsMatrixIsAScale) {
  auto r = sipas({"analyze", "--data", reference_path("scale_officials.csv"), "--weights", "weight",
                  "--index", form("par-officials.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json results = Json::parse(r.out);
  const Json& scales = results["scales"];
  ASSERT_EQ(scales.size(), 8u);
  for (const auto& scale : scales) {
    EXPECT_EQ(scale["source"], "element");
    if (scale["name"] == "A8") {
      // One item: no alpha, but its answers are still counted.
      EXPECT_EQ(scale["items"], Json::array({"p8_1"}));
      EXPECT_TRUE(scale["alpha"].is_null());
      EXPECT_TRUE(scale["alpha_weighted"].is_null());
      EXPECT_TRUE(scale["item_rest"][0].is_null());
      continue;
    }
    expect_matches_r(scale, reference()["officials"][scale["name"].get<std::string>()]);
  }
}

TEST(AnalyzeScaleTest, EveryElementOfTheCitizenFormIsAScaleBesideAskedOnes) {
  auto r = sipas({"analyze", "--data", reference_path("scale_citizen.csv"), "--weights", "weight",
                  "--index", form("sipas-citizen.json"), "--scale",
                  "E3b=q9_23,q9_24,q9_25,q9_26,q9_27"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json results = Json::parse(r.out);
  const Json& scales = results["scales"];
  ASSERT_EQ(scales.size(), 1 + reference()["citizen"].size());
  EXPECT_EQ(scales[0]["name"], "E3b");
  EXPECT_EQ(scales[0]["source"], "option");
  // The same items as the element E3: the same numbers.
  expect_matches_r(scales[0], reference()["citizen"]["E3"]);
  for (std::size_t k = 1; k < scales.size(); ++k)
    expect_matches_r(scales[k], reference()["citizen"][scales[k]["name"].get<std::string>()]);
}

TEST(AnalyzeScaleTest, BadScalesAreUserErrors) {
  const std::string data = reference_path("scale_items.csv");
  auto one = sipas({"analyze", "--data", data, "--scale", "A=a1"});
  EXPECT_EQ(one.exit_code, 1);
  EXPECT_THAT(one.err, HasSubstr("--scale A=a1: a scale needs at least two items"));
  auto twice = sipas({"analyze", "--data", data, "--scale", "A=a1,a2", "--scale", "A=a3,a4"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_THAT(twice.err, HasSubstr("analysis.duplicate_scale"));
  auto absent = sipas({"analyze", "--data", data, "--scale", "A=a1,nope"});
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_THAT(absent.err, HasSubstr("nope"));
  auto text = sipas({"analyze", "--data", data, "--scale", "A=a1,id"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.err, HasSubstr("column 'id' must be a number"));
}

}  // namespace
