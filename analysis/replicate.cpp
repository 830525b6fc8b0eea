// Replicate-weight designs and their variance (R: as.svrepdesign, jk1weights,
// jknweights, bootweights, brrweights, svrepdesign, svrVar and degf in the
// survey package; Wolter 2007, "Introduction to Variance Estimation").

#include "analysis/replicate.hpp"

#include "io/rng.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <numeric>
#include <unordered_set>
#include <utility>

#include "analysis/error.hpp"
#include "analysis/hadamard.hpp"

namespace sipas::analysis {
namespace {

// degf.svyrep.design: qr(weights(design, "analysis"), tol = 1e-5)$rank - 1.
constexpr double rank_tolerance = 1e-5;

// A population size this far from an integer is taken as that integer when
// the bootstrap repeats the PSUs to N_h units (N_h = n_h / f_h is rarely
// exact); R truncates.
constexpr double integer_tolerance = 1e-9;
// Pseudo-populations are capped here (R would need the memory to hold them).
constexpr double largest_pseudo_population = 0x1p62;

// The rank of a p-column matrix X as R's qr (LINPACK dqrdc2) finds it:
// columns in order, a column is negligible when what is left of it after the
// accepted columns is below tol times its own norm. The residual norms come
// from a Cholesky factorization of XᵀX built one column at a time from
// gram(k, j) = x_kᵀx_j; squaring loses digits near 1e-16 only, far below
// tol² = 1e-10. The search stops once `bound` columns are accepted (the rank
// cannot be larger; dqrdc2 stops at the number of rows).
template <typename Gram>
Eigen::Index rank_in_column_order(Eigen::Index p, Eigen::Index bound, Gram&& gram) {
  Eigen::MatrixXd l = Eigen::MatrixXd::Zero(bound, bound);  // column a: accepted column a's factor
  Eigen::VectorXd v(bound);
  std::vector<Eigen::Index> accepted;
  for (Eigen::Index j = 0; j < p; ++j) {
    const auto count = static_cast<Eigen::Index>(accepted.size());
    if (count == bound) break;
    const double norm2 = gram(j, j);
    double residual = norm2;
    for (Eigen::Index a = 0; a < count; ++a) {
      const double g = gram(accepted[static_cast<std::size_t>(a)], j);
      v[a] = (g - l.col(a).head(a).dot(v.head(a))) / l(a, a);
      residual -= v[a] * v[a];
    }
    if (norm2 > 0 && residual >= rank_tolerance * rank_tolerance * norm2) {
      l.col(count).head(count) = v.head(count);
      l(count, count) = std::sqrt(residual);
      accepted.push_back(j);
    }
  }
  return static_cast<Eigen::Index>(accepted.size());
}

// R's qr(x)$rank. A tall x goes through its Gram matrix (one matrix
// product); a wide one (more replicates than PSUs) first bounds the rank by
// its rows, then takes columns in order until the bound is reached.
Eigen::Index rank_as_r(Eigen::MatrixXd x) {
  if (x.cols() <= x.rows()) {
    const Eigen::MatrixXd gram = x.transpose() * x;
    const Eigen::Index p = x.cols();
    x.resize(0, 0);  // only the Gram matrix is needed from here
    return rank_in_column_order(p, p, [&](Eigen::Index k, Eigen::Index j) { return gram(k, j); });
  }
  const Eigen::MatrixXd rows = x * x.transpose();
  const Eigen::Index bound = rank_in_column_order(
      x.rows(), x.rows(), [&](Eigen::Index k, Eigen::Index j) { return rows(k, j); });
  return rank_in_column_order(
      x.cols(), bound, [&](Eigen::Index k, Eigen::Index j) { return x.col(k).dot(x.col(j)); });
}

std::vector<std::vector<std::uint32_t>> psus_by_stratum(const DesignStage& stage) {
  std::vector<std::vector<std::uint32_t>> out(stage.strata);
  for (std::uint32_t c = 0; c < stage.clusters; ++c)
    out[stage.cluster_stratum[c]].push_back(c);
  return out;
}

// 1 − n_h/N_h, computed as R does ((N − n)/N); 1 without fpc.
double fpc_correction(const Design& design, std::uint32_t stratum) {
  const DesignStage& first = design.stages()[0];
  if (!design.has_fpc()) return 1;
  const double population = first.population[stratum];
  return (population - first.sampled[stratum]) / population;
}

// A design from first-stage replication factors F (PSUs × R): the analysis
// weights are F(psu_i, r) · w_i, as weights(design, "analysis").
ReplicateDesign from_factors(const Design& design, Eigen::MatrixXd factors, ReplicateType type,
                             double scale, Eigen::VectorXd rscales) {
  const DesignStage& first = design.stages()[0];
  ReplicateDesign out;
  out.weights = design.weights();
  const auto n = static_cast<Eigen::Index>(design.rows());
  out.factors = std::move(factors);
  out.psu = first.cluster;
  out.scale = scale;
  out.rscales = std::move(rscales);
  out.type = type;
  // W = diag(w) P F, P the rows' PSUs, so WᵀW = AᵀA with A = diag(√Σ_{i in
  // PSU} w_i²) F: R's rank of the n × R analysis weights from a PSUs × R
  // matrix.
  Eigen::VectorXd squares = Eigen::VectorXd::Zero(out.factors.rows());
  for (Eigen::Index i = 0; i < n; ++i)
    squares[first.cluster[static_cast<std::size_t>(i)]] += out.weights[i] * out.weights[i];
  out.df = static_cast<double>(rank_as_r(squares.cwiseSqrt().asDiagonal() * out.factors)) - 1;
  return out;
}

// The number of units of a bootstrap pseudo-population of size N.
std::uint64_t pseudo_population(double population) {
  if (population >= largest_pseudo_population) {
    return static_cast<std::uint64_t>(largest_pseudo_population);
  }
  const double nearest = std::round(population);
  const bool whole = std::fabs(population - nearest) <= integer_tolerance * population;
  return static_cast<std::uint64_t>(whole ? nearest : std::floor(population));
}

}  // namespace

Eigen::MatrixXd ReplicateDesign::analysis_weights() const {
  if (!factored()) return replicates;
  const auto n = static_cast<Eigen::Index>(rows());
  Eigen::MatrixXd w(n, factors.cols());
  for (Eigen::Index r = 0; r < factors.cols(); ++r) {
    for (Eigen::Index i = 0; i < n; ++i)
      w(i, r) = factors(psu[static_cast<std::size_t>(i)], r) * weights[i];
  }
  return w;
}

Eigen::MatrixXd ReplicateDesign::replicate_totals(const Eigen::MatrixXd& x) const {
  if (!factored()) return replicates.transpose() * x;
  // Σ_i F(psu_i, r) w_i x_i = Σ_c F(c, r) (Σ_{i in c} w_i x_i)
  Eigen::MatrixXd totals = Eigen::MatrixXd::Zero(factors.rows(), x.cols());
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const double* column = x.col(j).data();
    double* sums = totals.col(j).data();
    for (std::size_t i = 0; i < psu.size(); ++i)
      sums[psu[i]] += weights[static_cast<Eigen::Index>(i)] * column[i];
  }
  return factors.transpose() * totals;
}

// jk1weights: replicate j drops PSU j and multiplies the others by n/(n − 1);
// scale (1 − n/N)(n − 1)/n. A census (n = N) has no replicates.
ReplicateDesign ReplicateDesign::jk1(const Design& design) {
  const DesignStage& first = design.stages()[0];
  if (first.strata > 1) {
    throw AnalysisError("replicate.jk1_strata",
                        "JK1 is for an unstratified design and this one has " +
                            std::to_string(first.strata) + " strata: use JKn");
  }
  if (first.clusters < 2) {
    throw AnalysisError("replicate.too_few_psus", "JK1 needs at least 2 PSUs; the design has 1");
  }
  const double n = first.clusters;
  const double correction = fpc_correction(design, 0);
  const double scale = correction * (n - 1) / n;
  Eigen::MatrixXd factors(first.clusters, 0);
  if (correction != 0) {  // survey.drop.replicates: a census keeps no replicate
    factors = Eigen::MatrixXd::Constant(first.clusters, first.clusters, n / (n - 1));
    factors.diagonal().setZero();
  }
  const Eigen::Index count = factors.cols();
  return from_factors(design, std::move(factors), ReplicateType::JK1, scale,
                      Eigen::VectorXd::Ones(count));
}

// jknweights: one replicate per PSU, dropping it and multiplying the other
// PSUs of its stratum by n_h/(n_h − 1); rscales (1 − n_h/N_h)(n_h − 1)/n_h.
ReplicateDesign ReplicateDesign::jkn(const Design& design) {
  const DesignStage& first = design.stages()[0];
  const auto by_stratum = psus_by_stratum(first);
  const double strata = first.strata;
  // The replicates, in order: a stratum's PSUs dropped one at a time, or one
  // replicate for an adjusted lonely PSU (dropped: none).
  struct Replicate {
    std::uint32_t stratum;
    std::optional<std::uint32_t> dropped;
  };
  std::vector<Replicate> plan;
  std::vector<double> rscales;
  for (std::uint32_t h = 0; h < first.strata; ++h) {
    const auto& members = by_stratum[h];
    const double n = static_cast<double>(members.size());
    const double correction = fpc_correction(design, h);
    if (correction == 0) continue;  // a census stratum: no replicates (survey.drop.replicates)
    if (members.size() == 1) {
      switch (design.lonely_psu()) {
        case LonelyPsu::Fail:
          throw AnalysisError(
              "design.lonely_psu",
              "stratum " + first.stratum_names[h] +
                  " has only one PSU at stage 1; choose `design.lonely_psu` adjust, "
                  "average, certainty or remove");
        case LonelyPsu::Remove:
        case LonelyPsu::Certainty:
        case LonelyPsu::Average:
          continue;
        case LonelyPsu::Adjust:
          // One replicate that drops the stratum and reweights all others
          // by H/(H − 1), rscale (H − 1)/H.
          if (first.strata < 2) {
            throw AnalysisError("replicate.too_few_psus",
                                "JKn needs at least 2 PSUs; the design has 1");
          }
          plan.push_back({h, std::nullopt});
          rscales.push_back((strata - 1) / strata);
          continue;
      }
    }
    for (auto dropped : members) {
      plan.push_back({h, dropped});
      rscales.push_back(correction * (n - 1) / n);
    }
  }
  if (plan.empty()) {
    throw AnalysisError("replicate.census",
                        "every stratum was sampled completely or has a lonely PSU that is left "
                        "out: there is nothing to replicate");
  }
  Eigen::MatrixXd factors(first.clusters, static_cast<Eigen::Index>(plan.size()));
  for (std::size_t r = 0; r < plan.size(); ++r) {
    auto column = factors.col(static_cast<Eigen::Index>(r));
    const auto& members = by_stratum[plan[r].stratum];
    if (!plan[r].dropped) {
      column.setConstant(strata / (strata - 1));
      column[members[0]] = 0;
      continue;
    }
    const double n = static_cast<double>(members.size());
    column.setOnes();
    for (auto kept : members)
      column[kept] = n / (n - 1);
    column[*plan[r].dropped] = 0;
  }
  double scale = 1;
  // R's "average" for lonely PSUs: scale by PSUs / replicates.
  if (plan.size() < first.clusters && design.lonely_psu() == LonelyPsu::Average)
    scale = static_cast<double>(first.clusters) / static_cast<double>(plan.size());
  return from_factors(
      design, std::move(factors), ReplicateType::JKn, scale,
      Eigen::Map<const Eigen::VectorXd>(rscales.data(), static_cast<Eigen::Index>(rscales.size())));
}

// bootweights / bootstratum: in each stratum, n_h draws among its PSUs,
// with replacement, or with an fpc without replacement from the PSUs
// repeated to N_h units (rep(sample(psu), length = N_h)); the factor of a PSU
// is the number of times it was drawn. scale p/((p − 1)(R − 1)), p the
// harmonic mean of the n_h.
ReplicateDesign ReplicateDesign::bootstrap(const Design& design, int replicates,
                                           std::uint64_t seed) {
  if (replicates < 2) {
    throw AnalysisError("replicate.count", "the bootstrap needs at least 2 replicates, not " +
                                               std::to_string(replicates));
  }
  const DesignStage& first = design.stages()[0];
  const auto by_stratum = psus_by_stratum(first);
  double inverse_sum = 0;
  for (const auto& members : by_stratum)
    inverse_sum += 1.0 / static_cast<double>(members.size());
  const double psus = static_cast<double>(first.strata) / inverse_sum;
  if (!(psus > 1)) {
    throw AnalysisError("replicate.too_few_psus",
                        "the bootstrap needs a stratum with at least 2 PSUs");
  }
  const Eigen::Index count = replicates;
  Eigen::MatrixXd factors = Eigen::MatrixXd::Zero(first.clusters, count);
  io::Rng generator(seed);  // the project's generator: same draws on every platform
  std::unordered_set<std::uint64_t> drawn;
  for (std::uint32_t h = 0; h < first.strata; ++h) {
    std::vector<std::uint32_t> members = by_stratum[h];
    const std::uint64_t n = members.size();
    if (!design.has_fpc()) {
      for (Eigen::Index r = 0; r < count; ++r) {
        for (std::uint64_t k = 0; k < n; ++k)
          factors(members[generator.below(n)], r) += 1;
      }
      continue;
    }
    // The PSUs in a random order: the first N_h mod n_h get one copy more.
    for (std::uint64_t i = n - 1; i > 0; --i)
      std::swap(members[i], members[generator.below(i + 1)]);
    const std::uint64_t units = pseudo_population(first.population[h]);
    for (Eigen::Index r = 0; r < count; ++r) {
      // Floyd's algorithm: n distinct units of `units`; unit u is PSU u mod n.
      drawn.clear();
      for (std::uint64_t j = units - n; j < units; ++j) {
        std::uint64_t u = generator.below(j + 1);
        if (!drawn.insert(u).second) {
          u = j;
          drawn.insert(u);
        }
        factors(members[u % n], r) += 1;
      }
    }
  }
  const double scale = psus / ((psus - 1) * static_cast<double>(count - 1));
  return from_factors(design, std::move(factors), ReplicateType::Bootstrap, scale,
                      Eigen::VectorXd::Ones(count));
}

// brrweights: strata in the order of their names, each given row k + 1 of
// R's Hadamard matrix H; in replicate r the half selected by H(k + 1, r)
// (the stratum's first PSU when 1, its second when 0) gets 2 − ρ, the other ρ.
ReplicateDesign ReplicateDesign::brr(const Design& design, double fay_rho) {
  if (!(fay_rho >= 0 && fay_rho < 1)) {
    throw AnalysisError("replicate.fay_rho",
                        "Fay's rho must be at least 0 and below 1, not " + std::to_string(fay_rho));
  }
  const DesignStage& first = design.stages()[0];
  const auto by_stratum = psus_by_stratum(first);
  for (std::uint32_t h = 0; h < first.strata; ++h) {
    if (by_stratum[h].size() != 2) {
      throw AnalysisError("replicate.brr_pairs",
                          "BRR needs exactly 2 PSUs in every stratum; stratum " +
                              first.stratum_names[h] + " has " +
                              std::to_string(by_stratum[h].size()));
    }
  }
  std::vector<std::uint32_t> order(first.strata);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return first.stratum_names[a] < first.stratum_names[b];
  });
  const BinaryMatrix h = hadamard(first.strata);
  const Eigen::Index count = h.cols();
  Eigen::MatrixXd factors(first.clusters, count);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto& pair = by_stratum[order[k]];
    const auto row = static_cast<Eigen::Index>(k + 1);
    for (Eigen::Index r = 0; r < count; ++r) {
      const bool first_half = h(row, r) == 1;
      factors(pair[0], r) = first_half ? 2 - fay_rho : fay_rho;
      factors(pair[1], r) = first_half ? fay_rho : 2 - fay_rho;
    }
  }
  const double scale = 1.0 / (static_cast<double>(count) * ((1 - fay_rho) * (1 - fay_rho)));
  return from_factors(design, std::move(factors),
                      fay_rho == 0 ? ReplicateType::BRR : ReplicateType::Fay, scale,
                      Eigen::VectorXd::Ones(count));
}

// svrepdesign(repweights, weights, type, scale, rscales, combined.weights =
// TRUE, mse).
ReplicateDesign ReplicateDesign::from_columns(const Table& data, const std::string& weights_column,
                                              const std::string& prefix, ReplicateType type,
                                              std::optional<double> scale,
                                              std::optional<std::vector<double>> rscales,
                                              bool mse) {
  // The columns `prefix` followed by a number, in the order of the numbers.
  std::vector<std::pair<std::uint64_t, std::string>> found;
  for (const auto& name : data.names()) {
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const char* begin = name.data() + prefix.size();
    const char* end = name.data() + name.size();
    if (!std::all_of(begin, end, [](char c) { return c >= '0' && c <= '9'; })) continue;
    std::uint64_t number = 0;
    if (std::from_chars(begin, end, number).ec != std::errc()) continue;
    found.emplace_back(number, name);
  }
  std::sort(found.begin(), found.end());
  for (std::size_t i = 1; i < found.size(); ++i) {
    if (found[i].first == found[i - 1].first) {
      throw AnalysisError("replicate.duplicate_column",
                          data.source() + ": columns '" + found[i - 1].second + "' and '" +
                              found[i].second + "' are the same replicate");
    }
  }
  if (found.empty()) {
    throw AnalysisError("replicate.no_columns", data.source() + ": no replicate weight columns '" +
                                                    prefix + "1', '" + prefix +
                                                    "2', ... (`repweights_prefix`)");
  }
  const auto n = static_cast<Eigen::Index>(data.rows());
  const auto count = static_cast<Eigen::Index>(found.size());
  auto read = [&](const std::string& name, auto&& store) {
    const auto values = data.numbers(name);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double v = values[static_cast<std::size_t>(i)];
      if (std::isnan(v)) {
        const std::size_t first =
            data.first_in_file([&](std::size_t j) { return std::isnan(values[j]); });
        throw AnalysisError("replicate.missing_weight",
                            data.source() + ":" + std::to_string(data.line_of(first)) +
                                ": column '" + name + "' is empty; weights cannot be missing");
      }
      store(i, v);
    }
  };
  ReplicateDesign out;
  out.replicates.resize(n, count);
  for (Eigen::Index r = 0; r < count; ++r)
    read(found[static_cast<std::size_t>(r)].second,
         [&](Eigen::Index i, double v) { out.replicates(i, r) = v; });
  out.weights = Eigen::VectorXd::Ones(n);
  if (!weights_column.empty())
    read(weights_column, [&](Eigen::Index i, double v) { out.weights[i] = v; });

  if (rscales && rscales->size() != 1 && rscales->size() != found.size()) {
    throw AnalysisError("replicate.rscales_length", "give one rscale or one per replicate (" +
                                                        std::to_string(found.size()) + "), not " +
                                                        std::to_string(rscales->size()));
  }
  const double replicates = static_cast<double>(count);
  double chosen = 1;
  switch (type) {
    case ReplicateType::BRR:
      if (scale) {
        throw AnalysisError("replicate.scale_not_used",
                            "BRR's scale is 1/R; give type Fay or other for another scale");
      }
      chosen = 1 / replicates;
      break;
    case ReplicateType::Fay:
      if (!scale) {
        throw AnalysisError("replicate.scale_needed",
                            "Fay's replicate weights need their scale, 1/(R (1 - rho)^2)");
      }
      chosen = *scale;
      break;
    case ReplicateType::Bootstrap:
      chosen = scale.value_or(1 / (replicates - 1));
      break;
    case ReplicateType::JK1:
      chosen = scale.value_or((replicates - 1) / replicates);  // R's guess: n = R PSUs
      break;
    case ReplicateType::JKn:
      if (!rscales) {
        throw AnalysisError("replicate.rscales_needed",
                            "JKn replicate weights need their rscales, (1 - f_h)(n_h - 1)/n_h for "
                            "the stratum each replicate drops from");
      }
      chosen = scale.value_or(1);
      break;
    case ReplicateType::Other:
      chosen = scale.value_or(1);
      break;
  }
  if (!std::isfinite(chosen) || chosen < 0) {
    throw AnalysisError("replicate.invalid_scale",
                        "the scale must be a number of at least 0, not " + std::to_string(chosen));
  }
  out.scale = chosen;
  out.rscales = Eigen::VectorXd::Ones(count);
  if (rscales) {
    for (Eigen::Index r = 0; r < count; ++r) {
      const double v = (*rscales)[rscales->size() == 1 ? 0 : static_cast<std::size_t>(r)];
      if (!std::isfinite(v) || v < 0) {
        throw AnalysisError("replicate.invalid_scale",
                            "rscales must be numbers of at least 0, not " + std::to_string(v));
      }
      out.rscales[r] = v;
    }
  }
  out.mse = mse;
  out.type = type;
  out.df = static_cast<double>(rank_as_r(out.replicates)) - 1;
  return out;
}

}  // namespace sipas::analysis
