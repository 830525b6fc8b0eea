// Allocation of a single-stage sample, then the selection of units and rows
// (sampling/README.md, "Allocation" and "Selection").
#include "sampling/drawer.hpp"

namespace sipas::sampling::drawing {

// ------------------------------------------------------------------ allocation

void Drawer::allocate_single_stage() {
  if (r_.n_per_stratum) {
    io::CsvReader file(*r_.n_per_stratum);
    std::vector<std::size_t> columns;
    for (const auto& s : strata_columns_)
      columns.push_back(file.require_column(s));
    auto n_col = file.require_column("n");
    while (file.next()) {
      std::string key;
      for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i) key += '|';
        key += file.field(columns[i]);
      }
      if (columns.empty()) key = "all";
      double n;
      if (!parse_number(file.field(n_col), n) || n < 0 || n != std::floor(n)) {
        throw SamplingError("frame.invalid_row",
                            file.where() + ": column 'n' must be a whole number >= 0");
      }
      if (!levels_[0].contains(key)) {
        throw SamplingError("sample.unknown_stratum",
                            file.where() + ": stratum '" + key + "' is not in the frame");
      }
      if (!n_by_stratum_.emplace(key, static_cast<std::int64_t>(n)).second) {
        throw SamplingError("sample.duplicate_stratum",
                            file.where() + ": stratum '" + key + "' is listed twice");
      }
    }
    for (const auto& key : strata_order_) {
      if (!n_by_stratum_.contains(key)) {
        throw SamplingError("sample.missing_stratum", file.source() + ": stratum '" + key +
                                                          "' of the frame has no sample size");
      }
      if (n_by_stratum_[key] > static_cast<std::int64_t>(levels_[0].at(key).rows)) {
        throw SamplingError("sample.too_large",
                            file.source() + ": stratum '" + key + "' asks for " +
                                std::to_string(n_by_stratum_[key]) + " but has only " +
                                std::to_string(levels_[0].at(key).rows) + " units");
      }
    }
    return;
  }
  std::vector<StratumFacts> facts;
  for (const auto& key : strata_order_) {
    StratumFacts f;
    f.key = key;
    f.population = static_cast<std::int64_t>(levels_[0].at(key).rows);
    const StratumData& data = stratum_data_[key];
    if (sd_col_) {
      f.sd = data.sd_values.sd();
      f.mean = data.sd_values.mean;
    } else if (p_col_) {
      double p = data.p_values.mean;
      f.sd = std::sqrt(p * (1 - p));
      f.mean = p;
    }
    if (cost_col_) f.cost = data.cost_values.mean;
    f.min = r_.min_per_stratum;
    f.max = r_.max_per_stratum;
    facts.push_back(f);
  }
  AllocationOptions options = r_.allocation;
  options.total = *r_.total;
  options.use_cv = options.method == AllocationMethod::Power && (sd_col_ || p_col_);
  auto allocation = allocate(facts, options);
  allocation_target_ = allocation.target;
  for (std::size_t h = 0; h < strata_order_.size(); ++h)
    n_by_stratum_[strata_order_[h]] = allocation.n[h];
}

// ------------------------------------------------------------------ selection

void Drawer::select_units() {
  const std::size_t unit_levels = levels_.size() - 1;
  pps_by_stage_.assign(r_.design->stages.size(), {});
  for (auto& [key, stratum] : levels_[0]) {
    stratum.selected = true;
    stratum.pi = 1;
  }
  // Group each level's units by parent once: the frame can hold many units.
  for (std::size_t k = 1; k <= unit_levels; ++k) {
    const Stage& stage = r_.design->stages[k - 1];
    std::unordered_map<std::string, std::vector<Unit*>> by_parent;
    for (auto& [key, unit] : levels_[k])
      by_parent[unit.parent].push_back(&unit);
    std::vector<std::string> parents;
    for (const auto& [parent_key, members] : by_parent)
      parents.push_back(parent_key);
    std::sort(parents.begin(), parents.end());
    for (const auto& parent_key : parents) {
      const Unit& parent = levels_[k - 1].at(parent_key);
      if (!parent.selected) continue;
      auto& units = by_parent[parent_key];
      std::sort(units.begin(), units.end(),
                [](const Unit* a, const Unit* b) { return a->first_row < b->first_row; });
      std::int64_t n = stage.n;
      if (k == 1) {
        auto it = stage.n_per_stratum.find(parent_key);
        if (it != stage.n_per_stratum.end()) n = it->second;
      }
      std::vector<std::size_t> certain, rest;
      for (std::size_t i = 0; i < units.size(); ++i)
        (units[i]->certain == 1 ? certain : rest).push_back(i);
      if (static_cast<std::int64_t>(certain.size()) > n) {
        throw SamplingError("design.too_many_certain",
                            "stage " + std::to_string(k) + " (" + stage.unit +
                                "): " + std::to_string(certain.size()) +
                                " units are taken with certainty but n is " + std::to_string(n));
      }
      std::vector<double> pi(units.size(), 0);
      for (auto i : certain)
        pi[i] = 1;
      const std::int64_t left = std::min<std::int64_t>(
          n - static_cast<std::int64_t>(certain.size()), static_cast<std::int64_t>(rest.size()));
      io::Rng rng =
          io::Rng::stream(r_.seed, "stage " + std::to_string(k) + key_separator + parent_key);
      std::vector<std::size_t> chosen = certain;
      if (left > 0) {
        if (stage.method == SelectionMethod::Srs || stage.method == SelectionMethod::Systematic) {
          auto picks =
              stage.method == SelectionMethod::Srs
                  ? srs_order(rng, rest.size(), static_cast<std::uint64_t>(left))
                  : systematic_positions(rng, rest.size(), static_cast<std::uint64_t>(left));
          for (auto p : picks)
            chosen.push_back(rest[p]);
          for (auto i : rest)
            pi[i] = static_cast<double>(left) / static_cast<double>(rest.size());
        } else {
          std::vector<double> sizes;
          for (auto i : rest) {
            const Unit& u = *units[i];
            double x =
                stage.size.kind == SizeMeasure::Kind::Rows ? static_cast<double>(u.rows) : u.size;
            if (!(x > 0)) {
              throw SamplingError("design.invalid_size", "stage " + std::to_string(k) + " (" +
                                                             stage.unit + "): unit '" + u.label +
                                                             "' has size " + format_number(x) +
                                                             "; PPS needs sizes > 0");
            }
            sizes.push_back(x);
          }
          auto rest_pi = pps_inclusion_probabilities(sizes, left);
          std::vector<std::size_t> picks;
          if (stage.method == SelectionMethod::Pps) {
            auto draw = pps_fixed_size(rng, rest_pi);
            picks = std::move(draw.chosen);
            ++pps_by_stage_[k - 1][to_string(draw.choice.algorithm)];
          } else {
            picks = pps_systematic(rng, rest_pi);
          }
          for (auto p : picks)
            chosen.push_back(rest[p]);
          for (std::size_t j = 0; j < rest.size(); ++j)
            pi[rest[j]] = rest_pi[j];
        }
      }
      for (auto i : chosen) {
        Unit& u = *units[i];
        u.selected = true;
        u.pi = pi[i];
        u.stage_pi = parent.stage_pi;
        u.stage_pi.push_back(pi[i]);
      }
    }
  }
}

void Drawer::select_rows_single(Leaf& leaf, const std::string& stratum, std::int64_t n) {
  const auto N = leaf.population;
  const auto reserve = std::min<std::uint64_t>(static_cast<std::uint64_t>(r_.reserve),
                                               N - static_cast<std::uint64_t>(n));
  io::Rng rng = io::Rng::stream(r_.seed, std::string("rows") + key_separator + stratum);
  const double srs_pi = N ? static_cast<double>(n) / static_cast<double>(N) : 0;
  StratumData& data = stratum_data_[stratum];
  // Positions in "list order": frame order, or sorted by --sort.
  std::vector<std::uint64_t> list_order;
  if (sort_col_) {
    auto& keys = data.sort_keys;
    bool numeric = std::all_of(keys.begin(), keys.end(), [](const auto& k) {
      double x;
      return parse_number(k.first, x);
    });
    std::stable_sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
      if (numeric) {
        double x = 0, y = 0;
        parse_number(a.first, x);
        parse_number(b.first, y);
        return x < y;
      }
      return a.first < b.first;
    });
    for (const auto& k : keys)
      list_order.push_back(k.second);
  }
  auto ordinal = [&](std::uint64_t position) {
    return list_order.empty() ? position : list_order[position];
  };
  auto add_reserves = [&](const std::vector<std::uint64_t>& main_positions) {
    std::uint32_t rank = 0;
    for (auto p : reserve_positions(rng, N, main_positions, reserve)) {
      leaf.picks[ordinal(p)] = Pick{Role::Reserve, ++rank, srs_pi};
    }
    leaf.reserves = reserve;
  };
  switch (r_.method) {
    case SelectionMethod::Srs: {
      auto order = srs_order(rng, N, static_cast<std::uint64_t>(n) + reserve);
      for (std::size_t i = 0; i < order.size(); ++i) {
        bool main = i < static_cast<std::size_t>(n);
        leaf.picks[ordinal(order[i])] =
            Pick{main ? Role::Main : Role::Reserve,
                 main ? 0 : static_cast<std::uint32_t>(i - n + 1), srs_pi};
      }
      leaf.reserves = reserve;
      break;
    }
    case SelectionMethod::Systematic: {
      auto positions = systematic_positions(rng, N, static_cast<std::uint64_t>(n));
      for (auto p : positions)
        leaf.picks[ordinal(p)] = Pick{Role::Main, 0, srs_pi};
      if (reserve > 0) add_reserves(positions);
      break;
    }
    case SelectionMethod::PpsSystematic:
    case SelectionMethod::Pps: {
      std::vector<double> sizes;
      sizes.reserve(N);
      for (std::uint64_t p = 0; p < N; ++p)
        sizes.push_back(data.sizes[ordinal(p)]);
      auto pi = pps_inclusion_probabilities(sizes, n);
      std::vector<std::size_t> chosen;
      if (r_.method == SelectionMethod::Pps) {
        auto draw = pps_fixed_size(rng, pi);
        chosen = std::move(draw.chosen);
        pps_by_stratum_[stratum] = draw.choice;
      } else {
        chosen = pps_systematic(rng, pi);
      }
      for (auto p : chosen)
        leaf.picks[ordinal(p)] = Pick{Role::Main, 0, pi[p]};
      break;
    }
  }
  leaf.main = static_cast<std::uint64_t>(n);
}

void Drawer::select_rows() {
  const std::size_t leaf_level = levels_.size() - 1;
  if (!multi_stage_) {
    for (const auto& key : strata_order_) {
      Leaf leaf;
      leaf.unit = &levels_[0].at(key);
      leaf.population = leaf.unit->rows;
      select_rows_single(leaf, key, n_by_stratum_.at(key));
      main_ += leaf.main;
      reserves_ += leaf.reserves;
      reserve_by_stratum_[key] = static_cast<std::int64_t>(leaf.reserves);
      leaves_.emplace(key, std::move(leaf));
    }
    return;
  }
  const Stage& last = r_.design->stages.back();
  std::vector<std::string> keys;
  for (const auto& [key, unit] : levels_[leaf_level]) {
    if (unit.selected) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  for (const auto& key : keys) {
    Unit& unit = levels_[leaf_level].at(key);
    Leaf leaf;
    leaf.unit = &unit;
    leaf.population = unit.rows;
    const std::uint64_t n = std::min<std::uint64_t>(static_cast<std::uint64_t>(last.n), unit.rows);
    const std::uint64_t reserve =
        std::min<std::uint64_t>(static_cast<std::uint64_t>(last.reserve), unit.rows - n);
    const double pi = unit.rows ? static_cast<double>(n) / static_cast<double>(unit.rows) : 0;
    io::Rng rng = io::Rng::stream(r_.seed, std::string("rows") + key_separator + key);
    if (last.method == SelectionMethod::Srs) {
      auto order = srs_order(rng, unit.rows, n + reserve);
      for (std::size_t i = 0; i < order.size(); ++i) {
        bool main = i < n;
        leaf.picks[order[i]] = Pick{main ? Role::Main : Role::Reserve,
                                    main ? 0 : static_cast<std::uint32_t>(i - n + 1), pi};
      }
    } else {
      auto positions = systematic_positions(rng, unit.rows, n);
      for (auto p : positions)
        leaf.picks[p] = Pick{Role::Main, 0, pi};
      std::uint32_t rank = 0;
      for (auto p : reserve_positions(rng, unit.rows, positions, reserve)) {
        leaf.picks[p] = Pick{Role::Reserve, ++rank, pi};
      }
    }
    leaf.main = n;
    leaf.reserves = reserve;
    main_ += n;
    reserves_ += reserve;
    leaves_.emplace(key, std::move(leaf));
  }
}

}  // namespace sipas::sampling::drawing
