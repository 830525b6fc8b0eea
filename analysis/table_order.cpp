// The canonical order of a table's rows (Table::canonical): every column's
// levels numbered in byte order of their text, and the rows sorted by those
// numbers, column by column. Two files that hold the same rows in any order
// give the same table, so every sum over rows is taken in the same order and
// every estimate comes out the same to the last bit (floating-point addition
// is not associative: summed in file order, an SE of 3.246900805740597 became
// 3.2469008057405984 when the rows arrived in another order). Rows that are
// equal in every loaded column are interchangeable: whichever comes first,
// every value computed from them is the same.
//
// The sort is a least-significant-digit radix sort: one stable counting sort
// per group of adjacent key columns whose level counts multiply to at most
// `bucket_limit` (five items of a Likert scale make one group), from the
// least significant group to the most. Each pass reads a few small integer
// columns, so a million rows by 25 columns take a few tens of milliseconds.

#include <algorithm>
#include <numeric>
#include <type_traits>

#include "analysis/error.hpp"
#include "analysis/table.hpp"

namespace sipas::analysis {
namespace {

// The counting array of one pass stays within the processor's caches.
constexpr std::size_t bucket_limit = std::size_t{1} << 16;

// The first 8 bytes of a text as a big-endian number: comparing these
// compares the texts' first 8 bytes in byte order.
std::uint64_t prefix_key(const std::string& s) {
  std::uint64_t key = 0;
  const std::size_t n = std::min<std::size_t>(8, s.size());
  for (std::size_t i = 0; i < 8; ++i) {
    key <<= 8;
    if (i < n) key |= static_cast<unsigned char>(s[i]);
  }
  return key;
}

}  // namespace

std::vector<std::uint32_t> Column::level_ranks() const {
  // Sorted by the first 8 bytes, then the whole text: most comparisons of a
  // column with many levels (weights, ids) end at the first.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> order(levels_.size());
  for (std::uint32_t l = 0; l < levels_.size(); ++l)
    order[l] = {prefix_key(levels_[l]), l};
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return levels_[a.second] < levels_[b.second];
  });
  std::vector<std::uint32_t> rank(levels_.size());
  for (std::uint32_t r = 0; r < order.size(); ++r)
    rank[order[r].second] = r;
  return rank;
}

Column Column::reordered(const std::vector<std::uint32_t>& rows,
                         const std::vector<std::uint32_t>& rank) const {
  Column out;
  out.levels_.resize(levels_.size());
  out.numbers_.resize(levels_.size());
  for (std::size_t l = 0; l < levels_.size(); ++l) {
    out.levels_[rank[l]] = levels_[l];
    out.numbers_[rank[l]] = numbers_[l];
  }
  out.numeric_ = numeric_;
  out.size_ = rows.size();
  out.width_ = width_;
  auto fill = [&](auto& codes, const auto& from) {
    using Code = typename std::decay_t<decltype(codes)>::value_type;
    codes.resize(rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k)
      codes[k] = static_cast<Code>(rank[from[rows[k]]]);
  };
  switch (width_) {
    case 1:
      fill(out.codes8_, codes8_);
      break;
    case 2:
      fill(out.codes16_, codes16_);
      break;
    default:
      fill(out.codes32_, codes32_);
      break;
  }
  out.grow_slots();  // the hash table of the renumbered levels
  return out;
}

Table Table::canonical(const std::vector<std::string>& leading) const {
  if (rows_ > std::numeric_limits<std::uint32_t>::max())
    throw AnalysisError("data.too_large", source_ + ": more than 2^32 rows");
  const std::size_t n = rows_;
  // The key: the leading columns that were loaded, then the others by name.
  std::vector<std::size_t> key;
  for (const auto& name : leading) {
    for (std::size_t c = 0; c < names_.size(); ++c) {
      if (names_[c] == name && std::find(key.begin(), key.end(), c) == key.end()) key.push_back(c);
    }
  }
  std::vector<std::size_t> rest;
  for (std::size_t c = 0; c < names_.size(); ++c) {
    if (std::find(key.begin(), key.end(), c) == key.end()) rest.push_back(c);
  }
  std::sort(rest.begin(), rest.end(),
            [&](std::size_t a, std::size_t b) { return names_[a] < names_[b]; });
  key.insert(key.end(), rest.begin(), rest.end());

  std::vector<std::vector<std::uint32_t>> rank(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c)
    rank[c] = columns_[c].level_ranks();

  std::vector<std::uint32_t> order(n), next(n), digit(n);
  std::iota(order.begin(), order.end(), 0u);
  std::vector<std::uint32_t> count;
  // Groups of key columns from the least significant end; a column with one
  // level orders nothing.
  std::size_t end = key.size();
  while (end > 0) {
    std::size_t begin = end;
    std::size_t buckets = 1;
    while (begin > 0) {
      const std::size_t levels = std::max<std::size_t>(1, rank[key[begin - 1]].size());
      if (begin < end && buckets * levels > bucket_limit) break;
      buckets *= levels;
      --begin;
    }
    if (buckets > 1) {
      // digit[k]: the group's mixed-radix number of the row at position k.
      std::fill(digit.begin(), digit.end(), 0u);
      for (std::size_t g = begin; g < end; ++g) {
        const Column& column = columns_[key[g]];
        const std::vector<std::uint32_t>& r = rank[key[g]];
        const auto radix = static_cast<std::uint32_t>(std::max<std::size_t>(1, r.size()));
        for (std::size_t k = 0; k < n; ++k)
          digit[k] = digit[k] * radix + r[column.code(order[k])];
      }
      count.assign(buckets + 1, 0u);
      for (std::size_t k = 0; k < n; ++k)
        ++count[digit[k] + 1];
      std::partial_sum(count.begin(), count.end(), count.begin());
      for (std::size_t k = 0; k < n; ++k)
        next[count[digit[k]]++] = order[k];
      order.swap(next);
    }
    end = begin;
  }

  Table t;
  t.source_ = source_;
  t.sha256_ = sha256_;
  t.names_ = names_;
  t.file_columns_ = file_columns_;
  t.rows_ = n;
  t.line_jumps_ = line_jumps_;
  t.columns_.reserve(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c)
    t.columns_.push_back(columns_[c].reordered(order, rank[c]));
  t.file_rows_.resize(n);
  for (std::size_t k = 0; k < n; ++k)
    t.file_rows_[k] = static_cast<std::uint32_t>(file_row(order[k]));
  return t;
}

}  // namespace sipas::analysis
