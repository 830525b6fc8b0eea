// The five api designs of the R reference (tests/reference/analysis_reference.R)
// and helpers to compare with it, shared by the analysis tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "analysis/design.hpp"
#include "io/file.hpp"

namespace sipas::analysis::test {

using Json = nlohmann::json;

inline const Json& reference() {
  static const Json doc = Json::parse(sipas::io::read_file(
      std::string(SIPAS_SOURCE_DIR) + "/tests/reference/analysis_reference.json", 1 << 24));
  return doc;
}

inline std::string data_file(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/../shared/data/api/" + name + ".csv";
}

inline double value_of(const Json& entry) {
  const Json& v = entry["value"];
  if (v.is_object()) return v.begin()->get<double>();
  return v.get<double>();
}

inline void expect_rel(double got, double want, double tolerance, const std::string& what) {
  EXPECT_NEAR(got, want, tolerance * std::max(1.0, std::fabs(want))) << what;
}
inline constexpr double estimate_tolerance = 1e-9;
inline constexpr double se_tolerance = 1e-7;

// One design of the reference: its name there, its data file, its columns.
struct Case {
  std::string name, file;
  DesignColumns columns;
};

// dsrs, dstrat, dclus1, dclus2 and dclus2_nofpc, as svydesign() builds them in
// analysis_reference.R.
inline std::vector<Case> cases() {
  auto make = [](std::string name, std::string file, std::string strata,
                 std::vector<std::string> clusters, std::string weights,
                 std::vector<std::string> fpc) {
    Case c{std::move(name), std::move(file), {}};
    c.columns.strata = std::move(strata);
    c.columns.clusters = std::move(clusters);
    c.columns.weights = std::move(weights);
    c.columns.fpc = std::move(fpc);
    return c;
  };
  return {make("dsrs", "apisrs", "", {}, "", {"fpc"}),
          make("dstrat", "apistrat", "stype", {}, "pw", {"fpc"}),
          make("dclus1", "apiclus1", "", {"dnum"}, "pw", {"fpc"}),
          make("dclus2", "apiclus2", "", {"dnum", "snum"}, "", {"fpc1", "fpc2"}),
          make("dclus2_nofpc", "apiclus2", "", {"dnum", "snum"}, "pw", {})};
}

// gtest prints a parameter with this (not as bytes).
inline void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

inline std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

}  // namespace sipas::analysis::test
