// The fielded cases of a sample file: dispositions, reserves that stood in,
// and the design weight of the sample actually fielded (analysis/README.md,
// "Nonresponse adjustment").

#include <cmath>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "analysis/error.hpp"
#include "analysis/nonresponse.hpp"

namespace sipas::analysis {
namespace {

constexpr std::string_view disposition_names[] = {"respondent", "nonrespondent", "ineligible",
                                                  "unknown"};

std::string at(const Table& t, std::size_t row) {
  return t.source() + ":" + std::to_string(t.line_of(row));
}

std::string list_columns(const Table& t) {
  std::string out;
  for (const auto& name : t.names())
    out += (out.empty() ? "" : ", ") + name;
  return out;
}

const Column& required(const Table& t, const std::string& name, const std::string& what) {
  if (!t.has(name)) {
    throw AnalysisError("weights.missing_column", t.source() + ":1: no column '" + name + "' (" +
                                                      what + "; columns: " + list_columns(t) + ")");
  }
  return t.column(name);
}

void require_value(const Table& t, const Column& c, const std::string& name, std::size_t row) {
  if (c.is_missing(row)) {
    throw AnalysisError("weights.missing_value", at(t, row) + ": column '" + name +
                                                     "' is empty; every fielded case needs one");
  }
}

enum class Role : std::uint8_t { Main, Reserve };

std::vector<Role> roles(const Table& t, const std::string& name) {
  std::vector<Role> out(t.rows(), Role::Main);
  if (!t.has(name)) return out;  // a sample without reserves
  const Column& c = t.column(name);
  for (std::size_t i = 0; i < t.rows(); ++i) {
    const std::string& text = c.text(i);
    if (text == "main") continue;
    if (text == "reserve") {
      out[i] = Role::Reserve;
      continue;
    }
    throw AnalysisError("weights.invalid_role", at(t, i) + ": column '" + name + "' is '" +
                                                    text.substr(0, 40) +
                                                    "'; a sample's role is main or reserve");
  }
  return out;
}

// The rows of the file that were fielded, with their dispositions.
void read_dispositions(const Table& t, const FieldworkColumns& columns,
                       const std::vector<Role>& role, std::vector<std::size_t>& rows,
                       std::vector<Disposition>& disposition, std::size_t& reserves_left_out) {
  const Column& c = required(t, columns.disposition, "the disposition column, `disposition`");
  // Each distinct value checked once.
  std::vector<std::optional<Disposition>> of_level(c.levels().size());
  for (std::size_t level = 0; level < of_level.size(); ++level)
    of_level[level] = disposition_from_string(c.levels()[level]);
  for (std::size_t i = 0; i < t.rows(); ++i) {
    if (c.is_missing(i)) {
      if (role[i] == Role::Reserve) {
        ++reserves_left_out;
        continue;
      }
      throw AnalysisError("weights.missing_disposition",
                          at(t, i) + ": column '" + columns.disposition +
                              "' is empty for a main unit; every main unit has a disposition "
                              "(respondent, nonrespondent, ineligible or unknown), and only a "
                              "reserve that was never activated has none");
    }
    const auto d = of_level[c.code(i)];
    if (!d) {
      throw AnalysisError("weights.unknown_disposition",
                          at(t, i) + ": column '" + columns.disposition + "' is '" +
                              c.text(i).substr(0, 40) +
                              "', not a disposition: respondent, nonrespondent, ineligible or "
                              "unknown");
    }
    rows.push_back(i);
    disposition.push_back(*d);
  }
}

void check_unique_ids(const Table& t, const std::string& name) {
  const Column& c = required(t, name, "the sample's id");
  std::vector<std::int64_t> first(c.levels().size(), -1);
  for (std::size_t i = 0; i < t.rows(); ++i) {
    require_value(t, c, name, i);
    auto& seen = first[c.code(i)];
    if (seen >= 0) {
      throw AnalysisError("weights.duplicate_id",
                          at(t, i) + ": id '" + c.text(i).substr(0, 40) + "' is also on line " +
                              std::to_string(t.line_of(static_cast<std::size_t>(seen))));
    }
    seen = static_cast<std::int64_t>(i);
  }
}

// The reserve group of every row: its stratum when each PSU of the stratum
// holds one row (the PSU is the unit: reserves stand in within the stratum),
// else its stratum and PSU (reserves stand in within the cluster). Over all
// rows of the file, activated or not.
std::vector<std::string> reserve_groups(const Table& t, const FieldworkColumns& columns) {
  const Column& stratum = required(t, columns.stratum, "the sample's stratum");
  const Column& psu = required(t, columns.psu, "the sample's PSU");
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> rows_per_psu;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    require_value(t, stratum, columns.stratum, i);
    require_value(t, psu, columns.psu, i);
    ++rows_per_psu[{stratum.code(i), psu.code(i)}];
  }
  std::vector<bool> clustered(stratum.levels().size(), false);
  for (const auto& [key, count] : rows_per_psu) {
    if (count > 1) clustered[key.first] = true;
  }
  std::vector<std::string> out(t.rows());
  for (std::size_t i = 0; i < t.rows(); ++i) {
    out[i] = stratum.text(i);
    if (clustered[stratum.code(i)]) out[i] += " | psu " + psu.text(i);
  }
  return out;
}

}  // namespace

std::optional<Disposition> disposition_from_string(std::string_view text) {
  for (std::size_t k = 0; k < std::size(disposition_names); ++k) {
    if (text == disposition_names[k]) return static_cast<Disposition>(k);
  }
  return std::nullopt;
}

std::string_view to_string(Disposition disposition) {
  return disposition_names[static_cast<std::size_t>(disposition)];
}

FieldworkSample read_fieldwork(const Table& sample, const FieldworkColumns& columns) {
  if (columns.disposition.empty()) {
    throw AnalysisError("weights.missing_option", "name the disposition column (`disposition`)");
  }
  FieldworkSample out;
  out.columns = columns;
  out.rows_read = sample.rows();
  check_unique_ids(sample, columns.id);
  const auto role = roles(sample, columns.role);
  const auto group = reserve_groups(sample, columns);
  const Column& weight = required(sample, columns.design_weight, "the design weight, 1/π");
  std::vector<std::size_t> rows;
  read_dispositions(sample, columns, role, rows, out.disposition, out.reserves_left_out);
  if (rows.empty()) {
    throw AnalysisError("weights.no_cases", sample.source() +
                                                ": no fielded case (only reserves without a "
                                                "disposition)");
  }

  // Main units and activated reserves per group, in order of first appearance.
  std::vector<std::string> group_order;
  std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> counts;
  std::unordered_map<std::string, std::size_t> first_reserve;
  for (const std::size_t i : rows) {
    auto [it, fresh] = counts.try_emplace(group[i], 0, 0);
    if (fresh) group_order.push_back(group[i]);
    if (role[i] == Role::Main) {
      ++it->second.first;
    } else {
      ++it->second.second;
      first_reserve.try_emplace(group[i], i);
    }
  }
  std::unordered_map<std::string, double> factor;
  for (const auto& g : group_order) {
    const auto [main, activated] = counts[g];
    if (activated == 0) continue;
    if (main == 0) {
      throw AnalysisError("weights.reserve_without_main",
                          at(sample, first_reserve[g]) + ": a reserve of " + g +
                              " was activated, but the sample has no main unit there to replace");
    }
    const double f = static_cast<double>(main) / static_cast<double>(main + activated);
    factor[g] = f;
    out.substitutions.push_back({g, main, activated, f});
  }

  out.design_weight.resize(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::size_t i = rows[k];
    const double w = weight.number(i);
    if (!(w > 0) || !std::isfinite(w)) {
      throw AnalysisError("weights.invalid_weight",
                          at(sample, i) + ": column '" + columns.design_weight + "' is '" +
                              weight.text(i).substr(0, 40) + "', not a positive number");
    }
    auto f = factor.find(group[i]);
    out.design_weight[static_cast<Eigen::Index>(k)] = f == factor.end() ? w : w * f->second;
  }
  out.data = sample.select_rows(rows);
  return out;
}

}  // namespace sipas::analysis
