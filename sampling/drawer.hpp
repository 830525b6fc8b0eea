#pragma once

// The internals of draw_sample (draw.cpp): the first pass over the frame
// (draw_first_pass.cpp), allocation and selection (draw_selection.cpp), the
// second pass that writes the chosen rows (draw_second_pass.cpp), and the
// design record (draw.cpp). Not for use outside sampling/.

#include "io/number_text.hpp"
#include "sampling/draw.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <span>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "io/file.hpp"
#include "io/rng.hpp"
#include "io/temp_file.hpp"
#include "sampling/bloom_filter.hpp"
#include "sampling/error.hpp"
#include "sampling/row_checkpoints.hpp"
#include "sampling/selection.hpp"

namespace sipas::sampling::drawing {

using Json = nlohmann::json;

constexpr char key_separator = '\x1f';
constexpr std::uint64_t progress_every = 1000000;
// What the first pass keeps of every row for the second: its leaf's code
// (std::uint32_t) and its id's hash (std::uint64_t), back to back.
constexpr std::size_t spill_record_bytes = 12;
// Rows of the spill read at a time in the second pass (about 1 MiB).
constexpr std::size_t spill_rows_per_read = 87381;
constexpr const char* generator_description =
    "xoshiro256** 1.0 seeded by SplitMix64; one stream per selection, seeded "
    "SplitMix64(seed XOR FNV-1a-64(stage and parent unit)); integers by rejection, "
    "uniforms from the top 53 bits";

inline std::string format_number(double x) {
  return io::shortest_decimal(x);
}

// How --method pps chooses its algorithm, for the design record.
inline std::string pps_rule() {
  return "Sampford's method where one of its tries gives distinct units with probability >= " +
         format_number(min_sampford_acceptance) +
         ", else the maximum-entropy (conditional Poisson) design; chosen from the inclusion "
         "probabilities before drawing";
}

inline bool parse_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

// Running mean and variance (Welford), for per-stratum SDs without holding rows.
struct Moments {
  std::uint64_t count = 0;
  double mean = 0, m2 = 0;
  void add(double x) {
    ++count;
    double delta = x - mean;
    mean += delta / static_cast<double>(count);
    m2 += delta * (x - mean);
  }
  double sd() const { return count > 1 ? std::sqrt(m2 / static_cast<double>(count - 1)) : 0; }
};

// A stratum or a stage unit, found in the first pass.
struct Unit {
  std::string key;     // the path from the stratum down, joined by key_separator
  std::string parent;  // the enclosing unit's key ("" for a stratum)
  std::string label;   // the unit's own value
  std::uint64_t first_row = 0;
  std::uint64_t rows = 0;
  double size = 0;
  bool size_set = false;
  int certain = -1;  // -1 unknown, 0 no, 1 yes
  bool selected = false;
  double pi = 1;                 // conditional on the parent's selection
  std::vector<double> stage_pi;  // π of every stage down to this unit
  // Units of the last level (strata in a single-stage design) are numbered
  // in the order the frame first shows them: the code the spill keeps per row.
  std::uint32_t code = 0;
};

// Per-stratum facts for single-stage allocation and selection.
struct StratumData {
  Moments sd_values, p_values, cost_values;
  std::vector<double> sizes;                                     // row pps, frame order
  std::vector<std::pair<std::string, std::uint64_t>> sort_keys;  // systematic with --sort
};

enum class Role : std::uint8_t { Main, Reserve };

struct Pick {
  Role role = Role::Main;
  std::uint32_t rank = 0;
  double pi = 0;
};

// The rows to take from one unit of the last stage (a stratum in single-stage
// designs), by their ordinal among the unit's rows in frame order.
struct Leaf {
  const Unit* unit = nullptr;
  std::uint64_t counter = 0;
  std::unordered_map<std::uint64_t, Pick> picks;
  // The picks sorted by ordinal, and the next one due: the second pass meets a
  // leaf's rows in ordinal order, so it compares instead of looking up.
  std::vector<std::pair<std::uint64_t, Pick>> ordered;
  std::size_t next = 0;
  std::uint64_t population = 0, main = 0, reserves = 0;
};

// Hashes std::string and std::string_view alike, so that a set of strings can
// be searched with a view of a frame field without copying it.
struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// The stratum and stage-unit values of the row before. Frames are usually
// sorted by area, so most rows repeat them, and those rows skip building the
// stratum and unit keys and looking them up.
class PreviousRow {
 public:
  PreviousRow(const std::vector<std::size_t>& strata_cols,
              const std::vector<std::size_t>& unit_cols)
      : strata_cols_(strata_cols),
        unit_cols_(unit_cols),
        strata_(strata_cols.size()),
        units_(unit_cols.size()) {}

  // How many levels, from the top, have the same values as the row before:
  // level 0 is the stratum (all its columns), level k the unit of stage k,
  // which counts only when the levels above it are unchanged too.
  std::size_t unchanged(std::span<const std::string_view> fields) const {
    if (!valid_) return 0;
    for (std::size_t i = 0; i < strata_cols_.size(); ++i) {
      if (fields[strata_cols_[i]] != strata_[i]) return 0;
    }
    std::size_t k = 0;
    while (k < unit_cols_.size() && fields[unit_cols_[k]] == units_[k])
      ++k;
    return k + 1;
  }

  // Remembers the row's values from `level` down (the levels above are unchanged).
  void remember(std::span<const std::string_view> fields, std::size_t level) {
    if (level == 0) {
      for (std::size_t i = 0; i < strata_cols_.size(); ++i)
        strata_[i].assign(fields[strata_cols_[i]]);
    }
    for (std::size_t k = level == 0 ? 0 : level - 1; k < unit_cols_.size(); ++k)
      units_[k].assign(fields[unit_cols_[k]]);
    valid_ = true;
  }

 private:
  const std::vector<std::size_t>& strata_cols_;
  const std::vector<std::size_t>& unit_cols_;
  std::vector<std::string> strata_, units_;
  bool valid_ = false;
};

class Drawer {
 public:
  explicit Drawer(const SampleRequest& r) : r_(r) {}

  SampleSummary run();

 private:
  void resolve_columns(const io::CsvReader& frame);
  void first_pass();
  void check_stratum_fields(const io::CsvReader& frame);
  const std::string& stratum_key(const io::CsvReader& frame);
  Unit& touch(std::size_t level, const std::string& key, const std::string& parent,
              std::string_view label, std::uint64_t row);
  void allocate_single_stage();
  void select_units();
  void select_rows();
  void select_rows_single(Leaf& leaf, const std::string& stratum, std::int64_t n);
  void second_pass();
  std::string leaf_key(const io::CsvReader& frame);
  [[noreturn]] void frame_changed() const;
  Json design_record() const;
  // How many selections drew by each πps algorithm, over all strata and stages.
  std::map<std::string, std::uint64_t> pps_algorithm_counts() const;
  [[noreturn]] void fail_row(const io::CsvReader& frame, const std::string& message) const {
    throw SamplingError("frame.invalid_row", frame.where() + ": " + message);
  }

  const SampleRequest& r_;
  bool multi_stage_ = false;
  std::vector<std::string> strata_columns_;
  std::size_t id_col_ = 0;
  std::vector<std::size_t> strata_cols_, unit_cols_, carry_cols_;
  std::vector<std::optional<std::size_t>> stage_size_cols_, stage_certainty_cols_;
  std::optional<std::size_t> size_col_, sd_col_, p_col_, cost_col_, sort_col_;
  std::vector<std::string> header_;

  std::uint64_t rows_ = 0;
  std::string frame_sha256_;
  std::string key_buffer_;
  // levels_[0]: strata; levels_[k]: units of stage k.
  std::vector<std::unordered_map<std::string, Unit>> levels_;
  std::unordered_map<std::string, StratumData> stratum_data_;
  std::vector<std::string> strata_order_;
  std::map<std::string, std::int64_t> n_by_stratum_, reserve_by_stratum_;
  std::vector<double> allocation_target_;
  std::unordered_map<std::string, Leaf> leaves_;
  BloomFilter ids_seen_{0};
  std::unordered_set<std::string, TransparentHash, std::equal_to<>> duplicate_candidates_;
  std::uint64_t main_ = 0, reserves_ = 0;
  // --method pps: the algorithm each stratum drew by (single stage), and per
  // stage of a design how many selections used each.
  std::map<std::string, PpsChoice> pps_by_stratum_;
  std::vector<std::map<std::string, std::uint64_t>> pps_by_stage_;

  // What the first pass leaves for the second (README, "How a sample is
  // drawn"): every row's leaf code and id hash in an anonymous file, where
  // every K-th row starts, and the frame's identity before it was read.
  std::vector<Unit*> leaf_units_;  // by code
  std::optional<io::TempFile> spill_;
  RowCheckpoints checkpoints_;
  io::FileIdentity frame_identity_;
};

}  // namespace sipas::sampling::drawing
