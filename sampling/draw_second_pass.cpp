// The second pass: the chosen rows found from the spill, read again from
// their checkpoints and written (sampling/README.md, "How a sample is drawn").
#include "sampling/drawer.hpp"

namespace sipas::sampling::drawing {

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

}  // namespace sipas::sampling::drawing
