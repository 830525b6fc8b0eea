// Design files (sampling/design_spec.hpp, "sipas-design/1") that are not JSON:
// a typed error naming the file, never a JSON library exception.

#include "sampling/design_spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "sampling/error.hpp"

namespace {

using namespace sipas::sampling;

std::string error_of(const std::string& text) {
  try {
    parse_design_spec(text, "design.json");
  } catch (const SamplingError& e) {
    EXPECT_EQ(e.id(), "design.invalid");
    return e.what();
  }
  ADD_FAILURE() << "parsed: " << text;
  return {};
}

TEST(DesignSpecTest, NotJsonNamesTheByte) {
  EXPECT_EQ(error_of(R"({"format": )"), "design.json: not valid JSON (byte 12)");
}

// nlohmann reports a number past a double's range as out_of_range, not as a
// parse_error: it escaped parse_design_spec as an untyped exception.
TEST(DesignSpecTest, ANumberBeyondADoubleIsInvalidJson) {
  EXPECT_EQ(error_of(R"({"format": "sipas-design/1", "stages": [{"n": 1e400}]})"),
            "design.json: not valid JSON (number overflow parsing '1e400')");
}

}  // namespace
