// sipas small-area, run as a user runs it: on the milk data against the
// independent R computation (tests/reference/small_area_reference.R), the
// contract's field names, the input order, bad input named by file, line and
// column with nothing written, --help, and the same bytes from the same seed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/sha256.hpp"
#include "tests/support/process.hpp"
#include "tests/support/reference_values.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using sipas::test::reference_file;
using sipas::test::sipas;
using sipas::test::slurp;
using ::testing::HasSubstr;

constexpr double tolerance = 1e-8;

const Json& reference() {
  return sipas::test::reference_json("small_area_reference.json");
}

std::string milk_fixture() {
  return reference_file("small_area_milk.csv");
}

std::string shared_milk() {
  return std::string(SIPAS_SOURCE_DIR) + "/../shared/data/sae/milk.csv";
}

class SmallAreaCommandTest : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return (temp_.path() / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }
  Json run_ok(std::vector<std::string> args) {
    args.insert(args.begin(), "small-area");
    const auto r = sipas(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    last_out_ = r.out;
    const auto out = std::find(args.begin(), args.end(), "--out");
    return Json::parse(slurp(*(out + 1)));
  }
  sipas::test::TempDir temp_;
  std::string last_out_;
};

void expect_matches(const Json& got, const Json& ref) {
  sipas::test::expect_relative(got["sigma2_v"].get<double>(),
                               ref["sigma2_v"]["value"].get<double>(), tolerance, "sigma2_v");
  for (std::size_t k = 0; k < ref["beta"]["value"].size(); ++k) {
    sipas::test::expect_relative(got["beta"][k].get<double>(),
                                 ref["beta"]["value"][k].get<double>(), tolerance, "beta");
    sipas::test::expect_relative(got["beta_se"][k].get<double>(),
                                 ref["beta_se"]["value"][k].get<double>(), tolerance, "beta_se");
  }
  ASSERT_EQ(got["areas"].size(), 43u);
  for (std::size_t i = 0; i < 43; ++i) {
    const Json& a = got["areas"][i];
    for (const char* field : {"eblup", "mse", "gamma"}) {
      sipas::test::expect_relative(a[field].get<double>(), ref[field]["value"][i].get<double>(),
                                   tolerance, std::string(field) + " " + std::to_string(i));
    }
  }
}

TEST_F(SmallAreaCommandTest, HelpSaysWhatItTakes) {
  const auto r = sipas({"small-area", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* text : {"--data", "--area", "--direct", "--variance", "--se", "--covariates",
                           "--factors", "--method", "--level", "--ranks", "--seed", "--rank-level",
                           "--lower-is-better", "--out", "Fay-Herriot", "never replacing it"}) {
    EXPECT_THAT(r.out, HasSubstr(text));
  }
}

TEST_F(SmallAreaCommandTest, MilkWithMajorAreaAsAFactorMatchesR) {
  const Json j =
      run_ok({"--data", milk_fixture(), "--area", "SmallArea", "--direct", "yi", "--variance", "D",
              "--factors", "MajorArea", "--ranks", "200", "--out", path("milk.json")});
  expect_matches(j, reference()["cases"]["milk_factor"]["reml"]);
  // The contract's names.
  EXPECT_EQ(j["method"], "reml");
  for (const char* field : {"sigma2_v", "beta", "beta_se", "areas", "fit", "residual_check",
                            "covariates", "n_areas", "ranks", "inputs", "command_line", "note"})
    EXPECT_TRUE(j.contains(field)) << field;
  for (const char* field : {"area", "direct", "eblup", "mse", "gamma", "direct_se", "rmse",
                            "ci_low", "ci_high", "rank", "rank_low", "rank_high", "residual"})
    EXPECT_TRUE(j["areas"][0].contains(field)) << field;
  EXPECT_EQ(j["covariates"], Json({"MajorArea=2", "MajorArea=3", "MajorArea=4"}));
  EXPECT_EQ(j["n_areas"], 43);
  EXPECT_THAT(j["note"].get<std::string>(), HasSubstr("never replacing it"));
  // The input's order, and its values.
  for (std::size_t i = 0; i < 43; ++i) {
    EXPECT_EQ(j["areas"][i]["area"], std::to_string(i + 1));
  }
  EXPECT_EQ(j["areas"][0]["direct"], 1.099);
  EXPECT_NEAR(j["areas"][0]["direct_se"].get<double>(), 0.163, 1e-15);
  const Json& a = j["areas"][5];
  EXPECT_NEAR(a["ci_high"].get<double>() - a["eblup"].get<double>(),
              1.959963984540054 * std::sqrt(a["mse"].get<double>()), 1e-12);
  EXPECT_LE(a["rank_low"].get<int>(), a["rank"].get<int>());
  EXPECT_GE(a["rank_high"].get<int>(), a["rank"].get<int>());
  EXPECT_EQ(j["ranks"]["replicates"], 200);
  EXPECT_EQ(j["ranks"]["direction"], "higher_is_better");
  EXPECT_EQ(j["inputs"]["data"]["sha256"], sipas::io::sha256_file(milk_fixture()));
  EXPECT_TRUE(j["fit"]["converged"].get<bool>());
  EXPECT_THAT(last_out_, HasSubstr("43 areas, Fay-Herriot REML"));
  EXPECT_THAT(last_out_, HasSubstr("MajorArea=2 0.1328"));
  EXPECT_THAT(last_out_, HasSubstr("narrower than 4.3 places"));
  EXPECT_THAT(last_out_, HasSubstr(path("milk.json")));
}

TEST_F(SmallAreaCommandTest, NumericCovariatesThenFactorsByMl) {
  const Json j = run_ok({"--data", milk_fixture(), "--area", "SmallArea", "--direct", "yi",
                         "--variance", "D", "--covariates", "log_ni", "--factors", "MajorArea",
                         "--method", "ml", "--ranks", "0", "--out", path("ml.json")});
  expect_matches(j, reference()["cases"]["milk_logni_factor"]["ml"]);
  EXPECT_EQ(j["method"], "ml");
  EXPECT_EQ(j["covariates"], Json({"log_ni", "MajorArea=2", "MajorArea=3", "MajorArea=4"}));
  EXPECT_TRUE(j["ranks"].is_null());
  EXPECT_TRUE(j["areas"][0]["rank_low"].is_null());
}

TEST_F(SmallAreaCommandTest, StandardErrorsFromTheSharedFile) {
  // milk.csv as published has standard errors (SD); --se squares them.
  const Json se =
      run_ok({"--data", shared_milk(), "--area", "SmallArea", "--direct", "yi", "--se", "SD",
              "--factors", "MajorArea", "--ranks", "0", "--out", path("se.json")});
  const Json var =
      run_ok({"--data", milk_fixture(), "--area", "SmallArea", "--direct", "yi", "--variance", "D",
              "--factors", "MajorArea", "--ranks", "0", "--out", path("var.json")});
  EXPECT_EQ(se["sigma2_v"], var["sigma2_v"]);
  EXPECT_EQ(se["areas"], var["areas"]);
}

TEST_F(SmallAreaCommandTest, SameSeedSameBytes) {
  const std::vector<std::string> args{
      "small-area", "--data", milk_fixture(), "--area",    "SmallArea", "--direct", "yi",
      "--variance", "D",      "--factors",    "MajorArea", "--ranks",   "100",      "--seed",
      "7",          "--out",  path("r.json")};
  ASSERT_EQ(sipas(args).exit_code, 0);
  const std::string first = slurp(path("r.json"));
  ASSERT_EQ(sipas(args).exit_code, 0);
  EXPECT_EQ(slurp(path("r.json")), first);
  auto other = args;
  other[14] = "8";
  ASSERT_EQ(sipas(other).exit_code, 0);
  const Json a = Json::parse(first), b = Json::parse(slurp(path("r.json")));
  EXPECT_NE(a["areas"][0]["mse_boot"], b["areas"][0]["mse_boot"]);
  EXPECT_EQ(a["areas"][0]["eblup"], b["areas"][0]["eblup"]);
  EXPECT_EQ(b["ranks"]["seed"], 8);
}

TEST_F(SmallAreaCommandTest, BadInputNamesLineAndColumnAndWritesNothing) {
  const std::string header = "commune,share,var,x\n";
  const std::string good = "a,61,20,1\nb,70,25,2\nc,55,30,4\nd,80,15,3\ne,64,22,5\n";
  struct Case {
    std::string rows, id, text;
  };
  const std::vector<Case> cases{
      {"a,61,20,1\nb,70,25,2\nc,abc,30,4\nd,80,15,3\ne,64,22,5\n", "small_area.not_numeric",
       "bad.csv:4: column 'share' (area 'c'): must be a number, not 'abc'"},
      {"a,61,20,1\nb,70,0,2\nc,55,30,4\nd,80,15,3\ne,64,22,5\n", "small_area.invalid_variance",
       "bad.csv:3: column 'var' (area 'b'): the sampling variance must be > 0, not 0"},
      {"a,61,20,1\nb,70,-3,2\nc,55,30,4\nd,80,15,3\ne,64,22,5\n", "small_area.invalid_variance",
       "bad.csv:3: column 'var' (area 'b')"},
      {"a,61,20,1\nb,70,25,\nc,55,30,4\nd,80,15,3\ne,64,22,5\n", "small_area.missing_value",
       "bad.csv:3: column 'x' (area 'b'): no value"},
      {"a,61,20,1\nb,70,25,2\na,55,30,4\nd,80,15,3\ne,64,22,5\n", "small_area.duplicate_area",
       "bad.csv:4: column 'commune' (area 'a'): appears twice (first on line 2)"},
      {"a,61,20,1\nb,70,25,2\nc,55,30,4\n", "small_area.too_few_areas",
       "bad.csv: 3 areas for 2 regression coefficients and σ²_v: the model needs at least 4"},
  };
  for (const auto& c : cases) {
    const std::string data = write("bad.csv", header + c.rows);
    const auto r = sipas({"small-area", "--data", data, "--area", "commune", "--direct", "share",
                          "--variance", "var", "--covariates", "x", "--out", path("never.json")});
    EXPECT_EQ(r.exit_code, 1) << c.id;
    EXPECT_THAT(r.err, HasSubstr(c.text)) << c.id;
    EXPECT_THAT(r.err, HasSubstr("[" + c.id + "]"));
    EXPECT_FALSE(fs::exists(path("never.json"))) << c.id;
  }
  // An earlier results file stays as it was.
  const std::string data = write("bad.csv", header + "a,61,20,1\nb,70,0,2\nc,55,30,4\n");
  write("old.json", "{\"old\": true}\n");
  const auto r = sipas({"small-area", "--data", data, "--area", "commune", "--direct", "share",
                        "--variance", "var", "--out", path("old.json")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(slurp(path("old.json")), "{\"old\": true}\n");
  // A good file goes through.
  const Json j =
      run_ok({"--data", write("good.csv", header + good), "--area", "commune", "--direct", "share",
              "--variance", "var", "--covariates", "x", "--out", path("good.json")});
  EXPECT_EQ(j["areas"].size(), 5u);
}

TEST_F(SmallAreaCommandTest, OptionErrors) {
  const auto both =
      sipas({"small-area", "--data", milk_fixture(), "--area", "SmallArea", "--direct", "yi",
             "--variance", "D", "--se", "SD", "--out", path("x.json")});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_THAT(both.err, HasSubstr("small_area.invalid_option"));
  const auto method =
      sipas({"small-area", "--data", milk_fixture(), "--area", "SmallArea", "--direct", "yi",
             "--variance", "D", "--method", "fh", "--out", path("x.json")});
  EXPECT_EQ(method.exit_code, 1);
  EXPECT_THAT(method.err, HasSubstr("--method must be reml or ml"));
  const auto column = sipas({"small-area", "--data", milk_fixture(), "--area", "SmallArea",
                             "--direct", "yi", "--variance", "Dx", "--out", path("x.json")});
  EXPECT_EQ(column.exit_code, 1);
  EXPECT_THAT(column.err, HasSubstr("Dx"));
  EXPECT_FALSE(fs::exists(path("x.json")));
}

}  // namespace
