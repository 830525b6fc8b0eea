#include "analysis/multiple_testing.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sipas::analysis {

std::optional<Adjustment> adjustment_from_string(const std::string& name) {
  if (name == "none") return Adjustment::None;
  if (name == "holm") return Adjustment::Holm;
  if (name == "BH") return Adjustment::BH;
  return std::nullopt;
}

std::string to_string(Adjustment adjustment) {
  switch (adjustment) {
    case Adjustment::None:
      return "none";
    case Adjustment::Holm:
      return "holm";
    case Adjustment::BH:
      return "BH";
  }
  return "";
}

std::vector<double> adjust_p(const std::vector<double>& p, Adjustment adjustment) {
  std::vector<double> out = p;
  // The hypotheses with a p-value, by their place in p.
  std::vector<std::size_t> present;
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (!std::isnan(p[k])) present.push_back(k);
  }
  const std::size_t m = present.size();
  if (adjustment == Adjustment::None || m <= 1) return out;
  const double n = static_cast<double>(m);
  if (adjustment == Adjustment::Holm) {
    // o <- order(p); pmin(1, cummax((n + 1 - i) * p[o]))[ro]
    std::stable_sort(present.begin(), present.end(),
                     [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
    double running = -INFINITY;
    for (std::size_t i = 1; i <= m; ++i) {
      const std::size_t k = present[i - 1];
      running = std::max(running, (n + 1 - static_cast<double>(i)) * p[k]);
      out[k] = std::min(1.0, running);
    }
  } else {
    // i <- lp:1; o <- order(p, decreasing = TRUE); pmin(1, cummin(n / i * p[o]))[ro]
    std::stable_sort(present.begin(), present.end(),
                     [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
    double running = INFINITY;
    for (std::size_t r = 0; r < m; ++r) {
      const std::size_t k = present[r];
      const double i = static_cast<double>(m - r);
      running = std::min(running, n / i * p[k]);
      out[k] = std::min(1.0, running);
    }
  }
  return out;
}

}  // namespace sipas::analysis
