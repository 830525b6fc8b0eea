#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sipas::analysis {

// Adjustments of p-values for testing several hypotheses at once, exactly as
// R's p.adjust (stats 4.2) computes them: the same operations in the same
// order, so the same doubles.
enum class Adjustment {
  None,  // the p-values as they are
  Holm,  // Holm (1979): family-wise error rate
  BH,    // Benjamini and Hochberg (1995): false discovery rate
};
std::optional<Adjustment> adjustment_from_string(const std::string& name);  // none, holm, BH
std::string to_string(Adjustment adjustment);

// The adjusted p-values, in the order of `p`. A NaN p stays NaN and is not
// counted among the m hypotheses (p.adjust drops NAs before n = length(p) is
// evaluated). With p_(1) <= ... <= p_(m) the ordered values (ties in their
// given order, as R's order()):
//   Holm: p̃_(i) = min(1, max_{j <= i} (m − j + 1) p_(j))
//   BH:   p̃_(i) = min(1, min_{j >= i} (m / j) p_(j))
// One p-value (m <= 1) comes back unchanged, as in R.
std::vector<double> adjust_p(const std::vector<double>& p, Adjustment adjustment);

}  // namespace sipas::analysis
