#pragma once

// Reference values computed outside sipas (tests/reference/*.json, written by
// the R scripts beside them) and the relative comparison the tests use.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "io/file.hpp"

namespace sipas::test {

// A file of the source tree by its path from the top ("questionnaires/forms/...").
inline std::string source_file(const std::string& path) {
  return std::string(SIPAS_SOURCE_DIR) + "/" + path;
}

inline std::string reference_file(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/tests/reference/" + name;
}

// tests/reference/NAME parsed once per process and name.
inline const nlohmann::json& reference_json(const std::string& name) {
  static std::map<std::string, nlohmann::json> loaded;
  auto it = loaded.find(name);
  if (it == loaded.end())
    it = loaded.emplace(name, nlohmann::json::parse(io::read_file(reference_file(name), 1 << 24)))
             .first;
  return it->second;
}

// |got - want| within `tolerance` relative to |want| (absolute below 1).
inline void expect_relative(double got, double want, double tolerance, const std::string& what) {
  EXPECT_NEAR(got, want, tolerance * std::max(1.0, std::fabs(want))) << what;
}

}  // namespace sipas::test
