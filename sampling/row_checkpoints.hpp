#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "io/csv_reader.hpp"

namespace sipas::sampling {

// Where every K-th row of a frame starts (byte offset and line), so that a
// later pass can read row r again by parsing from the checkpoint at or before
// it: at most K - 1 rows too many. Memory is bounded whatever the frame's
// size: once `max_entries` are held, every other one is dropped and K doubles.
class RowCheckpoints {
 public:
  static constexpr std::uint64_t first_interval = 16;
  static constexpr std::size_t default_max_entries = std::size_t{1} << 20;  // 16 MiB

  explicit RowCheckpoints(std::size_t max_entries = default_max_entries)
      : max_entries_(max_entries < 2 ? 2 : max_entries) {}

  // Whether row `row` (0-based, rows given in order) is to be recorded.
  bool due(std::uint64_t row) const { return row % interval_ == 0; }
  // Records where row `row` starts; call for every row that is due().
  void add(std::uint64_t row, const io::CsvPosition& position) {
    if (entries_.size() == max_entries_) thin();
    if (row % interval_ == 0) entries_.push_back({position.offset, position.line});
  }

  // K: rows between checkpoints.
  std::uint64_t interval() const { return interval_; }
  // The first row of the checkpoint at or before row `row`.
  std::uint64_t base(std::uint64_t row) const { return row / interval_ * interval_; }
  // Where that row starts, for CsvReader::seek (records are 1-based).
  io::CsvPosition at(std::uint64_t row) const {
    const Entry& e = entries_.at(row / interval_);
    return {e.offset, static_cast<std::size_t>(e.line), static_cast<std::size_t>(base(row) + 1)};
  }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::uint64_t offset, line;
  };
  // Entry i is row i * K: keeping the even ones leaves rows i * 2K.
  void thin() {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < entries_.size(); i += 2)
      entries_[kept++] = entries_[i];
    entries_.resize(kept);
    interval_ *= 2;
  }

  std::size_t max_entries_;
  std::uint64_t interval_ = first_interval;
  std::vector<Entry> entries_;
};

}  // namespace sipas::sampling
