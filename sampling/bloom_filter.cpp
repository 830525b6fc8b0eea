#include "sampling/bloom_filter.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <new>
#include <utility>

namespace sipas::sampling {
namespace {

// Transparent huge pages are 2 MiB on x86-64 and most arm64 kernels; a
// mapping aligned to that can be backed by them.
constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;

}  // namespace

BloomFilter::BloomFilter(std::uint64_t file_bytes) {
  std::uint64_t wanted = std::clamp<std::uint64_t>(file_bytes * 2, min_bits, max_bits);
  std::uint64_t bits = min_bits;
  while (bits < wanted)
    bits <<= 1;
  block_mask_ = bits / block_bits - 1;
  const std::size_t bytes = bits / 8;
  // Anonymous memory is zero, and pages are only made when first written.
  mapping_bytes_ = bytes + huge_page_bytes;
  mapping_ =
      ::mmap(nullptr, mapping_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping_ == MAP_FAILED) {
    mapping_ = nullptr;
    throw std::bad_alloc();
  }
  auto address = reinterpret_cast<std::uintptr_t>(mapping_);
  address = (address + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
  words_ = reinterpret_cast<std::uint64_t*>(address);
#ifdef MADV_HUGEPAGE
  (void)::madvise(words_, bytes, MADV_HUGEPAGE);  // a hint: without it, only slower
#endif
}

BloomFilter::BloomFilter(BloomFilter&& other) noexcept
    : block_mask_(other.block_mask_),
      words_(std::exchange(other.words_, nullptr)),
      mapping_(std::exchange(other.mapping_, nullptr)),
      mapping_bytes_(std::exchange(other.mapping_bytes_, 0)) {}

BloomFilter& BloomFilter::operator=(BloomFilter&& other) noexcept {
  if (this != &other) {
    release();
    block_mask_ = other.block_mask_;
    words_ = std::exchange(other.words_, nullptr);
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapping_bytes_ = std::exchange(other.mapping_bytes_, 0);
  }
  return *this;
}

BloomFilter::~BloomFilter() {
  release();
}

void BloomFilter::release() noexcept {
  if (mapping_) ::munmap(mapping_, mapping_bytes_);
  mapping_ = nullptr;
  words_ = nullptr;
}

}  // namespace sipas::sampling
