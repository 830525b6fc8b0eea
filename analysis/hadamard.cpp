// Hadamard matrices as R's survey package builds them (survey 4.1:
// hadamard(), paley(), hadamard.doubler() and the stored hadamard.list).

#include "analysis/hadamard.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string_view>
#include <vector>

namespace sipas::analysis {
namespace {

// survey's hadamard.list: the matrices of order 4, 16, 28 and 36 it stores.
constexpr std::array<std::string_view, 4> stored_4 = {
    "1111",
    "1010",
    "1100",
    "1001",
};
constexpr std::array<std::string_view, 16> stored_16 = {
    "1111111111111111", "1010101010101010", "1100110011001100", "1001100110011001",
    "1111000011110000", "1010010110100101", "1100001111000011", "1001011010010110",
    "1111111100000000", "1010101001010101", "1100110000110011", "1001100101100110",
    "1111000000001111", "1010010101011010", "1100001100111100", "1001011001101001",
};
constexpr std::array<std::string_view, 28> stored_28 = {
    "1111111111111111111111111111", "1001110001110001110001111000", "1000001111001101001101111000",
    "1000001110110010111001100110", "1001101000001111100011010110", "1001010100101100010110101110",
    "1000110011010010001110011110", "0101100010101010011111110000", "0100010110110101100111010100",
    "0100011011001011110010101100", "0101011000010111011101001010", "0100101101100100111010011010",
    "0101100101011001101100100110", "0010110100011110101011101000", "0011011001100110101100110100",
    "0010101100111011010100011100", "0011000111010111010010110010", "0011001011111000100111001010",
    "0010110011101101011001000110", "1110101001010100010111100100", "1111000101100011001011001100",
    "1111000010011100111000011100", "1110010101001010110101010010", "1110011000111001001010110010",
    "1110100010100111100100101010", "1101111111111110000000000000", "1011111110000001111110000000",
    "0111111110000000000001111110",
};
constexpr std::array<std::string_view, 36> stored_36 = {
    "111111111111111111111111111111111111", "010111000111110111001000010101100100",
    "101110001111101110010000101011001000", "011100011111011100100001010110010010",
    "111000111110111001000010101100100100", "110001111101110010000101011001001010",
    "100011111011100100001010110010010110", "000111110111001000010101100100101110",
    "001111101110010000101011001001011100", "011111011100100001010110010010111000",
    "111110111001000010101100100101110000", "111101110010000101011001001011100010",
    "111011100100001010110010010111000110", "110111001000010101100100101110001110",
    "101110010000101011001001011100011110", "011100100001010110010010111000111110",
    "111001000010101100100101110001111100", "110010000101011001001011100011111010",
    "100100001010110010010111000111110110", "001000010101100100101110001111101110",
    "010000101011001001011100011111011100", "100001010110010010111000111110111000",
    "000010101100100101110001111101110010", "000101011001001011100011111011100100",
    "001010110010010111000111110111001000", "010101100100101110001111101110010000",
    "101011001001011100011111011100100000", "010110010010111000111110111001000010",
    "101100100101110001111101110010000100", "011001001011100011111011100100001010",
    "110010010111000111110111001000010100", "100100101110001111101110010000101010",
    "001001011100011111011100100001010110", "010010111000111110111001000010101100",
    "100101110001111101110010000101011000", "001011100011111011100100001010110010",
};

constexpr std::array<std::size_t, 4> stored_sizes = {4, 16, 28, 36};

BinaryMatrix from_rows(const std::string_view* rows, std::size_t n) {
  BinaryMatrix h(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j)
      h(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j] == '1' ? 1 : 0;
  }
  return h;
}

BinaryMatrix stored(std::size_t index) {
  switch (index) {
    case 0:
      return from_rows(stored_4.data(), stored_4.size());
    case 1:
      return from_rows(stored_16.data(), stored_16.size());
    case 2:
      return from_rows(stored_28.data(), stored_28.size());
    default:
      return from_rows(stored_36.data(), stored_36.size());
  }
}

// hadamard.doubler: rbind(cbind(H, H), cbind(H, 1 - H)).
BinaryMatrix doubled(const BinaryMatrix& h) {
  const Eigen::Index n = h.rows();
  BinaryMatrix out(2 * n, 2 * n);
  out.topLeftCorner(n, n) = h;
  out.topRightCorner(n, n) = h;
  out.bottomLeftCorner(n, n) = h;
  out.bottomRightCorner(n, n) = h.unaryExpr([](std::uint8_t x) -> std::uint8_t { return 1 - x; });
  return out;
}

// paley()'s small.primes: the primes p = 3 (mod 4) up to 7919.
constexpr std::size_t largest_paley_prime = 7919;

const std::vector<std::size_t>& paley_primes() {
  static const std::vector<std::size_t> primes = [] {
    std::vector<bool> composite(largest_paley_prime + 1, false);
    std::vector<std::size_t> out;
    for (std::size_t p = 2; p <= largest_paley_prime; ++p) {
      if (composite[p]) continue;
      for (std::size_t q = p * p; q <= largest_paley_prime; q += p)
        composite[q] = true;
      if (p % 4 == 3) out.push_back(p);
    }
    return out;
  }();
  return primes;
}

bool is_paley_prime(std::size_t p) {
  const auto& primes = paley_primes();
  return std::binary_search(primes.begin(), primes.end(), p);
}

// paley(prime = p): the quadratic-residue matrix of order p + 1.
BinaryMatrix paley_of_prime(std::size_t p) {
  std::vector<bool> residue(p, false);
  residue[0] = true;
  for (std::size_t i = 1; i <= (p - 1) / 2; ++i)
    residue[(i * i) % p] = true;
  const auto size = static_cast<Eigen::Index>(p + 1);
  BinaryMatrix h = BinaryMatrix::Ones(size, size);
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = 0; j < p; ++j)
      h(static_cast<Eigen::Index>(i + 1), static_cast<Eigen::Index>(j + 1)) =
          residue[(i + j) % p] ? 0 : 1;
  }
  return h;
}

// paley(n, nmax): a Paley matrix (possibly doubled) of order above n and at
// most nmax, or nothing.
std::optional<BinaryMatrix> paley(std::size_t n, std::size_t nmax) {
  const std::size_t nceil = n + 4 - n % 4;
  if (n % 4 + 4 == n % 8) {
    std::size_t nn = nceil;
    while (nn % 8 == 0)
      nn /= 2;
    if (is_paley_prime(nn - 1)) {
      BinaryMatrix m = paley_of_prime(nn - 1);
      while (nn < nceil) {
        m = doubled(m);
        nn *= 2;
      }
      return m;
    }
  }
  if (n > largest_paley_prime) return std::nullopt;
  const auto& primes = paley_primes();
  const std::size_t p = *std::lower_bound(primes.begin(), primes.end(), n);
  if (p + 1 > nceil + 4 && nceil + 4 < nmax) return paley(nceil + 3, 2 * (nceil + 3));
  if (p > nmax) return std::nullopt;
  return paley_of_prime(p);
}

}  // namespace

BinaryMatrix hadamard(std::size_t n) {
  const std::size_t m = n - n % 4;
  for (std::size_t k = 0; k < stored_sizes.size(); ++k) {
    if (m < stored_sizes[k] && m + 4 >= stored_sizes[k]) return stored(k);
  }
  if (m < stored_sizes[0]) return stored(0);
  // Each stored matrix doubled until it has more than n rows; the smallest wins.
  std::array<std::size_t, 4> sizes{};
  std::array<int, 4> doublings{};
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    const double ratio = static_cast<double>(n + 1) / static_cast<double>(stored_sizes[k]);
    doublings[k] = std::max(0, static_cast<int>(std::ceil(std::log2(ratio))));
    sizes[k] = stored_sizes[k] << doublings[k];
  }
  const auto best =
      static_cast<std::size_t>(std::min_element(sizes.begin(), sizes.end()) - sizes.begin());
  if (sizes[best] - n > 4) {
    if (auto h = paley(n, sizes[best])) return *h;
  }
  BinaryMatrix h = stored(best);
  for (int i = 0; i < doublings[best]; ++i)
    h = doubled(h);
  return h;
}

}  // namespace sipas::analysis
