#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace sipas::sampling {

// A Bloom filter for spotting possibly repeated ids in one pass with memory
// that does not grow with the frame: at most 64 MiB, sized from the file.
// insert() says whether the id may have been seen; those few candidates are
// checked exactly in the second pass, so a false positive costs nothing but a
// lookup.
//
// Cache-blocked (Putze, Sanders and Singler 2007): all the bits of one id lie
// in one 64-byte block, so an insert misses the cache once rather than once
// per bit, and the bits live on memory advised to use transparent huge pages,
// so that it rarely misses the TLB either. Blocking raises the false-positive
// rate a little (at 2 bits per file byte it stays below 1e-6 per id on
// frames of 60-byte rows); the output does not change, only how many
// candidates are checked.
//
// Move-only; not safe to use from two threads at once.
class BloomFilter {
 public:
  // `file_bytes`: the frame's size; about 2 bits per byte, between 64 KiB and
  // 64 MiB of bits, rounded up to a power of two.
  explicit BloomFilter(std::uint64_t file_bytes);
  BloomFilter(BloomFilter&& other) noexcept;
  BloomFilter& operator=(BloomFilter&& other) noexcept;
  BloomFilter(const BloomFilter&) = delete;
  BloomFilter& operator=(const BloomFilter&) = delete;
  ~BloomFilter();

  // The hash insert() uses: std::hash, the same within one process, which is
  // all a filter that lives for one run needs.
  static std::uint64_t hash(std::string_view id) { return std::hash<std::string_view>{}(id); }

  // Asks for the block of hash `h` to be brought into the cache: a caller that
  // knows the next ids prefetches them, so that their misses overlap.
  void prefetch(std::uint64_t h) const {
    __builtin_prefetch(words_ + (h & block_mask_) * words_per_block, 1);
  }

  // Adds `id`; true when every bit was already set (maybe seen before).
  bool insert(std::string_view id) { return insert_hash(hash(id)); }
  // The same, for an id whose hash() the caller has already computed.
  bool insert_hash(std::uint64_t h) {
    // The block from the hash's low bits, the bit positions within it from a
    // remix: 9 bits each for the 512 bits of a block.
    std::uint64_t* block = words_ + (h & block_mask_) * words_per_block;
    std::uint64_t positions = mix(h);
    bool seen = true;
    for (int i = 0; i < hashes; ++i) {
      const unsigned bit = static_cast<unsigned>(positions & (block_bits - 1));
      positions >>= 9;
      std::uint64_t& word = block[bit >> 6];
      const std::uint64_t flag = std::uint64_t{1} << (bit & 63);
      seen = seen && (word & flag) != 0;
      word |= flag;
    }
    return seen;
  }

  std::uint64_t bits() const { return (block_mask_ + 1) * block_bits; }

 private:
  static constexpr std::uint64_t min_bits = std::uint64_t{1} << 19;
  static constexpr std::uint64_t max_bits = std::uint64_t{1} << 29;
  static constexpr std::uint64_t block_bits = 512;  // one 64-byte cache line
  static constexpr std::size_t words_per_block = block_bits / 64;
  static constexpr int hashes = 6;

  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  void release() noexcept;

  std::uint64_t block_mask_ = 0;
  std::uint64_t* words_ = nullptr;  // aligned to a huge page, inside mapping_
  void* mapping_ = nullptr;
  std::size_t mapping_bytes_ = 0;
};

}  // namespace sipas::sampling
