#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace sipas::sampling {

// A Bloom filter for spotting possibly repeated ids in one pass with memory
// that does not grow with the frame: at most 64 MiB, sized from the file.
// insert() says whether the id may have been seen; those few candidates are
// checked exactly in the second pass, so a false positive costs nothing but a
// lookup.
class BloomFilter {
 public:
  // `file_bytes`: the frame's size; about 2 bits per byte, between 64 KiB and
  // 64 MiB of bits (at 60 bytes a row, 120 bits per id: false positives ~1e-9).
  explicit BloomFilter(std::uint64_t file_bytes) {
    std::uint64_t bits = std::clamp<std::uint64_t>(file_bytes * 2, min_bits, max_bits);
    std::uint64_t rounded = min_bits;
    while (rounded < bits)
      rounded <<= 1;
    mask_ = rounded - 1;
    words_.assign(rounded / 64, 0);
  }

  // Adds `id`; true when every bit was already set (maybe seen before).
  bool insert(std::string_view id) {
    std::uint64_t h1 = std::hash<std::string_view>{}(id);
    std::uint64_t h2 = mix(h1) | 1;
    bool seen = true;
    for (int i = 0; i < hashes; ++i) {
      std::uint64_t bit = (h1 + static_cast<std::uint64_t>(i) * h2) & mask_;
      std::uint64_t& word = words_[bit >> 6];
      std::uint64_t flag = std::uint64_t{1} << (bit & 63);
      seen = seen && (word & flag);
      word |= flag;
    }
    return seen;
  }

 private:
  static constexpr std::uint64_t min_bits = std::uint64_t{1} << 19;
  static constexpr std::uint64_t max_bits = std::uint64_t{1} << 29;
  static constexpr int hashes = 6;

  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::uint64_t mask_ = 0;
  std::vector<std::uint64_t> words_;
};

}  // namespace sipas::sampling
