// Drawing a sample from a frame in two streaming passes (sampling/README.md,
// "How a sample is drawn").

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

namespace sipas::sampling {
namespace {

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

std::string format_number(double x) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
  return ec == std::errc() ? std::string(buffer, end) : std::to_string(x);
}

// How --method pps chooses its algorithm, for the design record.
std::string pps_rule() {
  return "Sampford's method where one of its tries gives distinct units with probability >= " +
         format_number(min_sampford_acceptance) +
         ", else the maximum-entropy (conditional Poisson) design; chosen from the inclusion "
         "probabilities before drawing";
}

bool parse_number(std::string_view s, double& out) {
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

// ------------------------------------------------------------------ columns

void Drawer::resolve_columns(const io::CsvReader& frame) {
  header_ = frame.header();
  id_col_ = frame.require_column(r_.id_column);
  strata_columns_ = multi_stage_ ? r_.design->strata : r_.strata;
  for (const auto& s : strata_columns_)
    strata_cols_.push_back(frame.require_column(s));
  for (const auto& c : r_.carry)
    carry_cols_.push_back(frame.require_column(c));
  auto optional_column = [&](const std::string& name) -> std::optional<std::size_t> {
    if (name.empty()) return std::nullopt;
    return frame.require_column(name);
  };
  if (multi_stage_) {
    for (const auto& stage : r_.design->stages) {
      if (!stage.unit.empty()) unit_cols_.push_back(frame.require_column(stage.unit));
      stage_size_cols_.push_back(stage.size.kind == SizeMeasure::Kind::Rows
                                     ? std::nullopt
                                     : optional_column(stage.size.column));
      stage_certainty_cols_.push_back(optional_column(stage.certainty_column));
    }
  } else {
    size_col_ = optional_column(r_.size_column);
    sd_col_ = optional_column(r_.sd_column);
    p_col_ = optional_column(r_.p_column);
    cost_col_ = optional_column(r_.cost_column);
    sort_col_ = optional_column(r_.sort_column);
  }
}

const std::string& Drawer::stratum_key(const io::CsvReader& frame) {
  key_buffer_.clear();
  if (strata_cols_.empty()) {
    key_buffer_ = "all";
    return key_buffer_;
  }
  for (std::size_t i = 0; i < strata_cols_.size(); ++i) {
    if (i) key_buffer_ += '|';
    key_buffer_ += frame.field(strata_cols_[i]);
  }
  return key_buffer_;
}

void Drawer::check_stratum_fields(const io::CsvReader& frame) {
  for (std::size_t i = 0; i < strata_cols_.size(); ++i) {
    if (frame.field(strata_cols_[i]).empty()) {
      fail_row(frame, "column '" + strata_columns_[i] + "' is empty");
    }
  }
}

Unit& Drawer::touch(std::size_t level, const std::string& key, const std::string& parent,
                    std::string_view label, std::uint64_t row) {
  auto& units = levels_[level];
  auto it = units.find(key);
  if (it == units.end()) {
    Unit u;
    u.key = key;
    u.parent = parent;
    u.label = std::string(label);
    u.first_row = row;
    it = units.emplace(key, std::move(u)).first;
    if (level + 1 == levels_.size()) {
      it->second.code = static_cast<std::uint32_t>(leaf_units_.size());
      leaf_units_.push_back(&it->second);  // map nodes do not move
    }
  }
  ++it->second.rows;
  return it->second;
}

// ------------------------------------------------------------------ pass 1

void Drawer::first_pass() {
  // The frame's identity is taken before it is read; a missing file is still
  // reported by the reader, in its words.
  std::optional<io::FileIdentity> before;
  try {
    before = io::file_identity(r_.frame);
  } catch (const io::IoError&) {
  }
  // Parsing on the second core, while this thread does the rest.
  io::CsvReader frame(r_.frame, {.parse_in_background = std::thread::hardware_concurrency() > 1});
  frame_identity_ = before ? *before : io::file_identity(r_.frame);
  resolve_columns(frame);
  spill_.emplace();
  std::error_code ec;
  auto bytes = std::filesystem::file_size(r_.frame, ec);
  ids_seen_ = BloomFilter(ec ? 0 : bytes);
  const std::size_t unit_levels = unit_cols_.size();
  levels_.resize(unit_levels + 1);
  std::vector<std::string> path(unit_levels + 1);
  // The row's stratum and units; kept while the rows repeat them (PreviousRow).
  std::vector<Unit*> units(unit_levels + 1, nullptr);
  StratumData* data = nullptr;
  PreviousRow previous(strata_cols_, unit_cols_);
  // Ids go into the Bloom filter in batches, in frame order: each insert would
  // miss the cache, so its block is prefetched when the row is read, and the
  // batch is inserted once those loads have had time to arrive.
  constexpr std::size_t id_batch = 64;
  std::string batch;
  std::vector<std::size_t> batch_ends;
  std::array<std::uint64_t, id_batch> batch_hashes{};
  auto insert_ids = [&] {
    std::size_t start = 0;
    for (std::size_t i = 0; i < batch_ends.size(); ++i) {
      std::string_view id(batch.data() + start, batch_ends[i] - start);
      if (ids_seen_.insert_hash(batch_hashes[i])) duplicate_candidates_.emplace(id);
      start = batch_ends[i];
    }
    batch.clear();
    batch_ends.clear();
  };
  while (frame.next()) {
    const std::uint64_t row = rows_++;
    const auto fields = frame.fields();
    auto id = fields[id_col_];
    if (id.empty()) fail_row(frame, "column '" + r_.id_column + "' is empty");
    const std::uint64_t id_hash = BloomFilter::hash(id);
    ids_seen_.prefetch(id_hash);  // inserted with its batch, by when it is cached
    batch_hashes[batch_ends.size()] = id_hash;
    batch += id;
    batch_ends.push_back(batch.size());
    if (batch_ends.size() == id_batch) insert_ids();
    if (checkpoints_.due(row)) checkpoints_.add(row, frame.position());
    const std::size_t same = previous.unchanged(fields);
    if (same == 0) {
      check_stratum_fields(frame);
      path[0] = stratum_key(frame);
      units[0] = &touch(0, path[0], "", path[0], row);
      if (!multi_stage_) data = &stratum_data_[path[0]];
    } else {
      ++units[0]->rows;
    }
    for (std::size_t k = 1; k <= unit_levels; ++k) {
      if (k >= same) {
        auto value = fields[unit_cols_[k - 1]];
        if (value.empty()) {
          fail_row(frame, "column '" + r_.design->stages[k - 1].unit + "' is empty");
        }
        path[k] = path[k - 1];
        path[k] += key_separator;
        path[k] += value;
        units[k] = &touch(k, path[k], path[k - 1], value, row);
      } else {
        ++units[k]->rows;
      }
      Unit& unit = *units[k];
      const Stage& stage = r_.design->stages[k - 1];
      if (stage.size.kind != SizeMeasure::Kind::Rows) {
        double x;
        auto text = fields[*stage_size_cols_[k - 1]];
        if (!parse_number(text, x) || x < 0) {
          fail_row(frame, "column '" + stage.size.column + "' must be a number >= 0, not '" +
                              std::string(text.substr(0, 40)) + "'");
        }
        if (stage.size.kind == SizeMeasure::Kind::Sum) {
          unit.size += x;
        } else if (!unit.size_set) {
          unit.size = x;
        } else if (unit.size != x) {
          fail_row(frame, "column '" + stage.size.column + "' must be the same on every row of " +
                              stage.unit + " '" + unit.label + "'");
        }
        unit.size_set = true;
      }
      if (stage_certainty_cols_[k - 1]) {
        auto flag = fields[*stage_certainty_cols_[k - 1]];
        int certain = std::find(stage.certainty_values.begin(), stage.certainty_values.end(),
                                flag) != stage.certainty_values.end();
        if (unit.certain == -1) {
          unit.certain = certain;
        } else if (unit.certain != certain) {
          fail_row(frame, "column '" + stage.certainty_column +
                              "' must be the same on every row of " + stage.unit + " '" +
                              unit.label + "'");
        }
      }
    }
    if (same <= unit_levels) previous.remember(fields, same);
    {
      std::array<char, spill_record_bytes> record;
      const std::uint32_t code = units[unit_levels]->code;
      std::memcpy(record.data(), &code, sizeof code);
      std::memcpy(record.data() + sizeof code, &id_hash, sizeof id_hash);
      spill_->write(record.data(), record.size());
    }
    if (!multi_stage_) {
      auto numeric = [&](std::size_t column, const std::string& name) {
        double x;
        auto text = fields[column];
        if (!parse_number(text, x)) {
          fail_row(frame, "column '" + name + "' must be a number, not '" +
                              std::string(text.substr(0, 40)) + "'");
        }
        return x;
      };
      if (sd_col_) data->sd_values.add(numeric(*sd_col_, r_.sd_column));
      if (p_col_) {
        double p = numeric(*p_col_, r_.p_column);
        if (p < 0 || p > 1) fail_row(frame, "column '" + r_.p_column + "' must be between 0 and 1");
        data->p_values.add(p);
      }
      if (cost_col_) {
        double c = numeric(*cost_col_, r_.cost_column);
        if (!(c > 0)) fail_row(frame, "column '" + r_.cost_column + "' must be a positive cost");
        data->cost_values.add(c);
      }
      if (size_col_) {
        double x = numeric(*size_col_, r_.size_column);
        if (!(x > 0)) {
          fail_row(frame, "column '" + r_.size_column + "' must be a size > 0 for --method " +
                              to_string(r_.method) + ", not '" +
                              std::string(fields[*size_col_].substr(0, 40)) + "'");
        }
        data->sizes.push_back(x);
      }
      if (sort_col_) data->sort_keys.emplace_back(fields[*sort_col_], data->sort_keys.size());
    }
    if (r_.progress && rows_ % progress_every == 0) r_.progress("reading the frame", rows_);
  }
  insert_ids();
  if (rows_ == 0) throw SamplingError("frame.empty", frame.source() + ": the frame has no rows");
  frame_sha256_ = frame.sha256();
  for (const auto& [key, unit] : levels_[0])
    strata_order_.push_back(key);
  std::sort(strata_order_.begin(), strata_order_.end());
}

// ------------------------------------------------------------------ allocation

void Drawer::allocate_single_stage() {
  if (r_.n_per_stratum) {
    io::CsvReader file(*r_.n_per_stratum);
    std::vector<std::size_t> columns;
    for (const auto& s : strata_columns_)
      columns.push_back(file.require_column(s));
    auto n_col = file.require_column("n");
    while (file.next()) {
      std::string key;
      for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i) key += '|';
        key += file.field(columns[i]);
      }
      if (columns.empty()) key = "all";
      double n;
      if (!parse_number(file.field(n_col), n) || n < 0 || n != std::floor(n)) {
        throw SamplingError("frame.invalid_row",
                            file.where() + ": column 'n' must be a whole number >= 0");
      }
      if (!levels_[0].contains(key)) {
        throw SamplingError("sample.unknown_stratum",
                            file.where() + ": stratum '" + key + "' is not in the frame");
      }
      if (!n_by_stratum_.emplace(key, static_cast<std::int64_t>(n)).second) {
        throw SamplingError("sample.duplicate_stratum",
                            file.where() + ": stratum '" + key + "' is listed twice");
      }
    }
    for (const auto& key : strata_order_) {
      if (!n_by_stratum_.contains(key)) {
        throw SamplingError("sample.missing_stratum", file.source() + ": stratum '" + key +
                                                          "' of the frame has no sample size");
      }
      if (n_by_stratum_[key] > static_cast<std::int64_t>(levels_[0].at(key).rows)) {
        throw SamplingError("sample.too_large",
                            file.source() + ": stratum '" + key + "' asks for " +
                                std::to_string(n_by_stratum_[key]) + " but has only " +
                                std::to_string(levels_[0].at(key).rows) + " units");
      }
    }
    return;
  }
  std::vector<StratumFacts> facts;
  for (const auto& key : strata_order_) {
    StratumFacts f;
    f.key = key;
    f.population = static_cast<std::int64_t>(levels_[0].at(key).rows);
    const StratumData& data = stratum_data_[key];
    if (sd_col_) {
      f.sd = data.sd_values.sd();
      f.mean = data.sd_values.mean;
    } else if (p_col_) {
      double p = data.p_values.mean;
      f.sd = std::sqrt(p * (1 - p));
      f.mean = p;
    }
    if (cost_col_) f.cost = data.cost_values.mean;
    f.min = r_.min_per_stratum;
    f.max = r_.max_per_stratum;
    facts.push_back(f);
  }
  AllocationOptions options = r_.allocation;
  options.total = *r_.total;
  options.use_cv = options.method == AllocationMethod::Power && (sd_col_ || p_col_);
  auto allocation = allocate(facts, options);
  allocation_target_ = allocation.target;
  for (std::size_t h = 0; h < strata_order_.size(); ++h)
    n_by_stratum_[strata_order_[h]] = allocation.n[h];
}

// ------------------------------------------------------------------ selection

void Drawer::select_units() {
  const std::size_t unit_levels = levels_.size() - 1;
  pps_by_stage_.assign(r_.design->stages.size(), {});
  for (auto& [key, stratum] : levels_[0]) {
    stratum.selected = true;
    stratum.pi = 1;
  }
  // Group each level's units by parent once: the frame can hold many units.
  for (std::size_t k = 1; k <= unit_levels; ++k) {
    const Stage& stage = r_.design->stages[k - 1];
    std::unordered_map<std::string, std::vector<Unit*>> by_parent;
    for (auto& [key, unit] : levels_[k])
      by_parent[unit.parent].push_back(&unit);
    std::vector<std::string> parents;
    for (const auto& [parent_key, members] : by_parent)
      parents.push_back(parent_key);
    std::sort(parents.begin(), parents.end());
    for (const auto& parent_key : parents) {
      const Unit& parent = levels_[k - 1].at(parent_key);
      if (!parent.selected) continue;
      auto& units = by_parent[parent_key];
      std::sort(units.begin(), units.end(),
                [](const Unit* a, const Unit* b) { return a->first_row < b->first_row; });
      std::int64_t n = stage.n;
      if (k == 1) {
        auto it = stage.n_per_stratum.find(parent_key);
        if (it != stage.n_per_stratum.end()) n = it->second;
      }
      std::vector<std::size_t> certain, rest;
      for (std::size_t i = 0; i < units.size(); ++i)
        (units[i]->certain == 1 ? certain : rest).push_back(i);
      if (static_cast<std::int64_t>(certain.size()) > n) {
        throw SamplingError("design.too_many_certain",
                            "stage " + std::to_string(k) + " (" + stage.unit +
                                "): " + std::to_string(certain.size()) +
                                " units are taken with certainty but n is " + std::to_string(n));
      }
      std::vector<double> pi(units.size(), 0);
      for (auto i : certain)
        pi[i] = 1;
      const std::int64_t left = std::min<std::int64_t>(
          n - static_cast<std::int64_t>(certain.size()), static_cast<std::int64_t>(rest.size()));
      io::Rng rng =
          io::Rng::stream(r_.seed, "stage " + std::to_string(k) + key_separator + parent_key);
      std::vector<std::size_t> chosen = certain;
      if (left > 0) {
        if (stage.method == SelectionMethod::Srs || stage.method == SelectionMethod::Systematic) {
          auto picks =
              stage.method == SelectionMethod::Srs
                  ? srs_order(rng, rest.size(), static_cast<std::uint64_t>(left))
                  : systematic_positions(rng, rest.size(), static_cast<std::uint64_t>(left));
          for (auto p : picks)
            chosen.push_back(rest[p]);
          for (auto i : rest)
            pi[i] = static_cast<double>(left) / static_cast<double>(rest.size());
        } else {
          std::vector<double> sizes;
          for (auto i : rest) {
            const Unit& u = *units[i];
            double x =
                stage.size.kind == SizeMeasure::Kind::Rows ? static_cast<double>(u.rows) : u.size;
            if (!(x > 0)) {
              throw SamplingError("design.invalid_size", "stage " + std::to_string(k) + " (" +
                                                             stage.unit + "): unit '" + u.label +
                                                             "' has size " + format_number(x) +
                                                             "; PPS needs sizes > 0");
            }
            sizes.push_back(x);
          }
          auto rest_pi = pps_inclusion_probabilities(sizes, left);
          std::vector<std::size_t> picks;
          if (stage.method == SelectionMethod::Pps) {
            auto draw = pps_fixed_size(rng, rest_pi);
            picks = std::move(draw.chosen);
            ++pps_by_stage_[k - 1][to_string(draw.choice.algorithm)];
          } else {
            picks = pps_systematic(rng, rest_pi);
          }
          for (auto p : picks)
            chosen.push_back(rest[p]);
          for (std::size_t j = 0; j < rest.size(); ++j)
            pi[rest[j]] = rest_pi[j];
        }
      }
      for (auto i : chosen) {
        Unit& u = *units[i];
        u.selected = true;
        u.pi = pi[i];
        u.stage_pi = parent.stage_pi;
        u.stage_pi.push_back(pi[i]);
      }
    }
  }
}

void Drawer::select_rows_single(Leaf& leaf, const std::string& stratum, std::int64_t n) {
  const auto N = leaf.population;
  const auto reserve = std::min<std::uint64_t>(static_cast<std::uint64_t>(r_.reserve),
                                               N - static_cast<std::uint64_t>(n));
  io::Rng rng = io::Rng::stream(r_.seed, std::string("rows") + key_separator + stratum);
  const double srs_pi = N ? static_cast<double>(n) / static_cast<double>(N) : 0;
  StratumData& data = stratum_data_[stratum];
  // Positions in "list order": frame order, or sorted by --sort.
  std::vector<std::uint64_t> list_order;
  if (sort_col_) {
    auto& keys = data.sort_keys;
    bool numeric = std::all_of(keys.begin(), keys.end(), [](const auto& k) {
      double x;
      return parse_number(k.first, x);
    });
    std::stable_sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
      if (numeric) {
        double x = 0, y = 0;
        parse_number(a.first, x);
        parse_number(b.first, y);
        return x < y;
      }
      return a.first < b.first;
    });
    for (const auto& k : keys)
      list_order.push_back(k.second);
  }
  auto ordinal = [&](std::uint64_t position) {
    return list_order.empty() ? position : list_order[position];
  };
  auto add_reserves = [&](const std::vector<std::uint64_t>& main_positions) {
    std::uint32_t rank = 0;
    for (auto p : reserve_positions(rng, N, main_positions, reserve)) {
      leaf.picks[ordinal(p)] = Pick{Role::Reserve, ++rank, srs_pi};
    }
    leaf.reserves = reserve;
  };
  switch (r_.method) {
    case SelectionMethod::Srs: {
      auto order = srs_order(rng, N, static_cast<std::uint64_t>(n) + reserve);
      for (std::size_t i = 0; i < order.size(); ++i) {
        bool main = i < static_cast<std::size_t>(n);
        leaf.picks[ordinal(order[i])] =
            Pick{main ? Role::Main : Role::Reserve,
                 main ? 0 : static_cast<std::uint32_t>(i - n + 1), srs_pi};
      }
      leaf.reserves = reserve;
      break;
    }
    case SelectionMethod::Systematic: {
      auto positions = systematic_positions(rng, N, static_cast<std::uint64_t>(n));
      for (auto p : positions)
        leaf.picks[ordinal(p)] = Pick{Role::Main, 0, srs_pi};
      if (reserve > 0) add_reserves(positions);
      break;
    }
    case SelectionMethod::PpsSystematic:
    case SelectionMethod::Pps: {
      std::vector<double> sizes;
      sizes.reserve(N);
      for (std::uint64_t p = 0; p < N; ++p)
        sizes.push_back(data.sizes[ordinal(p)]);
      auto pi = pps_inclusion_probabilities(sizes, n);
      std::vector<std::size_t> chosen;
      if (r_.method == SelectionMethod::Pps) {
        auto draw = pps_fixed_size(rng, pi);
        chosen = std::move(draw.chosen);
        pps_by_stratum_[stratum] = draw.choice;
      } else {
        chosen = pps_systematic(rng, pi);
      }
      for (auto p : chosen)
        leaf.picks[ordinal(p)] = Pick{Role::Main, 0, pi[p]};
      break;
    }
  }
  leaf.main = static_cast<std::uint64_t>(n);
}

void Drawer::select_rows() {
  const std::size_t leaf_level = levels_.size() - 1;
  if (!multi_stage_) {
    for (const auto& key : strata_order_) {
      Leaf leaf;
      leaf.unit = &levels_[0].at(key);
      leaf.population = leaf.unit->rows;
      select_rows_single(leaf, key, n_by_stratum_.at(key));
      main_ += leaf.main;
      reserves_ += leaf.reserves;
      reserve_by_stratum_[key] = static_cast<std::int64_t>(leaf.reserves);
      leaves_.emplace(key, std::move(leaf));
    }
    return;
  }
  const Stage& last = r_.design->stages.back();
  std::vector<std::string> keys;
  for (const auto& [key, unit] : levels_[leaf_level]) {
    if (unit.selected) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  for (const auto& key : keys) {
    Unit& unit = levels_[leaf_level].at(key);
    Leaf leaf;
    leaf.unit = &unit;
    leaf.population = unit.rows;
    const std::uint64_t n = std::min<std::uint64_t>(static_cast<std::uint64_t>(last.n), unit.rows);
    const std::uint64_t reserve =
        std::min<std::uint64_t>(static_cast<std::uint64_t>(last.reserve), unit.rows - n);
    const double pi = unit.rows ? static_cast<double>(n) / static_cast<double>(unit.rows) : 0;
    io::Rng rng = io::Rng::stream(r_.seed, std::string("rows") + key_separator + key);
    if (last.method == SelectionMethod::Srs) {
      auto order = srs_order(rng, unit.rows, n + reserve);
      for (std::size_t i = 0; i < order.size(); ++i) {
        bool main = i < n;
        leaf.picks[order[i]] = Pick{main ? Role::Main : Role::Reserve,
                                    main ? 0 : static_cast<std::uint32_t>(i - n + 1), pi};
      }
    } else {
      auto positions = systematic_positions(rng, unit.rows, n);
      for (auto p : positions)
        leaf.picks[p] = Pick{Role::Main, 0, pi};
      std::uint32_t rank = 0;
      for (auto p : reserve_positions(rng, unit.rows, positions, reserve)) {
        leaf.picks[p] = Pick{Role::Reserve, ++rank, pi};
      }
    }
    leaf.main = n;
    leaf.reserves = reserve;
    main_ += n;
    reserves_ += reserve;
    leaves_.emplace(key, std::move(leaf));
  }
}

// ------------------------------------------------------------------ pass 2

// The leaf key of the current row, built as the first pass built it.
std::string Drawer::leaf_key(const io::CsvReader& frame) {
  std::string key = stratum_key(frame);
  for (auto column : unit_cols_) {
    key += key_separator;
    key += frame.field(column);
  }
  return key;
}

void Drawer::frame_changed() const {
  throw SamplingError("frame.changed",
                      r_.frame.filename().string() + ": the frame changed while it was read");
}

// The rows to write are found from the spill, not by parsing the frame again:
// a row's leaf code gives its ordinal within its leaf, which is all the
// selection needs. Only those rows, and the rows whose id hash is that of a
// duplicate candidate, are read again, each from the checkpoint before it.
void Drawer::second_pass() {
  // Respondent ids and carried frame columns, contacts among them: owner-only.
  io::CsvWriter out(r_.out, {.neutralise_formulas = r_.neutralise_formulas,
                             .access = io::FileAccess::owner_only});
  std::vector<std::string> header = {
      "id", "stratum", "psu", "inclusion_probability", "design_weight", "role", "reserve_rank"};
  if (multi_stage_) {
    for (const auto& stage : r_.design->stages) {
      header.push_back("pi_" + (stage.unit.empty() ? std::string("rows") : stage.unit));
    }
  }
  for (const auto& c : r_.carry)
    header.push_back(c);
  {
    std::vector<std::string_view> views(header.begin(), header.end());
    out.write_row(views);
  }
  std::vector<Leaf*> leaf_by_code(leaf_units_.size(), nullptr);
  for (auto& [key, leaf] : leaves_) {
    leaf.ordered.assign(leaf.picks.begin(), leaf.picks.end());
    std::sort(leaf.ordered.begin(), leaf.ordered.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    leaf.next = 0;
    leaf.picks = {};  // the sample is held once
    leaf_by_code[leaf.unit->code] = &leaf;
  }
  // The candidates' hashes, behind a 64 Kibit filter on their top 16 bits
  // that nearly every row fails at the cost of one cached load.
  std::unordered_set<std::uint64_t> candidate_hashes;
  std::vector<std::uint64_t> candidate_bits(1024, 0);
  for (const auto& id : duplicate_candidates_) {
    std::uint64_t h = BloomFilter::hash(id);
    candidate_hashes.insert(h);
    candidate_bits[h >> 54] |= std::uint64_t{1} << ((h >> 48) & 63);
  }

  // Which rows are needed, in frame order, from the spill.
  struct Wanted {
    std::uint64_t row;
    std::uint64_t hash;
    std::uint32_t code;
    const Leaf* leaf;
    const Pick* pick;  // null: only a duplicate candidate
    bool candidate;
  };
  std::vector<Wanted> wanted;
  spill_->rewind();
  std::vector<char> buffer(spill_rows_per_read * spill_record_bytes);
  std::uint64_t row = 0;
  while (std::size_t bytes = spill_->read(buffer.data(), buffer.size())) {
    if (bytes % spill_record_bytes != 0) frame_changed();  // cannot happen: our own file
    for (const char* p = buffer.data(); p < buffer.data() + bytes; p += spill_record_bytes) {
      std::uint32_t code;
      std::uint64_t hash;
      std::memcpy(&code, p, sizeof code);
      std::memcpy(&hash, p + sizeof code, sizeof hash);
      Leaf* leaf = code < leaf_by_code.size() ? leaf_by_code[code] : nullptr;
      const Pick* pick = nullptr;
      if (leaf) {
        const std::uint64_t ordinal = leaf->counter++;
        if (leaf->next < leaf->ordered.size() && leaf->ordered[leaf->next].first == ordinal) {
          pick = &leaf->ordered[leaf->next++].second;
        }
      }
      const bool candidate = !candidate_hashes.empty() &&
                             (candidate_bits[hash >> 54] >> ((hash >> 48) & 63) & 1) != 0 &&
                             candidate_hashes.contains(hash);
      if (pick || candidate) wanted.push_back({row, hash, code, leaf, pick, candidate});
      ++row;
    }
  }
  if (row != rows_) frame_changed();
  spill_.reset();

  // Those rows, read again. Each is checked against what the first pass saw
  // (its leaf and id hash), and the file's identity must be the same at the
  // end as before the first pass.
  if (io::file_identity(r_.frame) != frame_identity_) frame_changed();
  io::CsvReader frame(r_.frame);
  if (frame.header() != header_) frame_changed();
  std::unordered_map<std::string, std::uint64_t> first_line_of_candidate;
  std::vector<std::string> cells;
  std::vector<std::string_view> views;
  std::uint64_t at = 0;  // rows read since the last seek: the reader is on row at - 1
  // Progress counts the rows dealt with, as a pass over the frame would: a
  // duplicate on row r stops it before r.
  std::uint64_t reported = 0;
  auto report_until = [&](std::uint64_t rows_done) {
    while (r_.progress && reported + progress_every <= rows_done) {
      reported += progress_every;
      r_.progress("writing the sample", reported);
    }
  };
  for (const Wanted& w : wanted) {
    report_until(w.row);
    try {
      const std::uint64_t base = checkpoints_.base(w.row);
      if (at > w.row || at < base) {
        frame.seek(checkpoints_.at(w.row));
        at = base;
      }
      while (at <= w.row) {
        if (!frame.next()) frame_changed();
        ++at;
      }
    } catch (const io::CsvError&) {
      frame_changed();  // the first pass read these bytes without a fault
    }
    const auto fields = frame.fields();
    const auto id = fields[id_col_];
    if (BloomFilter::hash(id) != w.hash || leaf_key(frame) != leaf_units_[w.code]->key) {
      frame_changed();
    }
    if (w.candidate && duplicate_candidates_.contains(id)) {
      auto [it, inserted] = first_line_of_candidate.emplace(std::string(id), frame.line());
      if (!inserted) {
        throw SamplingError("frame.duplicate_id", frame.where() + ": duplicate id '" +
                                                      std::string(id) + "' (also on line " +
                                                      std::to_string(it->second) + ")");
      }
    }
    if (!w.pick) continue;
    const Pick& p = *w.pick;
    const Leaf& leaf = *w.leaf;
    double pi = p.pi;
    for (double stage_pi : leaf.unit->stage_pi)
      pi *= stage_pi;
    cells.clear();
    cells.emplace_back(id);
    cells.push_back(stratum_key(frame));
    // The PSU: the first stage's unit, or the person when no stage clusters.
    cells.emplace_back(unit_cols_.empty() ? id : fields[unit_cols_[0]]);
    cells.push_back(format_number(pi));
    cells.push_back(format_number(1 / pi));
    cells.emplace_back(p.role == Role::Main ? "main" : "reserve");
    cells.push_back(p.role == Role::Main ? std::string() : std::to_string(p.rank));
    if (multi_stage_) {
      for (double stage_pi : leaf.unit->stage_pi)
        cells.push_back(format_number(stage_pi));
      cells.push_back(format_number(p.pi));
    }
    for (auto c : carry_cols_)
      cells.emplace_back(fields[c]);
    views.assign(cells.begin(), cells.end());
    out.write_row(views);
  }
  report_until(rows_);
  if (io::file_identity(r_.frame) != frame_identity_) frame_changed();
  out.commit();
}

// ------------------------------------------------------------------ record

Json Drawer::design_record() const {
  Json strata = Json::array();
  for (std::size_t h = 0; h < strata_order_.size(); ++h) {
    const auto& key = strata_order_[h];
    const Unit& stratum = levels_[0].at(key);
    Json s = {{"stratum", key}, {"population", stratum.rows}};
    if (!multi_stage_) {
      s["n"] = n_by_stratum_.at(key);
      s["reserve"] = reserve_by_stratum_.at(key);
      if (!allocation_target_.empty()) s["allocation_target"] = allocation_target_[h];
      if (auto it = pps_by_stratum_.find(key); it != pps_by_stratum_.end()) {
        s["pps_algorithm"] = to_string(it->second.algorithm);
        s["sampford_acceptance"] = {{"value", it->second.sampford.value},
                                    {"kind", to_string(it->second.sampford.kind)}};
      }
    }
    strata.push_back(s);
  }
  Json record = {
      {"format", "sipas-sample-design/1"},
      {"command", r_.command_line},
      {"frame",
       {{"file", r_.frame.filename().string()}, {"sha256", frame_sha256_}, {"rows", rows_}}},
      {"id_column", r_.id_column},
      {"strata_columns", strata_columns_},
      {"seed", r_.seed},
      {"seed_source", r_.seed_given ? "given" : "drawn"},
      {"generator", generator_description},
      {"sample", {{"main", main_}, {"reserve", reserves_}}},
      {"strata", strata}};
  if (!multi_stage_) {
    record["method"] = to_string(r_.method);
    if (r_.n_per_stratum) {
      record["allocation"] = {{"method", "given"}, {"file", r_.n_per_stratum->filename().string()}};
    } else {
      record["allocation"] = {{"method", to_string(r_.allocation.method)}, {"total", *r_.total}};
      if (r_.allocation.method == AllocationMethod::Power)
        record["allocation"]["power_q"] = r_.allocation.power_q;
    }
    if (r_.method == SelectionMethod::Pps) {
      record["pps_algorithms"] = pps_algorithm_counts();
      record["pps_rule"] = pps_rule();
    }
    if (!r_.size_column.empty()) record["size_column"] = r_.size_column;
    if (!r_.sort_column.empty()) record["sort_column"] = r_.sort_column;
    return record;
  }
  record["method"] = "multi-stage";
  Json stages = Json::array();
  for (std::size_t k = 0; k < r_.design->stages.size(); ++k) {
    const Stage& stage = r_.design->stages[k];
    Json s = {{"stage", k + 1},
              {"unit", stage.unit.empty() ? std::string("rows") : stage.unit},
              {"method", to_string(stage.method)},
              {"n", stage.n}};
    if (stage.method == SelectionMethod::Pps) {
      s["pps_algorithms"] = pps_by_stage_.at(k);
      s["pps_rule"] = pps_rule();
    }
    if (!stage.unit.empty()) {
      std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>
          per_stratum;  // population, selected
      for (const auto& [key, unit] : levels_[k + 1]) {
        auto stratum = key.substr(0, key.find(key_separator));
        ++per_stratum[stratum].first;
        per_stratum[stratum].second += unit.selected;
      }
      Json counts = Json::array();
      for (const auto& [stratum, c] : per_stratum) {
        counts.push_back({{"stratum", stratum}, {"units", c.first}, {"selected", c.second}});
      }
      s["units"] = counts;
      // Every selected unit with its π and size: the stage probabilities an
      // auditor or a variance estimate needs.
      std::vector<const Unit*> chosen;
      for (const auto& [key, unit] : levels_[k + 1]) {
        if (unit.selected) chosen.push_back(&unit);
      }
      std::sort(chosen.begin(), chosen.end(),
                [](const Unit* a, const Unit* b) { return a->key < b->key; });
      Json selected = Json::array();
      for (const Unit* u : chosen) {
        std::string path = u->key;
        std::replace(path.begin(), path.end(), key_separator, '/');
        selected.push_back(
            {{"unit", path},
             {"pi", u->pi},
             {"rows", u->rows},
             {"size",
              stage.size.kind == SizeMeasure::Kind::Rows ? static_cast<double>(u->rows) : u->size},
             {"certain", u->certain == 1}});
      }
      s["selected"] = selected;
      s["size"] =
          stage.size.kind == SizeMeasure::Kind::Rows ? std::string("rows") : stage.size.column;
      if (!stage.certainty_column.empty()) {
        s["certainty"] = {{"column", stage.certainty_column}, {"values", stage.certainty_values}};
      }
    } else {
      s["reserve"] = stage.reserve;
    }
    stages.push_back(s);
  }
  record["stages"] = stages;
  return record;
}

std::map<std::string, std::uint64_t> Drawer::pps_algorithm_counts() const {
  std::map<std::string, std::uint64_t> counts;
  for (const auto& [stratum, choice] : pps_by_stratum_)
    ++counts[to_string(choice.algorithm)];
  for (const auto& stage : pps_by_stage_) {
    for (const auto& [algorithm, count] : stage)
      counts[algorithm] += count;
  }
  return counts;
}

SampleSummary Drawer::run() {
  multi_stage_ = r_.design.has_value();
  if (!multi_stage_) {
    if (!r_.total && !r_.n_per_stratum) {
      throw SamplingError("sample.missing_size",
                          "give the sample size: --n N or --n-per-stratum FILE.csv");
    }
    if ((r_.method == SelectionMethod::Pps || r_.method == SelectionMethod::PpsSystematic) &&
        r_.size_column.empty()) {
      throw SamplingError("sample.missing_size_column",
                          "--method " + to_string(r_.method) + " needs --size COL");
    }
    if ((r_.method == SelectionMethod::Pps || r_.method == SelectionMethod::PpsSystematic) &&
        r_.reserve > 0) {
      throw SamplingError(
          "sample.reserve_unsupported",
          "reserve lists are drawn with --method srs or systematic (equal probabilities), so "
          "that a reserve can stand in for a unit with the same weight");
    }
    if (!r_.sort_column.empty() && r_.method == SelectionMethod::Srs) {
      throw SamplingError("sample.sort_unsupported",
                          "--sort orders the list for systematic and pps-systematic "
                          "selection; it has no effect on --method srs");
    }
  }
  first_pass();
  if (r_.after_first_pass) r_.after_first_pass();
  if (!multi_stage_) allocate_single_stage();
  if (multi_stage_) select_units();
  select_rows();
  second_pass();
  SampleSummary summary;
  summary.frame_rows = rows_;
  summary.main = main_;
  summary.reserves = reserves_;
  summary.strata = strata_order_.size();
  summary.design = design_record();
  summary.pps_algorithms = pps_algorithm_counts();
  return summary;
}

}  // namespace

SampleSummary draw_sample(const SampleRequest& request) {
  return Drawer(request).run();
}

}  // namespace sipas::sampling
