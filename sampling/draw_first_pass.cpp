// The first pass over the frame: columns, checks, counts, the spill and the
// checkpoints (sampling/README.md, "How a sample is drawn").
#include "sampling/drawer.hpp"

namespace sipas::sampling::drawing {

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
          fail_row(frame, "column '" + r_.size_column + "' must be a size > 0 for `method` " +
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

}  // namespace sipas::sampling::drawing
