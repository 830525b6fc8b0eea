// Linearization designs and their variance (R: svydesign, svyrecvar,
// multistage, onestage, onestrat in the survey package, Lumley 2004).

#include "analysis/design.hpp"

#include <cmath>
#include <limits>
#include <unordered_map>

#include "analysis/error.hpp"
#include "io/enum_names.hpp"

namespace sipas::analysis {
namespace {

// A sampling fraction this close to 1 is a census: no variance (R's 1e-7).
constexpr double census_fraction = 1e-7;

constexpr io::EnumName<LonelyPsu> lonely_psu_names[] = {{LonelyPsu::Fail, "fail"},
                                                        {LonelyPsu::Adjust, "adjust"},
                                                        {LonelyPsu::Average, "average"},
                                                        {LonelyPsu::Certainty, "certainty"},
                                                        {LonelyPsu::Remove, "remove"}};

std::uint64_t pair_key(std::uint32_t a, std::uint32_t b) {
  return (static_cast<std::uint64_t>(a) << 32) | b;
}

}  // namespace

std::optional<LonelyPsu> lonely_psu_from_string(std::string_view name) {
  return io::enum_from_name(lonely_psu_names, name);
}

LonelyPsu parse_lonely_psu(std::string_view name) {
  if (auto option = lonely_psu_from_string(name)) return *option;
  throw AnalysisError("analysis.invalid_option",
                      "`design.lonely_psu` must be " + io::enum_names_text(lonely_psu_names));
}

std::string to_string(LonelyPsu option) {
  return io::enum_name(lonely_psu_names, option);
}

Design Design::build(const Table& data, const DesignColumns& columns) {
  Design d;
  d.columns_ = columns;
  d.lonely_ = columns.lonely_psu;
  const std::size_t n = data.rows();
  if (n == 0) throw AnalysisError("design.empty", data.source() + ": the data have no rows");
  const std::size_t stage_count = std::max<std::size_t>(1, columns.clusters.size());
  if (!columns.fpc.empty() && columns.fpc.size() != stage_count) {
    throw AnalysisError("design.fpc_stages", "give `design.fpc` for every sampling stage (" +
                                                 std::to_string(stage_count) + ") or for none; " +
                                                 std::to_string(columns.fpc.size()) + " given");
  }
  d.has_fpc_ = !columns.fpc.empty();
  std::vector<DesignStage> stages;

  // Stage 0 strata.
  DesignStage first;
  first.stratum.resize(n);
  if (columns.strata.empty()) {
    first.strata = 1;
    first.stratum_names = {"(all)"};
  } else {
    const Column& s = data.column(columns.strata);
    std::unordered_map<std::uint32_t, std::uint32_t> dense;
    for (std::size_t i = 0; i < n; ++i) {
      if (s.is_missing(i)) {
        const std::size_t row = data.first_in_file([&](std::size_t j) { return s.is_missing(j); });
        throw AnalysisError("design.missing_stratum",
                            data.source() + ":" + std::to_string(data.line_of(row)) + ": column '" +
                                columns.strata + "' is empty");
      }
      auto [it, inserted] = dense.emplace(s.code(i), static_cast<std::uint32_t>(dense.size()));
      if (inserted) first.stratum_names.push_back(s.text(i));
      first.stratum[i] = it->second;
    }
    first.strata = static_cast<std::uint32_t>(dense.size());
  }
  stages.push_back(std::move(first));

  // Clusters, nested in their strata (and in the clusters of the stage before).
  for (std::size_t k = 0; k < stage_count; ++k) {
    DesignStage& stage = stages[k];
    if (k > 0) {
      const DesignStage& parent = stages[k - 1];
      stage.stratum = parent.cluster;
      stage.strata = parent.clusters;
      stage.stratum_names.resize(stage.strata);
      for (std::uint32_t c = 0; c < stage.strata; ++c)
        stage.stratum_names[c] = "cluster " + std::to_string(c + 1);
    }
    stage.cluster.resize(n);
    std::unordered_map<std::uint64_t, std::uint32_t> dense;
    const Column* ids = columns.clusters.empty() ? nullptr : &data.column(columns.clusters[k]);
    for (std::size_t i = 0; i < n; ++i) {
      std::uint32_t code;
      if (ids) {
        if (ids->is_missing(i)) {
          const std::size_t row =
              data.first_in_file([&](std::size_t j) { return ids->is_missing(j); });
          throw AnalysisError("design.missing_cluster",
                              data.source() + ":" + std::to_string(data.line_of(row)) +
                                  ": column '" + columns.clusters[k] + "' is empty");
        }
        code = ids->code(i);
      } else {
        code = static_cast<std::uint32_t>(i);  // id = ~1: every row is its own PSU
      }
      auto [it, inserted] =
          dense.emplace(pair_key(stage.stratum[i], code), static_cast<std::uint32_t>(dense.size()));
      if (inserted) stage.cluster_stratum.push_back(stage.stratum[i]);
      stage.cluster[i] = it->second;
    }
    stage.clusters = static_cast<std::uint32_t>(dense.size());
    stage.sampled.assign(stage.strata, 0);
    for (auto s : stage.cluster_stratum)
      stage.sampled[s] += 1;
    stage.population.assign(stage.strata, std::numeric_limits<double>::infinity());
    if (d.has_fpc_) {
      auto fpc = data.numbers(columns.fpc[k]);
      bool any_big = false, all_at_least_one = true;
      for (std::size_t i = 0; i < n; ++i) {
        if (std::isnan(fpc[i])) {
          const std::size_t row =
              data.first_in_file([&](std::size_t j) { return std::isnan(fpc[j]); });
          throw AnalysisError("design.missing_fpc",
                              data.source() + ":" + std::to_string(data.line_of(row)) +
                                  ": column '" + columns.fpc[k] + "' is empty");
        }
        any_big |= fpc[i] > 1;
        all_at_least_one &= fpc[i] >= 1;
      }
      if (any_big != all_at_least_one) {
        throw AnalysisError("design.fpc_mixed",
                            "column '" + columns.fpc[k] +
                                "' mixes population sizes (> 1) and sampling fractions (<= 1)");
      }
      auto population_of = [&](std::size_t i) {
        return any_big ? fpc[i] : stage.sampled[stage.stratum[i]] / fpc[i];
      };
      // A stratum's population is that of its first row in the file, so that
      // a value that varies is named where it first departs from it.
      constexpr auto none = std::numeric_limits<std::size_t>::max();
      std::vector<std::size_t> first_row(stage.strata, none);
      for (std::size_t i = 0; i < n; ++i) {
        std::size_t& row = first_row[stage.stratum[i]];
        if (row == none || data.file_row(i) < data.file_row(row)) row = i;
      }
      for (std::uint32_t s = 0; s < stage.strata; ++s)
        stage.population[s] = population_of(first_row[s]);
      auto wrong = [&](std::size_t i) {
        const auto s = stage.stratum[i];
        return population_of(i) != stage.population[s] || population_of(i) < stage.sampled[s];
      };
      for (std::size_t i = 0; i < n; ++i) {
        if (!wrong(i)) continue;
        i = data.first_in_file(wrong);
        const auto s = stage.stratum[i];
        const double population = population_of(i);
        if (population != stage.population[s]) {
          throw AnalysisError("design.fpc_varies",
                              data.source() + ":" + std::to_string(data.line_of(i)) + ": column '" +
                                  columns.fpc[k] + "' varies within stratum " +
                                  stage.stratum_names[s] + " at stage " + std::to_string(k + 1));
        }
        throw AnalysisError("design.fpc_too_small",
                            data.source() + ":" + std::to_string(data.line_of(i)) + ": column '" +
                                columns.fpc[k] + "' gives " + std::to_string(population) +
                                " units in the population of stratum " + stage.stratum_names[s] +
                                " but " + std::to_string(stage.sampled[s]) + " are in the sample");
      }
    }
    if (k + 1 < stage_count) stages.push_back(DesignStage{});
  }

  // Weights: given, else the inverse of the product of the stage fractions.
  d.weights_.resize(static_cast<Eigen::Index>(n));
  if (!columns.weights.empty()) {
    auto w = data.numbers(columns.weights);
    auto invalid = [&](std::size_t i) { return !(w[i] > 0) || !std::isfinite(w[i]); };
    for (std::size_t i = 0; i < n; ++i) {
      if (invalid(i)) {
        throw AnalysisError("design.invalid_weight",
                            data.source() + ":" +
                                std::to_string(data.line_of(data.first_in_file(invalid))) +
                                ": column '" + columns.weights + "' must be a positive weight");
      }
      d.weights_[static_cast<Eigen::Index>(i)] = w[i];
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      double w = 1;
      if (d.has_fpc_) {
        for (const auto& stage : stages) {
          const auto s = stage.stratum[i];
          w *= stage.population[s] / stage.sampled[s];
        }
      }
      d.weights_[static_cast<Eigen::Index>(i)] = w;
    }
  }
  d.stages_ = std::make_shared<const std::vector<DesignStage>>(std::move(stages));
  return d;
}

double Design::degrees_of_freedom(const std::vector<bool>& active) const {
  const DesignStage& first = stages()[0];
  std::vector<char> cluster_seen(first.clusters, 0), stratum_seen(first.strata, 0);
  double clusters = 0, strata = 0;
  for (std::size_t i = 0; i < rows(); ++i) {
    if (!active.empty() && !active[i]) continue;
    if (weights_[static_cast<Eigen::Index>(i)] == 0) continue;
    char& c = cluster_seen[first.cluster[i]];
    if (c) continue;  // a cluster lies in one stratum
    c = 1;
    clusters += 1;
    char& s = stratum_seen[first.stratum[i]];
    strata += s ? 0 : 1;
    s = 1;
  }
  return clusters - strata;
}

const std::vector<DesignStage>& Design::stages() const {
  static const std::vector<DesignStage> none;
  return stages_ ? *stages_ : none;
}

const DesignStage& Design::variance_stage() const {
  return has_fpc_ ? stages().back() : stages().front();
}

template <typename Accumulate, typename Rescale>
void Design::accumulate_variance(const Eigen::MatrixXd& given, Accumulate&& add,
                                 Rescale&& rescale) const {
  const std::vector<DesignStage>& all = stages();
  const std::size_t used = has_fpc_ ? all.size() : 1;  // ultimate-cluster variance without fpc
  const Eigen::Index p = given.cols();
  // The cluster of each stage that every cluster of the last stage used lies
  // in: at stage k + 1 the strata are the clusters of stage k.
  std::vector<std::vector<std::uint32_t>> parent(used);
  parent[used - 1].resize(all[used - 1].clusters);
  for (std::uint32_t c = 0; c < all[used - 1].clusters; ++c)
    parent[used - 1][c] = c;
  for (std::size_t k = used - 1; k > 0; --k) {
    parent[k - 1].resize(parent[k].size());
    for (std::size_t c = 0; c < parent[k].size(); ++c)
      parent[k - 1][c] = all[k].cluster_stratum[parent[k][c]];
  }
  // The multiplier of a stage's strata: the product of the sampling fractions
  // n/N of the stages above (R multiplies each sub-stage variance by n1/N1).
  std::vector<double> multiplier(all[0].strata, 1.0);
  Eigen::MatrixXd aggregated;
  for (std::size_t k = 0; k < used; ++k) {
    const DesignStage& stage = all[k];
    if (k > 0) {
      const DesignStage& above = all[k - 1];
      std::vector<double> next(stage.strata);
      for (std::uint32_t c = 0; c < stage.strata; ++c) {
        const auto s = above.cluster_stratum[c];
        next[c] = multiplier[s] * above.sampled[s] / above.population[s];
      }
      multiplier = std::move(next);
    }
    const Eigen::MatrixXd* stage_totals = &given;
    if (k + 1 < used) {
      aggregated = Eigen::MatrixXd::Zero(stage.clusters, p);
      for (std::size_t c = 0; c < parent[k].size(); ++c)
        aggregated.row(parent[k][c]) += given.row(static_cast<Eigen::Index>(c));
      stage_totals = &aggregated;
    }
    const Eigen::MatrixXd& totals = *stage_totals;
    std::vector<std::vector<std::uint32_t>> by_stratum(stage.strata);
    for (std::uint32_t c = 0; c < stage.clusters; ++c)
      by_stratum[stage.cluster_stratum[c]].push_back(c);

    std::size_t lonely_averaged = 0;
    Eigen::MatrixXd block;
    for (std::uint32_t s = 0; s < stage.strata; ++s) {
      const auto& members = by_stratum[s];
      const double m = static_cast<double>(members.size());
      if (members.empty()) continue;
      const double f =
          std::isinf(stage.population[s]) ? 1.0 : (stage.population[s] - m) / stage.population[s];
      if (f < census_fraction) continue;
      const double scale = (m > 1 ? f * m / (m - 1) : f) * multiplier[s];
      block.resize(static_cast<Eigen::Index>(members.size()), p);
      for (std::size_t j = 0; j < members.size(); ++j)
        block.row(static_cast<Eigen::Index>(j)) = totals.row(members[j]);
      if (members.size() == 1) {
        switch (lonely_) {
          case LonelyPsu::Fail:
            throw AnalysisError(
                "design.lonely_psu",
                "stratum " + stage.stratum_names[s] + " has only one PSU at stage " +
                    std::to_string(k + 1) +
                    "; choose `design.lonely_psu` adjust, average, certainty or remove");
          case LonelyPsu::Certainty:
          case LonelyPsu::Remove:
            continue;  // centred on itself: no contribution
          case LonelyPsu::Adjust:
            add(block, scale);  // centred on the grand mean, which the influence values already are
            continue;
          case LonelyPsu::Average:
            if (k > 0) {
              throw AnalysisError(
                  "design.lonely_psu",
                  "a cluster has only one sampled unit at stage " + std::to_string(k + 1) +
                      "; `design.lonely_psu` average applies to the first stage only");
            }
            ++lonely_averaged;
            continue;
        }
      }
      block.rowwise() -= block.colwise().mean();
      add(block, scale);
    }
    // "average": strata with one PSU get the average contribution of the
    // others. Only stage 0 averages, and it comes first, so rescaling all that
    // was added so far rescales exactly this stage.
    if (lonely_averaged > 0) {
      const double ok = static_cast<double>(stage.strata) - static_cast<double>(lonely_averaged);
      rescale(static_cast<double>(stage.strata) / ok);
    }
  }
}

const Eigen::MatrixXd& Design::calibration_residuals(const Eigen::MatrixXd& x,
                                                     Eigen::MatrixXd& storage) const {
  if (adjustments_.empty()) return x;
  storage = x;
  for (const auto& adjustment : adjustments_)
    adjustment->adjust(storage);
  return storage;
}

Eigen::MatrixXd Design::cluster_totals(const Eigen::MatrixXd& x) const {
  if (static_cast<std::size_t>(x.rows()) != rows()) {
    throw AnalysisError("analysis.size_mismatch",
                        "influence values for " + std::to_string(x.rows()) +
                            " rows; the design has " + std::to_string(rows()));
  }
  Eigen::MatrixXd storage;
  const Eigen::MatrixXd& residuals = calibration_residuals(x, storage);
  const DesignStage& stage = variance_stage();
  Eigen::MatrixXd totals = Eigen::MatrixXd::Zero(stage.clusters, x.cols());
  // Column by column: both matrices are column-major.
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const double* column = residuals.col(j).data();
    double* sums = totals.col(j).data();
    for (std::size_t i = 0; i < rows(); ++i)
      sums[stage.cluster[i]] += column[i];
  }
  return totals;
}

Eigen::MatrixXd Design::variance_of_totals(const Eigen::MatrixXd& totals) const {
  Eigen::MatrixXd v = Eigen::MatrixXd::Zero(totals.cols(), totals.cols());
  accumulate_variance(
      totals,
      [&](const Eigen::MatrixXd& block, double scale) {
        v.noalias() += scale * block.transpose() * block;
      },
      [&](double factor) { v *= factor; });
  return v;
}

Eigen::VectorXd Design::variance_diagonal_of_totals(const Eigen::MatrixXd& totals) const {
  Eigen::VectorXd v = Eigen::VectorXd::Zero(totals.cols());
  accumulate_variance(
      totals,
      [&](const Eigen::MatrixXd& block, double scale) {
        v += scale * block.cwiseAbs2().colwise().sum().transpose();
      },
      [&](double factor) { v *= factor; });
  return v;
}

Eigen::MatrixXd Design::variance(const Eigen::MatrixXd& x) const {
  return variance_of_totals(cluster_totals(x));
}

Eigen::VectorXd Design::variance_diagonal(const Eigen::MatrixXd& x) const {
  return variance_diagonal_of_totals(cluster_totals(x));
}

Design Design::with_weights(Eigen::VectorXd weights) const {
  Design d;  // every member but the weights, which are not copied only to be replaced
  d.weights_ = std::move(weights);
  d.stages_ = stages_;
  d.has_fpc_ = has_fpc_;
  d.lonely_ = lonely_;
  d.columns_ = columns_;
  d.adjustments_ = adjustments_;
  return d;
}

Design Design::with_calibration(Eigen::VectorXd weights,
                                std::shared_ptr<const CalibrationAdjustment> adjustment) const {
  Design d = with_weights(std::move(weights));
  d.adjustments_.push_back(std::move(adjustment));
  return d;
}

}  // namespace sipas::analysis
