#pragma once

#include <cstdint>
#include <string_view>

namespace sipas::io {

// The random generator of every draw (samples, bootstrap replicates,
// simulated data): xoshiro256** 1.0 (Blackman and Vigna,
// 2018), its state filled from the seed by SplitMix64. Integers in [0, n) come
// from rejection of the biased low range (exact, no floating point), and
// uniforms in [0, 1) from the top 53 bits. Nothing depends on the standard
// library's distributions, so a seed gives the same draws on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t next();
  // Uniform integer in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n);
  // Uniform double in [0, 1), a multiple of 2^-53.
  double uniform();

  // An independent stream for one part of a draw (a stratum, a stage unit):
  // its seed is SplitMix64(seed XOR FNV-1a-64(name)), so each stratum's draw
  // does not depend on the other strata.
  static Rng stream(std::uint64_t seed, std::string_view name);

 private:
  std::uint64_t s_[4];
};

// A fresh seed from the operating system's entropy, for runs without --seed.
std::uint64_t random_seed();

}  // namespace sipas::io
