// README.md's "The whole year by hand", run as a newcomer would: the shell
// commands of its code blocks, from a folder laid out as the README assumes
// (the demo's output in sipas-demo/, the tree's questionnaires/ and sampling/),
// with $S the sipas under test. Steps 4-6 take the demo's answers, so their
// results and PAR index must be the demo's own: the demo's files are the
// reference, computed without these commands.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "io/csv_reader.hpp"
#include "tests/demo/small_demo.hpp"

namespace sipas::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using ::testing::HasSubstr;

// The ```sh blocks of the README's section `title`, in order.
std::vector<std::string> code_blocks(const std::string& readme, const std::string& title) {
  const auto start = readme.find("\n## " + title + "\n");
  if (start == std::string::npos) return {};
  const auto end = readme.find("\n## ", start + 1);
  const std::string section = readme.substr(start, end - start);
  std::vector<std::string> blocks;
  std::istringstream lines(section);
  std::string line, block;
  bool inside = false;
  while (std::getline(lines, line)) {
    const auto text = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (text.starts_with("```")) {
      if (inside) {
        blocks.push_back(block);
        inside = false;
      } else {
        inside = text == "```sh";
      }
      block.clear();
      continue;
    }
    if (inside) block += text + "\n";
  }
  return blocks;
}

// `serve &` starts the server for the respondents, who answer in a browser:
// no one answers here, so the step is left out and the other commands of
// step 3 run on the survey without answers (the later steps take the demo's).
std::string without_server(const std::string& block) {
  std::istringstream lines(block);
  std::string line, out;
  while (std::getline(lines, line)) {
    if (line.find(" serve ") != std::string::npos && line.ends_with("&")) continue;
    out += line + "\n";
  }
  return out;
}

Json read_json(const fs::path& path) {
  return Json::parse(slurp(path));
}

// Estimates by statistic, variable and domain.
std::map<std::string, Json> estimates(const Json& results) {
  std::map<std::string, Json> out;
  for (const auto& e : results["estimates"])
    out[e["statistic"].dump() + e["variable"].dump() + e["domain"].dump()] = e;
  return out;
}

void expect_same_estimates(const fs::path& got_path, const fs::path& want_path) {
  const auto got = estimates(read_json(got_path)), want = estimates(read_json(want_path));
  ASSERT_EQ(got.size(), want.size()) << got_path;
  for (const auto& [key, w] : want) {
    auto it = got.find(key);
    ASSERT_NE(it, got.end()) << key;
    for (const char* field : {"estimate", "se", "n"}) {
      if (w[field].is_null()) {
        EXPECT_TRUE(it->second[field].is_null()) << key << " " << field;
      } else {
        EXPECT_NEAR(it->second[field].get<double>(), w[field].get<double>(), 1e-9)
            << key << " " << field;
      }
    }
    EXPECT_EQ(it->second["flag"], w["flag"]) << key;
  }
}

class ReadmeWalkthroughTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& demo = small_demo();
    ASSERT_EQ(demo.result.exit_code, 0) << demo.result.err;
    const fs::path source = SIPAS_SOURCE_DIR;
    fs::create_directory_symlink(demo.dir.path(), root_.path() / "sipas-demo");
    for (const char* folder : {"questionnaires", "sampling"})
      fs::create_directory_symlink(source / folder, root_.path() / folder);
    blocks_ = code_blocks(slurp(source / "README.md"), "The whole year by hand");
  }

  // A block run by the shell in the walkthrough's folder; stops at the first
  // command that fails.
  ProcessResult run(const std::string& commands) {
    const std::string script = "set -e\ncd '" + root_.path().string() + "'\nS='" +
                               std::string(SIPAS_EXECUTABLE) + "'\n" + commands;
    return run_process({"/bin/sh", "-c", script});
  }

  fs::path year(const std::string& name) const { return root_.path() / "year" / name; }
  fs::path demo(const std::string& name) const { return small_demo().file(name); }

  TempDir root_{"sipas-readme"};
  std::vector<std::string> blocks_;
};

TEST_F(ReadmeWalkthroughTest, TheStepsFindTheDemosNumbers) {
  ASSERT_EQ(blocks_.size(), 6u) << "the six steps, one code block each";
  for (std::size_t step = 0; step < blocks_.size(); ++step) {
    const auto r = run(without_server(blocks_[step]));
    ASSERT_EQ(r.exit_code, 0) << "step " << step + 1 << ":\n" << blocks_[step] << r.out << r.err;
    if (step == 3) {
      EXPECT_THAT(r.out + r.err, HasSubstr("reproduced"));
    }
    if (step == 4) {
      EXPECT_THAT(r.err, ::testing::Not(HasSubstr("warning")));
    }
  }
  // Steps 1-3: a survey of one's own, its links and an (empty) export.
  for (const char* name : {"sample.csv", "survey.db", "links.csv", "progress.json"})
    EXPECT_TRUE(fs::exists(year(name))) << name;

  // Step 4: the demo's estimates, by district and by department, and the
  // officials' survey points.
  expect_same_estimates(year("results.json"), demo("results-citizens.json"));
  expect_same_estimates(year("results-departments.json"),
                        demo("results-citizens-departments.json"));
  expect_same_estimates(year("results-officials.json"), demo("results-officials.json"));

  // Step 5: the demo's PAR index, unit by unit.
  const Json got = read_json(year("par-index.json")), want = read_json(demo("par-index.json"));
  ASSERT_EQ(got["units"].size(), want["units"].size());
  for (std::size_t i = 0; i < want["units"].size(); ++i) {
    const Json &g = got["units"][i], &w = want["units"][i];
    EXPECT_EQ(g["unit"], w["unit"]) << i;
    EXPECT_NEAR(g["points"].get<double>(), w["points"].get<double>(), 1e-9) << w["unit"];
    EXPECT_EQ(g["max_points"], w["max_points"]) << w["unit"];
    EXPECT_NEAR(g["index"].get<double>(), w["index"].get<double>(), 1e-9) << w["unit"];
    EXPECT_EQ(g["rank"], w["rank"]) << w["unit"];
    EXPECT_EQ(g["group"], w["group"]) << w["unit"];
    EXPECT_EQ(g["survey_missing"], w["survey_missing"]) << w["unit"];
  }

  // Step 6: the exports and the report.
  for (const char* name : {"responses.sav", "results.xlsx", "report.html"})
    EXPECT_GT(fs::file_size(year(name)), 0u) << name;
}

// Without the departments' results, step 5 still runs, but says which units
// lost the SIPAS leaf 8.1 (the departments: units that are no district).
TEST_F(ReadmeWalkthroughTest, IndexWarnsWhenTheDepartmentsResultsAreLeftOut) {
  const auto r =
      run("mkdir -p year\n"
          "$S analyze --data sipas-demo/officials-responses.csv --strata stratum "
          "--weights design_weight --scheme par-province-876 --out "
          "year/results-officials.json\n"
          "$S index --scheme par-province-876 --appraisal sipas-demo/appraisal.csv "
          "--units sipas-demo/units.csv --survey year/results-officials.json "
          "--survey sipas-demo/results-citizens.json --out year/par-index.json\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> districts;
  const auto citizens = read_json(demo("results-citizens.json"));
  for (const auto& e : citizens["estimates"]) {
    if (e["domain"].is_object() && e["domain"].contains("district"))
      districts.insert(e["domain"]["district"].get<std::string>());
  }
  std::vector<std::string> departments;
  io::CsvReader units(demo("units.csv"));
  while (units.next()) {
    std::string id(units.field(units.require_column("unit")));
    if (!districts.contains(id)) departments.push_back(id);
  }
  ASSERT_FALSE(departments.empty());
  EXPECT_THAT(r.err, HasSubstr("warning: " + std::to_string(departments.size()) +
                               " units have no survey points for leaf 8.1: "));
  for (const auto& id : departments)
    EXPECT_THAT(r.err, HasSubstr(id));
  const auto index = read_json(year("par-index.json"));
  for (const auto& u : index["units"]) {
    const bool department =
        std::find(departments.begin(), departments.end(), u["unit"]) != departments.end();
    EXPECT_EQ(u["survey_missing"], department ? Json({"8.1"}) : Json::array()) << u["unit"];
  }
}

}  // namespace
}  // namespace sipas::test
