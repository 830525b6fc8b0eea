// Many ratio estimates at once (Engine::ratios): every ratio of coded columns
// in every domain from one pass over the rows, then matrix work on the
// weighted sums by cluster, domain and ratio. The result equals that of
// ratio() called for each (to rounding): the same estimates, counts, df and
// standard errors (R's svyratio / svymean with na.rm = TRUE, on the whole
// design).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "analysis/engine.hpp"
#include "analysis/error.hpp"

namespace sipas::analysis {
namespace {

using Index = Eigen::Index;

// The accumulators of one pass take at most about this many doubles (the
// domains are split over several passes beyond it): with 1,260 PSUs, 20
// ratios and 31 domains they take 1.6 million, but a design whose clusters
// are its rows (id = ~1) would need rows × ratios × domains.
constexpr double pass_budget = 1 << 23;

AnalysisError size_mismatch(const std::string& what, std::size_t size, std::size_t rows) {
  return AnalysisError("analysis.size_mismatch", what + " has " + std::to_string(size) +
                                                     " values but the design has " +
                                                     std::to_string(rows) + " rows");
}

// What a row with a level adds to a ratio: y and z (0 when the row is left
// out), whether it is used (both values present), and whether y is present
// (R's degf counts the PSUs with a numerator, whatever the domain).
struct Level {
  double y = 0, z = 0, used = 0;
  char y_present = 0;
};

struct Tables {
  std::vector<const Column*> columns;
  std::vector<std::vector<Level>> levels;  // per ratio, per level
};

Tables tables_of(const std::vector<CodedRatio>& ratios, std::size_t rows) {
  Tables t;
  for (const CodedRatio& r : ratios) {
    if (!r.column) throw AnalysisError("analysis.size_mismatch", "a coded ratio has no column");
    if (r.column->size() != rows) throw size_mismatch("a coded column", r.column->size(), rows);
    const std::size_t levels = r.column->levels().size();
    if (r.numerator.size() != levels || r.denominator.size() != levels) {
      throw AnalysisError("analysis.size_mismatch",
                          "a coded ratio gives " + std::to_string(r.numerator.size()) + " and " +
                              std::to_string(r.denominator.size()) + " values for " +
                              std::to_string(levels) + " levels");
    }
    std::vector<Level> table(levels);
    for (std::size_t l = 0; l < levels; ++l) {
      const bool used = !std::isnan(r.numerator[l]) && !std::isnan(r.denominator[l]);
      table[l].y = used ? r.numerator[l] : 0;
      table[l].z = used ? r.denominator[l] : 0;
      table[l].used = used ? 1 : 0;
      table[l].y_present = std::isnan(r.numerator[l]) ? 0 : 1;
    }
    t.columns.push_back(r.column);
    t.levels.push_back(std::move(table));
  }
  return t;
}

// Domains as slots of accumulators, for one pass: slot 0 holds every row when
// some domain is everyone; the other domains are laid out in layers of
// disjoint domains (one layer for a partition such as domains_of() gives),
// each row holding its slot in every layer.
struct DomainLayout {
  std::size_t slots = 0;
  bool everyone = false;
  std::vector<std::size_t> slot_of;               // per domain of the pass
  std::vector<std::vector<std::int32_t>> layers;  // per layer, per row: slot or -1
  std::vector<std::int32_t> layer_of_slot;        // -1: the slot of everyone

  bool holds(std::size_t slot, std::size_t row) const {
    const std::int32_t layer = layer_of_slot[slot];
    return layer < 0 ||
           layers[static_cast<std::size_t>(layer)][row] == static_cast<std::int32_t>(slot);
  }
};

DomainLayout layout_of(const std::vector<const RowMask*>& domains, std::size_t begin,
                       std::size_t end, std::size_t rows) {
  DomainLayout out;
  out.slot_of.resize(end - begin);
  for (std::size_t d = begin; d < end; ++d) {
    const RowMask* mask = domains[d];
    if (mask && !mask->empty()) {
      if (mask->size() != rows) throw size_mismatch("a domain", mask->size(), rows);
      continue;
    }
    out.everyone = true;
    out.slots = 1;
    out.slot_of[d - begin] = 0;
    out.layer_of_slot.assign(1, -1);
  }
  for (std::size_t d = begin; d < end; ++d) {
    const RowMask* mask = domains[d];
    if (!mask || mask->empty()) continue;
    const auto slot = static_cast<std::int32_t>(out.slots++);
    out.slot_of[d - begin] = static_cast<std::size_t>(slot);
    bool placed = false;
    for (auto& layer : out.layers) {
      out.layer_of_slot.push_back(static_cast<std::int32_t>(&layer - out.layers.data()));
      std::size_t i = 0;
      for (; i < rows; ++i) {
        if (!(*mask)[i]) continue;
        if (layer[i] >= 0) break;  // overlaps a domain of this layer
        layer[i] = slot;
      }
      if (i == rows) {
        placed = true;
        break;
      }
      for (std::size_t k = 0; k < i; ++k) {
        if ((*mask)[k]) layer[k] = -1;
      }
      out.layer_of_slot.pop_back();
    }
    if (!placed) {
      out.layer_of_slot.push_back(static_cast<std::int32_t>(out.layers.size()));
      out.layers.emplace_back(rows, -1);
      auto& layer = out.layers.back();
      for (std::size_t i = 0; i < rows; ++i) {
        if ((*mask)[i]) layer[i] = slot;
      }
    }
  }
  return out;
}

// Weighted sums by (cluster, slot, ratio) and counts by (slot, ratio). The
// sums of a cluster are contiguous, y of every (slot, ratio) then z, so that
// they are the transpose of a clusters × 2·columns matrix (columns = slots ×
// ratios) that matrix products take in place.
struct Sums {
  Index clusters = 0, ratios = 0, slots = 0, columns = 0;
  std::vector<double> sums;  // [cluster · 2·columns + (z ? columns : 0) + slot · ratios + ratio]
  std::vector<double> n, weighted_n;  // [slot · ratios + ratio]
  std::vector<char> y_present;        // [psu · ratios + ratio], when asked for

  Sums(Index clusters_, Index ratios_, Index slots_, Index psus)
      : clusters(clusters_),
        ratios(ratios_),
        slots(slots_),
        columns(slots_ * ratios_),
        sums(static_cast<std::size_t>(2 * clusters_ * columns), 0.0),
        n(static_cast<std::size_t>(columns), 0.0),
        weighted_n(n.size(), 0.0),
        y_present(static_cast<std::size_t>(psus * ratios_), 0) {}

  double y_at(Index cluster, Index column) const {
    return sums[static_cast<std::size_t>(cluster * 2 * columns + column)];
  }
  double z_at(Index cluster, Index column) const {
    return sums[static_cast<std::size_t>(cluster * 2 * columns + columns + column)];
  }
  // 2·columns × clusters: row k the y sums of column k by cluster, row
  // columns + k the z sums.
  Eigen::Map<const Eigen::MatrixXd> transposed() const {
    return {sums.data(), 2 * columns, clusters};
  }
};

// One pass over rows [begin, end): every row adds w·y and w·z of every ratio
// to its cluster in each of its slots. `weights` null: weight 1 (the rows of
// a block, whose analysis weights come later). `psu` non-null: also marks the
// PSUs with a numerator.
template <typename ClusterOf>
void accumulate(const Tables& t, const DomainLayout& layout, std::size_t begin, std::size_t end,
                const double* weights, ClusterOf&& cluster_of, const std::uint32_t* psu, Sums& s) {
  const std::size_t count = t.levels.size();
  std::vector<const Level*> entry(count);
  std::vector<std::int32_t> slots;
  slots.reserve(1 + layout.layers.size());
  for (std::size_t i = begin; i < end; ++i) {
    slots.clear();
    if (layout.everyone) slots.push_back(0);
    for (const auto& layer : layout.layers) {
      if (layer[i] >= 0) slots.push_back(layer[i]);
    }
    const double w = weights ? weights[i] : 1.0;
    const bool mark = psu && w != 0;
    if (slots.empty() && !mark) continue;
    for (std::size_t j = 0; j < count; ++j)
      entry[j] = &t.levels[j][t.columns[j]->code(i)];
    double* cluster_sums =
        s.sums.data() + static_cast<std::size_t>(static_cast<Index>(cluster_of(i)) * 2 * s.columns);
    for (const std::int32_t slot : slots) {
      const auto at = static_cast<std::size_t>(slot * s.ratios);
      double* y = cluster_sums + at;
      double* z = cluster_sums + s.columns + at;
      double* n = s.n.data() + at;
      double* wn = s.weighted_n.data() + at;
      for (std::size_t j = 0; j < count; ++j) {
        const Level& e = *entry[j];
        y[j] += w * e.y;
        z[j] += w * e.z;
        n[j] += e.used;
        wn[j] += w * e.used;
      }
    }
    if (mark) {
      char* present = s.y_present.data() + static_cast<std::size_t>(psu[i]) * count;
      for (std::size_t j = 0; j < count; ++j)
        present[j] |= entry[j]->y_present;
    }
  }
}

// How many domains one pass can take when a slot needs `per_slot` doubles.
std::size_t domains_per_pass(double per_slot) {
  return static_cast<std::size_t>(std::max(1.0, std::floor(pass_budget / std::max(per_slot, 1.0))));
}

Estimate ratio_estimate(double value, double se, double df, double n, double weighted_n) {
  Estimate e;
  e.statistic = "ratio";
  e.estimate = value;
  e.se = se;
  e.df = df;
  e.n = n;
  e.weighted_n = weighted_n;
  return e;
}

AnalysisError zero_denominator() {
  return AnalysisError("analysis.zero_denominator", "the denominator's weighted total is 0");
}

}  // namespace

void Engine::ratios(const std::vector<CodedRatio>& ratios,
                    const std::vector<const RowMask*>& domains,
                    const std::function<void(std::size_t, RatioPieces&)>& consume) const {
  const Tables t = tables_of(ratios, rows());
  const RowMask everyone;
  std::vector<double> y(rows()), z(rows());
  for (std::size_t d = 0; d < domains.size(); ++d) {
    const RowMask& mask = domains[d] ? *domains[d] : everyone;
    if (!mask.empty() && mask.size() != rows())
      throw size_mismatch("a domain", mask.size(), rows());
    RatioPieces pieces(ratios.size());
    for (std::size_t j = 0; j < ratios.size(); ++j) {
      bool any = false;
      for (std::size_t i = 0; i < rows(); ++i) {
        const std::uint32_t level = t.columns[j]->code(i);
        y[i] = ratios[j].numerator[level];
        z[i] = ratios[j].denominator[level];
        any |= t.levels[j][level].used > 0 && (mask.empty() || mask[i]);
      }
      if (any) pieces[j] = ratio(y, z, mask);
    }
    consume(d, pieces);
  }
}

void LinearizationEngine::ratios(
    const std::vector<CodedRatio>& ratios, const std::vector<const RowMask*>& domains,
    const std::function<void(std::size_t, RatioPieces&)>& consume) const {
  const bool calibrated = design_.calibrated();
  const std::size_t n = design_.rows();
  const Tables t = tables_of(ratios, n);
  const DesignStage& stage = design_.variance_stage();
  const DesignStage& first = design_.stages()[0];
  const auto count = static_cast<Index>(ratios.size());
  const auto clusters = static_cast<Index>(stage.clusters);
  const std::size_t per_pass =
      domains_per_pass(3 * static_cast<double>(clusters) * static_cast<double>(count));
  std::vector<double> df;
  for (std::size_t begin = 0; begin < domains.size(); begin += per_pass) {
    const std::size_t end = std::min(domains.size(), begin + per_pass);
    const DomainLayout layout = layout_of(domains, begin, end, n);
    const auto slots = static_cast<Index>(layout.slots);
    Sums s(clusters, count, slots, df.empty() ? first.clusters : 0);
    accumulate(
        t, layout, 0, n, design_.weights().data(), [&](std::size_t i) { return stage.cluster[i]; },
        df.empty() ? first.cluster.data() : nullptr, s);
    if (df.empty()) {
      // R's degf of the rows with a numerator: their PSUs minus their strata.
      df.resize(ratios.size());
      std::vector<char> stratum_seen(first.strata);
      for (Index j = 0; j < count; ++j) {
        std::fill(stratum_seen.begin(), stratum_seen.end(), 0);
        double psus = 0, strata = 0;
        for (std::uint32_t c = 0; c < first.clusters; ++c) {
          if (!s.y_present[static_cast<std::size_t>(c * count + j)]) continue;
          psus += 1;
          char& seen = stratum_seen[first.cluster_stratum[c]];
          strata += seen ? 0 : 1;
          seen = 1;
        }
        df[static_cast<std::size_t>(j)] = psus - strata;
      }
    }
    // Estimates and the cluster totals of their influence values,
    // w (y − R z) / Z summed in each cluster = (Y_c − R Z_c) / Z. With
    // calibration the totals are those of the rows' calibration residuals,
    // so the influence values of the rows are formed, one estimate at a time.
    const Index columns = s.columns;
    Eigen::MatrixXd influence = Eigen::MatrixXd::Zero(clusters, columns);
    std::vector<double> value(static_cast<std::size_t>(columns), not_available);
    Eigen::MatrixXd rows_x;
    if (calibrated) rows_x.resize(static_cast<Index>(n), 1);
    for (Index k = 0; k < columns; ++k) {
      if (s.n[static_cast<std::size_t>(k)] == 0) continue;
      double y = 0, z = 0;
      for (Index c = 0; c < clusters; ++c) {
        y += s.y_at(c, k);
        z += s.z_at(c, k);
      }
      if (z == 0) throw zero_denominator();
      const double r = y / z;
      value[static_cast<std::size_t>(k)] = r;
      if (!calibrated) {
        for (Index c = 0; c < clusters; ++c)
          influence(c, k) = (s.y_at(c, k) - r * s.z_at(c, k)) / z;
        continue;
      }
      const auto slot = static_cast<std::size_t>(k / count);
      const auto j = static_cast<std::size_t>(k % count);
      const Column& column = *t.columns[j];
      const std::vector<Level>& levels = t.levels[j];
      const double* w = design_.weights().data();
      double* x = rows_x.data();
      for (std::size_t i = 0; i < n; ++i) {
        const Level& e = levels[column.code(i)];
        x[i] = e.used > 0 && layout.holds(slot, i) ? w[i] * (e.y - r * e.z) / z : 0;
      }
      influence.col(k) = design_.cluster_totals(rows_x);
    }
    const Eigen::VectorXd variance = design_.variance_diagonal_of_totals(influence);
    for (std::size_t d = begin; d < end; ++d) {
      const auto slot = static_cast<Index>(layout.slot_of[d - begin]);
      RatioPieces pieces(ratios.size());
      for (Index j = 0; j < count; ++j) {
        const Index k = slot * count + j;
        const double used = s.n[static_cast<std::size_t>(k)];
        if (used == 0) continue;
        Piece p;
        p.value = value[static_cast<std::size_t>(k)];
        p.detail = influence.col(k);
        p.base = ratio_estimate(p.value, std::sqrt(variance[k]), df[static_cast<std::size_t>(j)],
                                used, s.weighted_n[static_cast<std::size_t>(k)]);
        pieces[static_cast<std::size_t>(j)] = std::move(p);
      }
      consume(d, pieces);
    }
  }
}

void ReplicateEngine::ratios(const std::vector<CodedRatio>& ratios,
                             const std::vector<const RowMask*>& domains,
                             const std::function<void(std::size_t, RatioPieces&)>& consume) const {
  design_.check();
  const std::size_t n = design_.rows();
  const Tables t = tables_of(ratios, n);
  const auto count = static_cast<Index>(ratios.size());
  const Index replicates = design_.count();
  // Built designs: weighted sums by PSU, then the replicates' sums are
  // sumsᵀ · factors. Replicate weights from columns: a block of rows at a
  // time, += valuesᵀ · W_block.
  constexpr Index block_rows = 256;
  const Index clusters = design_.factored() ? design_.factors.rows() : block_rows;
  const std::size_t per_pass =
      domains_per_pass(2 * (static_cast<double>(clusters) + static_cast<double>(replicates)) *
                       static_cast<double>(count));
  for (std::size_t begin = 0; begin < domains.size(); begin += per_pass) {
    const std::size_t end = std::min(domains.size(), begin + per_pass);
    const DomainLayout layout = layout_of(domains, begin, end, n);
    const auto slots = static_cast<Index>(layout.slots);
    const Index columns = slots * count;
    // Full-sample sums Y, Z, counts, and the replicates' sums: row k of
    // theta_sums the numerators of column k, row columns + k the denominators.
    Eigen::VectorXd full(2 * columns);
    Eigen::MatrixXd theta_sums(2 * columns, replicates);
    std::vector<double> used, weighted_n;
    if (design_.factored()) {
      Sums s(clusters, count, slots, 0);
      accumulate(
          t, layout, 0, n, design_.weights.data(), [&](std::size_t i) { return design_.psu[i]; },
          nullptr, s);
      theta_sums.noalias() = s.transposed() * design_.factors;
      full = s.transposed().rowwise().sum();
      used = std::move(s.n);
      weighted_n = std::move(s.weighted_n);
    } else {
      {
        Sums s(1, count, slots, 0);
        accumulate(
            t, layout, 0, n, design_.weights.data(), [](std::size_t) { return 0; }, nullptr, s);
        full = s.transposed().col(0);
        used = std::move(s.n);
        weighted_n = std::move(s.weighted_n);
      }
      theta_sums.setZero();
      Sums s(block_rows, count, slots, 0);
      for (std::size_t start = 0; start < n; start += static_cast<std::size_t>(block_rows)) {
        const std::size_t stop = std::min(n, start + static_cast<std::size_t>(block_rows));
        const auto rows_used = static_cast<Index>(stop - start);
        std::fill(s.sums.begin(), s.sums.end(), 0.0);
        accumulate(
            t, layout, start, stop, nullptr, [&](std::size_t i) { return i - start; }, nullptr, s);
        theta_sums.noalias() += s.transposed().leftCols(rows_used) *
                                design_.replicates.middleRows(static_cast<Index>(start), rows_used);
      }
    }
    for (std::size_t d = begin; d < end; ++d) {
      const auto slot = static_cast<Index>(layout.slot_of[d - begin]);
      RatioPieces pieces(ratios.size());
      for (Index j = 0; j < count; ++j) {
        const Index k = slot * count + j;
        if (used[static_cast<std::size_t>(k)] == 0) continue;
        if (full[columns + k] == 0) throw zero_denominator();
        Piece p;
        p.value = full[k] / full[columns + k];
        p.detail = theta_sums.row(k).cwiseQuotient(theta_sums.row(columns + k)).transpose();
        p.base = ratio_estimate(p.value, std::sqrt(design_.variance(p.detail, p.value)), design_.df,
                                used[static_cast<std::size_t>(k)],
                                weighted_n[static_cast<std::size_t>(k)]);
        pieces[static_cast<std::size_t>(j)] = std::move(p);
      }
      consume(d, pieces);
    }
  }
}

}  // namespace sipas::analysis
