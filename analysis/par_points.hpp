#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/engine.hpp"
#include "analysis/table.hpp"

namespace sipas::analysis {

// How answer codes become a score in [0, 1] (domain.md §2.5).
struct PointsConversion {
  enum class Method { Linear, TopBox, Table };
  Method method = Method::Linear;
  double low = 1, high = 5;             // Linear: (code - low) / (high - low)
  std::vector<std::string> codes;       // TopBox: the codes that count
  std::map<std::string, double> table;  // Table: code -> score
  std::vector<std::string> excluded;    // "don't know": left out of every denominator
};

struct Criterion {
  std::string id;
  std::string label;
  double max_points = 0;
  std::vector<std::string> items;   // answered on the conversion's scale; averaged equally
  std::vector<std::string> groups;  // respondent groups that rate it (empty: every group)
};

// A PAR survey scheme (`sipas-par-survey/1`, analysis/README.md "PAR survey
// points"): which items and respondent groups feed which sub-criterion, with
// its maximum points.
struct ParScheme {
  std::string unit_column = "target_unit";
  std::string group_column = "respondent_group";
  std::map<std::string, double> group_weights;  // empty: equal
  PointsConversion conversion;
  std::vector<Criterion> criteria;
};

ParScheme load_par_scheme(const std::filesystem::path& path);
ParScheme parse_par_scheme(const std::string& json_text, const std::string& source);

struct RankedUnit {
  std::string unit;
  Estimate points;  // total survey points with SE and CI
  double max_points = 0;
  int rank = 0;  // 1 = best; equal points at 2 decimals share a rank
  std::vector<std::string> indistinguishable_from;  // the difference is within its CI
};

struct ParResult {
  std::vector<Estimate> criteria;  // statistic "par_points", variable = criterion, domain = unit
  std::vector<RankedUnit> ranking;
};

// Points = max × normalized score per unit and criterion, groups combined by
// their weights; SEs by linearizing the combination; units ranked with their
// CIs, and for each unit the others whose difference from it is not
// significant at `level` (t test with the design's df, using the covariance
// of the two totals, not assuming independence).
ParResult par_points(const Engine& engine, const Table& data, const ParScheme& scheme,
                     double level);

}  // namespace sipas::analysis
