#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sampling/allocation.hpp"
#include "sampling/design_spec.hpp"

namespace sipas::sampling {

// Everything `sipas sample` needs to draw a sample from a frame.
struct SampleRequest {
  std::filesystem::path frame;
  std::string id_column = "id";
  std::vector<std::string> strata;  // stratum columns (single-stage; a design names its own)

  // Single-stage: how many rows per stratum, and how to pick them.
  std::optional<std::int64_t> total;                   // --n, allocated across strata
  std::optional<std::filesystem::path> n_per_stratum;  // --n-per-stratum FILE.csv
  AllocationOptions allocation;
  std::string sd_column, p_column, cost_column;  // inputs of Neyman, power, optimal
  std::int64_t min_per_stratum = 0;
  std::optional<std::int64_t> max_per_stratum;
  SelectionMethod method = SelectionMethod::Srs;
  std::string size_column;  // pps methods
  std::string sort_column;  // systematic: implicit stratification
  std::int64_t reserve = 0;

  std::optional<DesignSpec> design;  // multi-stage; replaces the single-stage options

  std::uint64_t seed = 0;
  bool seed_given = false;
  std::vector<std::string> carry;  // frame columns copied to the sample

  std::filesystem::path out;  // sample.csv, written owner-only (0600): ids and carried columns
  std::string command_line;   // recorded in the design record
  // Guard cells of sample.csv that a spreadsheet would run as formulas (a
  // carried "-" or "+84 91 234 5678" gets an apostrophe in front, which
  // `sipas invite import` takes off again); false writes them as they are
  // (`--raw-csv`). io/formula_guard.hpp.
  bool neutralise_formulas = true;

  // Called now and then while the frame is read: (pass name, rows read so far).
  std::function<void(const std::string&, std::uint64_t)> progress;
  // Called once between the first pass and the second (tests change the frame
  // here, to see that the second pass notices).
  std::function<void()> after_first_pass;
};

struct SampleSummary {
  std::uint64_t frame_rows = 0;
  std::uint64_t main = 0;
  std::uint64_t reserves = 0;
  std::size_t strata = 0;
  nlohmann::json design;  // the design record (written as design.json by the caller)
  // --method pps (or pps stages): how many selections (strata, or parent units
  // at a stage) drew by each algorithm, "sampford" or "maximum-entropy".
  std::map<std::string, std::uint64_t> pps_algorithms;
};

// Reads the frame once to count and check, keeping a few bytes per row in an
// anonymous temporary file, then reads again only the rows it writes (and
// those whose id may repeat another): sampling/README.md, "How a sample is
// drawn". Holds per-stratum and per-unit counts but not the frame. Writes `out`
// atomically: on any error (a bad row, a duplicate id, an impossible design),
// nothing is written. Throws SamplingError, io::CsvError or io::IoError.
SampleSummary draw_sample(const SampleRequest& request);

}  // namespace sipas::sampling
