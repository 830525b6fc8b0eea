#pragma once

// The bytes of an export with the times its format records from the clock
// masked (no option of the libraries sets them), so that two runs of one
// export compare equal: the .sav header's creation date and time, the .dta
// <timestamp>, and dcterms:created / dcterms:modified in an XLSX workbook's
// docProps/core.xml (a workbook is compared member by member, read with
// unzip: the zip's own headers carry times too). Nothing else is masked.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "tests/support/process.hpp"

namespace sipas::test {

// The .sav header: "$FL2", the product name (60 bytes), five 4-byte fields
// and the 8-byte compression bias, then the creation date (9 bytes,
// "dd mmm yy") and time (8 bytes, "hh:mm:ss").
inline std::string masked_sav(std::string bytes) {
  constexpr std::size_t date_at = 92, time_end = 109;
  EXPECT_EQ(bytes.substr(0, 4), "$FL2");
  if (bytes.size() >= time_end) bytes.replace(date_at, time_end - date_at, time_end - date_at, '*');
  return bytes;
}

// Stata 118: <timestamp>, a length byte and "dd Mon yyyy hh:mm", </timestamp>.
inline std::string masked_dta(const std::string& bytes) {
  static const std::regex timestamp("<timestamp>[^<]*</timestamp>");
  EXPECT_TRUE(std::regex_search(bytes, timestamp));
  return std::regex_replace(bytes, timestamp, "<timestamp>*</timestamp>");
}

// A workbook's members in order, each with its content.
inline std::string masked_workbook(const std::filesystem::path& path) {
  const auto list = run_process({"/usr/bin/unzip", "-Z1", path.string()});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  std::string out;
  std::istringstream members(list.out);
  for (std::string member; std::getline(members, member);) {
    std::string content = run_process({"/usr/bin/unzip", "-p", path.string(), member}).out;
    if (member == "docProps/core.xml") {
      static const std::regex times(R"((<dcterms:(created|modified)[^>]*>)[^<]*(<))");
      content = std::regex_replace(content, times, "$1*$3");
    }
    out += "== " + member + "\n" + content + "\n";
  }
  return out;
}

// The same for a workbook's bytes, written to `scratch` first.
inline std::string masked_workbook(const std::string& bytes, const std::filesystem::path& scratch) {
  std::ofstream(scratch, std::ios::binary) << bytes;
  return masked_workbook(scratch);
}

}  // namespace sipas::test
