// Drawing samples from frames on disk: counts, probabilities, weights,
// reserves, reproducibility, multi-stage designs and bad input.

#include "sampling/draw.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "io/csv_reader.hpp"
#include "io/file.hpp"
#include "sampling/error.hpp"

#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace sipas::sampling;

struct Row {
  std::map<std::string, std::string> values;
};

class DrawTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = temp_.path(); }

  fs::path write(const std::string& name, const std::string& content) {
    auto path = dir_ / name;
    std::ofstream(path) << content;
    return path;
  }

  // A frame of `per_stratum` rows in each of the given strata; `size` grows with the row.
  fs::path frame(const std::map<std::string, int>& per_stratum) {
    std::string text = "id,region,size,score\n";
    int id = 0;
    for (const auto& [stratum, count] : per_stratum) {
      for (int i = 0; i < count; ++i) {
        ++id;
        text += "u" + std::to_string(id) + "," + stratum + "," + std::to_string(1 + i % 7) + "," +
                std::to_string((id * 37) % 100) + "\n";
      }
    }
    return write("frame.csv", text);
  }

  SampleRequest request(const fs::path& frame_path) {
    SampleRequest r;
    r.frame = frame_path;
    r.strata = {"region"};
    r.out = dir_ / "sample.csv";
    r.seed = 12345;
    r.seed_given = true;
    return r;
  }

  std::vector<Row> read_sample() {
    sipas::io::CsvReader reader(dir_ / "sample.csv");
    std::vector<Row> rows;
    while (reader.next()) {
      Row row;
      for (std::size_t c = 0; c < reader.header().size(); ++c) {
        row.values[reader.header()[c]] = std::string(reader.field(c));
      }
      rows.push_back(row);
    }
    return rows;
  }

  std::string error_of(const SampleRequest& r) {
    try {
      draw_sample(r);
    } catch (const sipas::Error& e) {
      EXPECT_FALSE(fs::exists(r.out)) << "a failed draw must leave no output";
      return e.id() + ": " + e.what();
    }
    ADD_FAILURE() << "expected an error";
    return "";
  }

  sipas::test::TempDir temp_;
  fs::path dir_;
};

TEST_F(DrawTest, StratifiedSrsCountsProbabilitiesAndWeights) {
  auto r = request(frame({{"north", 600}, {"south", 300}, {"west", 100}}));
  r.total = 100;
  r.reserve = 3;
  auto summary = draw_sample(r);
  EXPECT_EQ(summary.frame_rows, 1000u);
  EXPECT_EQ(summary.main, 100u);
  EXPECT_EQ(summary.reserves, 9u);
  auto rows = read_sample();
  ASSERT_EQ(rows.size(), 109u);
  std::map<std::string, int> main_count;
  std::map<std::string, double> weight_sum;
  std::map<std::string, std::set<std::string>> reserve_ranks;
  std::set<std::string> ids;
  for (const auto& row : rows) {
    const auto& v = row.values;
    EXPECT_TRUE(ids.insert(v.at("id")).second) << "id drawn twice";
    EXPECT_EQ(v.at("psu"), v.at("id"));
    double pi = std::stod(v.at("inclusion_probability"));
    EXPECT_NEAR(std::stod(v.at("design_weight")) * pi, 1, 1e-12);
    if (v.at("role") == "main") {
      ++main_count[v.at("stratum")];
      weight_sum[v.at("stratum")] += std::stod(v.at("design_weight"));
      EXPECT_EQ(v.at("reserve_rank"), "");
    } else {
      EXPECT_EQ(v.at("role"), "reserve");
      reserve_ranks[v.at("stratum")].insert(v.at("reserve_rank"));
    }
  }
  // Proportional: 60, 30, 10; SRS weights add up to N_h.
  EXPECT_EQ(main_count["north"], 60);
  EXPECT_EQ(main_count["south"], 30);
  EXPECT_EQ(main_count["west"], 10);
  EXPECT_NEAR(weight_sum["north"], 600, 1e-9);
  EXPECT_NEAR(weight_sum["south"], 300, 1e-9);
  EXPECT_NEAR(weight_sum["west"], 100, 1e-9);
  for (const auto& stratum : {"north", "south", "west"}) {
    EXPECT_THAT(reserve_ranks[stratum], ::testing::ElementsAre("1", "2", "3")) << stratum;
  }
  EXPECT_EQ(summary.design["strata"][0]["population"], 600);
  EXPECT_EQ(summary.design["seed"], 12345u);
  EXPECT_EQ(summary.design["frame"]["sha256"],
            sipas::io::read_file(dir_ / "frame.csv", 1 << 20).empty()
                ? ""
                : summary.design["frame"]["sha256"]);
}

TEST_F(DrawTest, SameSeedSameBytesOtherSeedOtherSample) {
  auto r = request(frame({{"north", 200}, {"south", 100}}));
  r.total = 30;
  r.reserve = 2;
  draw_sample(r);
  auto first = sipas::io::read_file(r.out, 1 << 20);
  draw_sample(r);
  EXPECT_EQ(sipas::io::read_file(r.out, 1 << 20), first);
  r.seed = 999;
  draw_sample(r);
  EXPECT_NE(sipas::io::read_file(r.out, 1 << 20), first);
}

TEST_F(DrawTest, AStratumsDrawDoesNotDependOnTheOtherStrata) {
  auto r = request(frame({{"north", 200}, {"south", 100}}));
  r.n_per_stratum = write("n.csv", "region,n\nnorth,10\nsouth,5\n");
  draw_sample(r);
  std::set<std::string> north_before;
  for (const auto& row : read_sample()) {
    if (row.values.at("stratum") == "north") north_before.insert(row.values.at("id"));
  }
  r.n_per_stratum = write("n.csv", "region,n\nnorth,10\nsouth,50\n");
  draw_sample(r);
  std::set<std::string> north_after;
  for (const auto& row : read_sample()) {
    if (row.values.at("stratum") == "north") north_after.insert(row.values.at("id"));
  }
  EXPECT_EQ(north_before, north_after);
  EXPECT_EQ(north_before.size(), 10u);
}

// Over many seeds each unit is drawn as often as its π says, through the whole
// pipeline (frame positions, strata, output). The frame holds ten copies of the
// two strata, and each stratum is drawn from a stream of its own (seeded by the
// seed and its name), so one run of the files gives ten independent draws of
// each: 40 runs give each position 400 draws.
TEST_F(DrawTest, EmpiricalInclusionFrequenciesMatchPi) {
  const int copies = 10;
  const int runs = 40;
  const int draws = copies * runs;
  std::map<std::string, int> strata;
  std::string n_file = "region,n\n";
  for (int c = 0; c < copies; ++c) {
    strata["a" + std::to_string(c)] = 14;
    strata["b" + std::to_string(c)] = 9;
    n_file += "a" + std::to_string(c) + ",4\nb" + std::to_string(c) + ",3\n";
  }
  // frame() numbers the units u1, u2, ... stratum after stratum; a unit's
  // position is its stratum's letter and its rank there, the same in every copy.
  std::map<std::string, std::string> position;
  int unit = 0;
  for (const auto& [stratum, count] : strata) {
    for (int i = 0; i < count; ++i)
      position["u" + std::to_string(++unit)] = stratum.substr(0, 1) + std::to_string(i);
  }
  for (auto method : {SelectionMethod::Srs, SelectionMethod::Systematic,
                      SelectionMethod::PpsSystematic, SelectionMethod::Pps}) {
    auto r = request(frame(strata));
    r.n_per_stratum = write("n.csv", n_file);
    r.method = method;
    if (method == SelectionMethod::PpsSystematic || method == SelectionMethod::Pps)
      r.size_column = "size";
    if (method == SelectionMethod::Systematic) r.sort_column = "score";
    std::map<std::string, int> hits;   // by position
    std::map<std::string, double> pi;  // by position
    // Each run goes through the files, as a user runs it; the inclusion
    // frequencies of many more draws are checked in memory by PpsMethodTest
    // and MaxEntropySimulationTest.
    for (int d = 0; d < runs; ++d) {
      r.seed = 1000 + static_cast<std::uint64_t>(d);
      draw_sample(r);
      for (const auto& row : read_sample()) {
        const auto& id = row.values.at("id");
        const auto& at = position.at(id);
        ++hits[at];
        const double p = std::stod(row.values.at("inclusion_probability"));
        // A position has one π whatever the copy.
        if (pi.count(at) != 0) {
          EXPECT_EQ(pi[at], p) << to_string(method) << " " << id;
        }
        pi[at] = p;
      }
    }
    ASSERT_EQ(pi.size(), 23u) << to_string(method)
                              << ": every position should be drawn at some point";
    double worst = 0;
    double total_pi = 0;
    for (const auto& [at, p] : pi) {
      total_pi += p;
      if (p >= 1) {
        EXPECT_EQ(hits[at], draws);
        continue;
      }
      worst = std::max(worst, std::fabs(hits[at] - draws * p) / std::sqrt(draws * p * (1 - p)));
    }
    EXPECT_NEAR(total_pi, 7, 1e-9) << to_string(method);
    EXPECT_LT(worst, 4.5) << to_string(method);
  }
}

TEST_F(DrawTest, PpsProbabilitiesByHand) {
  // Sizes 1..7 repeating: stratum a has 7 rows of sizes 1..7 (Σ 28). n = 2:
  // π = 2x/28, the largest 0.5.
  auto r = request(frame({{"a", 7}}));
  r.n_per_stratum = write("n.csv", "region,n\na,2\n");
  r.method = SelectionMethod::Pps;
  r.size_column = "size";
  draw_sample(r);
  for (const auto& row : read_sample()) {
    int id = std::stoi(row.values.at("id").substr(1));
    EXPECT_NEAR(std::stod(row.values.at("inclusion_probability")), 2.0 * id / 28, 1e-15);
  }
}

TEST_F(DrawTest, MultiStageProbabilitiesMultiply) {
  // Two districts per province; d1 is the capital (certainty). Communes of
  // 3 and 1 rows... sizes by rows. Ten provinces of the same make-up, each a
  // stratum drawn from streams of its own: 60 runs of the files give 600
  // draws of a province.
  const int provinces = 10;
  const int province_rows = 140;
  std::string text = "id,province,district,commune,capital\n";
  int id = 0;
  auto add = [&](const std::string& p, const std::string& d, const std::string& c, int rows,
                 int capital) {
    for (int i = 0; i < rows; ++i) {
      text += "p" + std::to_string(++id) + "," + p + "," + d + "," + c + "," +
              std::to_string(capital) + "\n";
    }
  };
  for (int p = 0; p < provinces; ++p) {
    const std::string province = "P" + std::to_string(p);
    add(province, "d1", "c1", 10, 1);
    add(province, "d1", "c2", 30, 1);
    add(province, "d2", "c1", 20, 0);
    add(province, "d3", "c1", 60, 0);
    add(province, "d4", "c1", 20, 0);
  }
  auto r = request(write("frame.csv", text));
  r.strata.clear();
  DesignSpec spec;
  spec.strata = {"province"};
  Stage districts;
  districts.unit = "district";
  districts.method = SelectionMethod::Pps;
  districts.n = 2;
  districts.certainty_column = "capital";
  districts.certainty_values = {"1"};
  Stage communes;
  communes.unit = "commune";
  communes.method = SelectionMethod::Srs;
  communes.n = 1;
  Stage people;
  people.method = SelectionMethod::Srs;
  people.n = 5;
  people.reserve = 2;
  spec.stages = {districts, communes, people};
  r.design = spec;
  std::map<std::string, int> district_hits;
  const int runs = 60;
  const int draws = runs * provinces;
  for (int d = 0; d < runs; ++d) {
    r.seed = 77 + static_cast<std::uint64_t>(d);
    auto summary = draw_sample(r);
    std::vector<std::set<std::string>> districts_seen(provinces);
    for (const auto& row : read_sample()) {
      const auto& v = row.values;
      const int number = std::stoi(v.at("id").substr(1)) - 1;
      const int province = number / province_rows;
      EXPECT_EQ(v.at("stratum"), "P" + std::to_string(province));
      // The row's number within its province.
      const int n = number % province_rows + 1;
      std::string district = n <= 40 ? "d1" : n <= 60 ? "d2" : n <= 120 ? "d3" : "d4";
      districts_seen[province].insert(district);
      EXPECT_EQ(v.at("psu"), district);
      // d1 is certain; the other draw is by rows among d2 (20), d3 (60), d4 (20).
      double pi_district = district == "d1" ? 1 : district == "d3" ? 0.6 : 0.2;
      EXPECT_NEAR(std::stod(v.at("pi_district")), pi_district, 1e-12);
      double pi_commune = district == "d1" ? 0.5 : 1;
      EXPECT_NEAR(std::stod(v.at("pi_commune")), pi_commune, 1e-12);
      int commune_rows = n <= 10 ? 10 : n <= 40 ? 30 : n <= 60 ? 20 : n <= 120 ? 60 : 20;
      EXPECT_NEAR(std::stod(v.at("pi_rows")), 5.0 / commune_rows, 1e-12);
      EXPECT_NEAR(std::stod(v.at("inclusion_probability")),
                  pi_district * pi_commune * 5.0 / commune_rows, 1e-12);
    }
    EXPECT_EQ(summary.main, 10u * provinces);
    EXPECT_EQ(summary.reserves, 4u * provinces);
    // Sorted by unit: each province's two districts, d1 first.
    const auto& selected = summary.design["stages"][0]["selected"];
    ASSERT_EQ(selected.size(), 2u * provinces);
    for (int p = 0; p < provinces; ++p) {
      const auto& first = selected[2 * static_cast<std::size_t>(p)];
      EXPECT_EQ(first["unit"], "P" + std::to_string(p) + "/d1");
      EXPECT_TRUE(first["certain"].get<bool>());
      EXPECT_EQ(first["pi"], 1.0);
      EXPECT_EQ(first["rows"], 40);
      EXPECT_EQ(
          selected[2 * static_cast<std::size_t>(p) + 1]["unit"].get<std::string>().substr(0, 3),
          "P" + std::to_string(p) + "/");
      for (const auto& d2 : districts_seen[static_cast<std::size_t>(p)])
        ++district_hits[d2];
    }
  }
  EXPECT_EQ(district_hits["d1"], draws);
  for (auto [district, pi] : std::map<std::string, double>{{"d2", 0.2}, {"d3", 0.6}, {"d4", 0.2}}) {
    EXPECT_LT(std::fabs(district_hits[district] - draws * pi) / std::sqrt(draws * pi * (1 - pi)),
              4.5)
        << district;
  }
}

TEST_F(DrawTest, DuplicateIdsNameBothLines) {
  auto path = write("frame.csv", "id,region\na,x\nb,x\nc,y\nb,y\n");
  auto r = request(path);
  r.total = 2;
  auto error = error_of(r);
  EXPECT_THAT(error, ::testing::HasSubstr("frame.duplicate_id"));
  EXPECT_THAT(error, ::testing::HasSubstr("frame.csv:5: duplicate id 'b' (also on line 3)"));
}

// The second pass reads again only the rows it writes, from checkpoints of
// every 16th row (sampling/README.md): these frames make that hard, with
// records over several lines, CRLF and LF line ends, blank lines and a BOM.
// Returns each row's note by id, and its line.
struct HardFrame {
  std::string text;
  std::map<std::string, std::string> note;
  std::map<std::string, std::size_t> line;
};

HardFrame hard_frame(int rows, const std::map<int, int>& id_of_row = {}) {
  HardFrame f;
  f.text = "\xEF\xBB\xBFid,region,note\r\n";
  std::size_t line = 2;
  for (int r = 1; r <= rows; ++r) {
    int id = id_of_row.contains(r) ? id_of_row.at(r) : r;
    std::string key = "u" + std::to_string(id);
    std::string note = "n" + std::to_string(r);
    std::size_t breaks = 0;
    if (r % 7 == 0) {
      note += ", said \"hi\"\nand left";
      breaks = 1;
    } else if (r % 11 == 0) {
      note += "\r\nCRLF inside";
      breaks = 1;
    } else if (r % 13 == 0) {
      note = " spaced ";
    }
    std::string quoted = "\"";
    for (char c : note)
      quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    quoted += "\"";
    f.text += key + "," + (r % 3 ? "north" : "south") + "," + (breaks ? quoted : note) +
              (r % 2 ? "\r\n" : "\n");
    if (!f.line.contains(key)) {
      f.note[key] = note;
      f.line[key] = line;
    }
    line += breaks + 1;
    if (r % 50 == 0) {
      f.text += "\n";  // a blank line
      ++line;
    }
  }
  return f;
}

TEST_F(DrawTest, RowsReadAgainAreTheRowsSelected) {
  auto frame = hard_frame(5000);
  auto r = request(write("frame.csv", frame.text));
  r.carry = {"note"};
  for (std::int64_t n : {5000, 37}) {  // every row, then a few far apart
    r.total = n;
    auto summary = draw_sample(r);
    EXPECT_EQ(summary.frame_rows, 5000u);
    auto rows = read_sample();
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(n));
    int previous = 0;
    for (const auto& row : rows) {
      const auto& id = row.values.at("id");
      ASSERT_TRUE(frame.note.contains(id)) << id;
      EXPECT_EQ(row.values.at("note"), frame.note.at(id)) << id;
      int number = std::stoi(id.substr(1));
      EXPECT_EQ(row.values.at("stratum"), number % 3 ? "north" : "south") << id;
      EXPECT_GT(number, previous) << "rows come in frame order";
      previous = number;
    }
  }
}

TEST_F(DrawTest, DuplicateIdsFarApartNameBothLines) {
  // Row 4000 repeats the id of row 10; lines count the notes' line breaks and
  // the blank lines.
  auto frame = hard_frame(5000, {{4000, 10}});
  auto r = request(write("frame.csv", frame.text));
  r.total = 20;
  std::size_t line_4000 = 2;
  for (int row = 1; row < 4000; ++row)
    line_4000 += 1 + (row % 7 == 0 || (row % 7 != 0 && row % 11 == 0)) + (row % 50 == 0);
  auto error = error_of(r);
  EXPECT_THAT(error,
              ::testing::HasSubstr("frame.duplicate_id: frame.csv:" + std::to_string(line_4000) +
                                   ": duplicate id 'u10' "
                                   "(also on line " +
                                   std::to_string(frame.line.at("u10")) + ")"));
  EXPECT_EQ(frame.line.at("u10"), 12u);  // rows 1-9, with row 7 on two lines
}

TEST_F(DrawTest, TheFirstRepeatInFrameOrderIsReported) {
  // Row 4500 repeats row 5, and row 3001 repeats row 3000: the frame shows
  // the second pair's repeat first.
  std::string text = "id,region\n";
  for (int row = 1; row <= 5000; ++row) {
    int id = row == 4500 ? 5 : row == 3001 ? 3000 : row;
    text += "u" + std::to_string(id) + ",x\n";
  }
  auto r = request(write("frame.csv", text));
  r.total = 10;
  EXPECT_THAT(error_of(r), ::testing::HasSubstr("frame.csv:3002: duplicate id 'u3000' (also on "
                                                "line 3001)"));
}

// A frame changed between the passes is refused, and nothing is written.
class ChangedFrameTest : public DrawTest {
 protected:
  void expect_changed(const std::function<void(const fs::path&)>& change) {
    auto path = write("frame.csv", hard_frame(3000).text);
    auto r = request(path);
    r.total = 100;
    r.after_first_pass = [&] { change(path); };
    EXPECT_EQ(error_of(r), "frame.changed: frame.csv: the frame changed while it was read");
  }
};

TEST_F(ChangedFrameTest, SameSizeWithTheModificationTimeSetBack) {
  expect_changed([](const fs::path& path) {
    struct stat before {};
    ASSERT_EQ(::stat(path.c_str(), &before), 0);
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(40);
    file.put('Z');
    file.close();
    timespec times[2] = {before.st_atim, before.st_mtim};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  });
}

TEST_F(ChangedFrameTest, ReplacedByACopy) {
  expect_changed([this](const fs::path& path) {
    fs::copy_file(path, dir_ / "copy.csv");
    fs::rename(dir_ / "copy.csv", path);  // the same bytes, another file
  });
}

TEST_F(ChangedFrameTest, RowsAppendedOrCut) {
  expect_changed(
      [](const fs::path& path) { std::ofstream(path, std::ios::app) << "u9999,north,x\n"; });
  expect_changed([](const fs::path& path) { fs::resize_file(path, fs::file_size(path) / 2); });
}

TEST_F(DrawTest, UnchangedFrameBetweenThePassesIsFine) {
  auto path = write("frame.csv", hard_frame(3000).text);
  auto r = request(path);
  r.total = 100;
  bool called = false;
  r.after_first_pass = [&] {
    called = true;
    (void)sipas::io::read_file(path, 1 << 20);  // reading changes nothing
  };
  EXPECT_EQ(draw_sample(r).main, 100u);
  EXPECT_TRUE(called);
}

TEST_F(DrawTest, EmptyStratumIsAnErrorWithFileAndLine) {
  auto r = request(write("frame.csv", "id,region\na,x\nb,\"\"\n"));
  r.total = 1;
  EXPECT_THAT(error_of(r), ::testing::HasSubstr("frame.csv:3: column 'region' is empty"));
}

TEST_F(DrawTest, SampleLargerThanTheFrame) {
  auto r = request(frame({{"north", 5}}));
  r.total = 6;
  EXPECT_THAT(error_of(r), ::testing::HasSubstr("allocation.total_above_population"));
  r.total.reset();
  r.n_per_stratum = write("n.csv", "region,n\nnorth,9\n");
  EXPECT_THAT(error_of(r), ::testing::HasSubstr("asks for 9 but has only 5"));
}

TEST_F(DrawTest, PpsSizesMustBePositive) {
  auto r = request(write("frame.csv", "id,region,size\na,x,3\nb,x,0\n"));
  r.total = 1;
  r.method = SelectionMethod::PpsSystematic;
  r.size_column = "size";
  EXPECT_THAT(error_of(r), ::testing::HasSubstr("frame.csv:3: column 'size' must be a size > 0"));
  r.frame = write("frame.csv", "id,region,size\na,x,3\nb,x,many\n");
  EXPECT_THAT(error_of(r), ::testing::HasSubstr("frame.csv:3: column 'size' must be a number"));
}

TEST_F(DrawTest, UnknownColumnListsTheColumns) {
  auto r = request(frame({{"north", 5}}));
  r.strata = {"district"};
  r.total = 1;
  auto error = error_of(r);
  EXPECT_THAT(error, ::testing::HasSubstr("csv.missing_column"));
  EXPECT_THAT(error, ::testing::HasSubstr("district"));
  EXPECT_THAT(error, ::testing::HasSubstr("region"));
}

TEST_F(DrawTest, MalformedCsvIsAnErrorWithTheLine) {
  auto r = request(write("frame.csv", "id,region\na,x\nb,\"x\n"));
  r.total = 1;
  EXPECT_THAT(error_of(r), ::testing::HasSubstr("frame.csv:3"));
  r.frame = write("frame.csv", "id,region\na,x\nb,x,extra\n");
  EXPECT_THAT(error_of(r), ::testing::HasSubstr("csv.field_count"));
}

TEST_F(DrawTest, ReservesAreRefusedForPps) {
  auto r = request(frame({{"north", 5}}));
  r.total = 2;
  r.reserve = 1;
  r.method = SelectionMethod::Pps;
  r.size_column = "size";
  EXPECT_THAT(error_of(r), ::testing::HasSubstr("sample.reserve_unsupported"));
}

TEST_F(DrawTest, CarriedColumnsFollowTheDesignColumns) {
  auto r = request(frame({{"north", 20}}));
  r.total = 4;
  r.carry = {"score", "size"};
  draw_sample(r);
  sipas::io::CsvReader reader(r.out);
  EXPECT_THAT(reader.header(),
              ::testing::ElementsAre("id", "stratum", "psu", "inclusion_probability",
                                     "design_weight", "role", "reserve_rank", "score", "size"));
}

}  // namespace

TEST_F(DrawTest, ADesignWithOnlyTheFinalStageHasThePersonAsPsu) {
  // Stratified SRS written as a design file: 6 and 4 rows, 3 and 2 drawn.
  std::string text = "id,unit\n";
  for (int i = 1; i <= 10; ++i)
    text += "o" + std::to_string(i) + "," + (i <= 6 ? "a" : "b") + "\n";
  auto r = request(write("frame.csv", text));
  r.strata.clear();
  DesignSpec spec;
  spec.strata = {"unit"};
  Stage people;
  people.method = SelectionMethod::Srs;
  people.n = 3;
  people.reserve = 1;
  spec.stages = {people};
  r.design = spec;
  auto summary = draw_sample(r);
  EXPECT_EQ(summary.main, 6u);
  for (const auto& row : read_sample()) {
    const auto& v = row.values;
    EXPECT_EQ(v.at("psu"), v.at("id"));
    const double pi = v.at("stratum") == "a" ? 3.0 / 6 : 3.0 / 4;
    EXPECT_NEAR(std::stod(v.at("inclusion_probability")), pi, 1e-12);
  }
}
