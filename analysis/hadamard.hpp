#pragma once

#include <Eigen/Dense>
#include <cstdint>

namespace sipas::analysis {

// A Hadamard matrix with entries 0/1 (1 for +1, 0 for -1).
using BinaryMatrix = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic>;

// R's survey::hadamard(n): a Hadamard matrix with more than n rows, built the
// way survey 4.1 builds it (its four stored matrices of order 4, 16, 28 and 36,
// Sylvester doubling, and Paley's construction from a prime p = 3 mod 4 below
// 7920), so that BRR replicates are those of as.svrepdesign(type = "BRR").
BinaryMatrix hadamard(std::size_t n);

}  // namespace sipas::analysis
