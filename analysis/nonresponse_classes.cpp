// The weighting classes of `sipas weights` and their collapsing by the rule.

#include "analysis/nonresponse_classes.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>
#include <sstream>

#include "analysis/error.hpp"

namespace sipas::analysis::nonresponse_detail {
namespace {

using Index = Eigen::Index;

// The neighbour (previous or next in class order) that class k joins: the one
// with the closer weighted response rate; on a tie or an undefined rate the
// one with fewer respondents; then the previous one.
std::size_t neighbour(const std::vector<Group>& groups, std::size_t k) {
  if (k == 0) return 1;
  if (k + 1 == groups.size()) return k - 1;
  const GroupStats& self = groups[k].stats;
  const GroupStats& before = groups[k - 1].stats;
  const GroupStats& after = groups[k + 1].stats;
  const auto rate = self.rate(), rate_before = before.rate(), rate_after = after.rate();
  if (rate && rate_before && rate_after) {
    const double d_before = std::fabs(*rate - *rate_before);
    const double d_after = std::fabs(*rate - *rate_after);
    if (d_before != d_after) return d_after < d_before ? k + 1 : k - 1;
  }
  return after.count[respondent] < before.count[respondent] ? k + 1 : k - 1;
}

}  // namespace

std::string number(double x) {
  std::ostringstream out;
  out.precision(6);
  out << x;
  return out.str();
}

std::string at(const Table& t, std::size_t row) {
  return t.source() + ":" + std::to_string(t.line_of(row));
}

RawClasses raw_classes(const Table& data, const std::vector<std::string>& columns) {
  std::vector<const Column*> cs;
  for (const auto& name : columns) {
    if (!data.has(name)) {
      std::string names;
      for (const auto& n : data.names())
        names += (names.empty() ? "" : ", ") + n;
      throw AnalysisError("weights.missing_column",
                          data.source() + ":1: no column '" + name +
                              "' (a class column, `class_columns`; columns: " + names + ")");
    }
    cs.push_back(&data.column(name));
  }
  const std::size_t n = data.rows();
  // Distinct tuples of codes, in order of first appearance.
  std::vector<std::vector<std::uint32_t>> tuples;
  std::map<std::vector<std::uint32_t>, std::uint32_t> index;
  RawClasses out;
  std::vector<std::uint32_t> first_order(n);
  std::vector<std::size_t> first_row;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::uint32_t> key;
    for (std::size_t k = 0; k < cs.size(); ++k) {
      if (cs[k]->is_missing(i)) {
        throw AnalysisError("weights.missing_value",
                            at(data, i) + ": column '" + columns[k] +
                                "' is empty; every fielded case needs a weighting class");
      }
      key.push_back(cs[k]->code(i));
    }
    auto [it, fresh] = index.try_emplace(key, static_cast<std::uint32_t>(tuples.size()));
    if (fresh) {
      tuples.push_back(key);
      first_row.push_back(i);
    }
    first_order[i] = it->second;
  }
  // Sort the tuples.
  std::vector<bool> numeric;
  for (const Column* c : cs)
    numeric.push_back(c->numeric());
  std::vector<std::uint32_t> order(tuples.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    for (std::size_t k = 0; k < cs.size(); ++k) {
      const std::uint32_t ca = tuples[a][k], cb = tuples[b][k];
      if (ca == cb) continue;
      if (numeric[k]) {
        const double x = cs[k]->numbers_of_level(ca), y = cs[k]->numbers_of_level(cb);
        if (x != y) return x < y;
      }
      const std::string& x = cs[k]->levels()[ca];
      const std::string& y = cs[k]->levels()[cb];
      if (x != y) return x < y;
    }
    return false;
  });
  std::vector<std::uint32_t> rank(tuples.size());
  for (std::size_t j = 0; j < order.size(); ++j) {
    rank[order[j]] = static_cast<std::uint32_t>(j);
    std::string label;
    for (std::size_t k = 0; k < cs.size(); ++k)
      label += (k ? "|" : "") + cs[k]->levels()[tuples[order[j]][k]];
    out.labels.push_back(std::move(label));
    out.first_row.push_back(first_row[order[j]]);
  }
  out.of_case.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    out.of_case[i] = rank[first_order[i]];
  return out;
}

std::string label_of(const Group& g, const RawClasses& raw) {
  std::string out;
  for (auto m : g.members)
    out += (out.empty() ? "" : " + ") + raw.labels[m];
  return out;
}

// Why a class fails the rule, or nullopt.
std::optional<std::string> failure(const GroupStats& s, const NonresponseOptions& o) {
  const std::size_t r = s.count[respondent];
  if (r == 0) return "no respondent";
  if (r < o.min_respondents) {
    return std::to_string(r) + " respondents, fewer than " + std::to_string(o.min_respondents);
  }
  if (s.factor() > o.max_factor) {
    return "adjustment factor " + number(s.factor()) + ", above " + number(o.max_factor);
  }
  return std::nullopt;
}

Collapsing collapse(const RawClasses& raw, const std::vector<Disposition>& disposition,
                    const Eigen::VectorXd& w, const NonresponseOptions& o) {
  std::vector<GroupStats> stats(raw.labels.size());
  for (std::size_t i = 0; i < raw.of_case.size(); ++i) {
    auto& s = stats[raw.of_case[i]];
    const auto d = static_cast<std::size_t>(disposition[i]);
    ++s.count[d];
    s.sum[d] += w[static_cast<Index>(i)];
  }
  Collapsing out;
  for (std::uint32_t c = 0; c < raw.labels.size(); ++c)
    out.groups.push_back({{c}, stats[c]});
  if (!o.collapse) return out;
  auto& groups = out.groups;
  while (groups.size() > 1) {
    // The failing class with the fewest respondents, the first on a tie.
    std::optional<std::size_t> worst;
    for (std::size_t k = 0; k < groups.size(); ++k) {
      if (!failure(groups[k].stats, o)) continue;
      if (!worst || groups[k].stats.count[respondent] < groups[*worst].stats.count[respondent])
        worst = k;
    }
    if (!worst) break;
    const std::size_t k = *worst, j = neighbour(groups, k);
    out.collapsed.push_back({label_of(groups[k], raw), label_of(groups[j], raw),
                             groups[k].stats.count[respondent], groups[k].stats.factor(),
                             *failure(groups[k].stats, o)});
    const std::size_t a = std::min(k, j), b = std::max(k, j);
    Group& into = groups[a];
    const Group& from = groups[b];
    into.members.insert(into.members.end(), from.members.begin(), from.members.end());
    for (std::size_t d = 0; d < 4; ++d) {
      into.stats.count[d] += from.stats.count[d];
      into.stats.sum[d] += from.stats.sum[d];
    }
    groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(b));
  }
  return out;
}

}  // namespace sipas::analysis::nonresponse_detail
