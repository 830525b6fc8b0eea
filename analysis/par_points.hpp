#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
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

// Reads a scheme file: a sipas-par-survey/1 scheme, or a sipas-par-index/1
// scheme whose survey leaves are taken as one (analysis/par_index_scheme.hpp).
ParScheme load_par_scheme(const std::filesystem::path& path);
ParScheme parse_par_scheme(const std::string& json_text, const std::string& source);

// Where a field sits in a scheme file, for messages: JSON-pointer style
// ("/conversion/low", sipas-par-survey/1) or dotted ("survey.conversion.low",
// sipas-par-index/1).
class SchemePath {
 public:
  static SchemePath pointer() { return SchemePath(true, ""); }
  static SchemePath dotted(std::string root) { return SchemePath(false, std::move(root)); }
  SchemePath field(const std::string& name) const;
  std::string str() const;

 private:
  SchemePath(bool pointer, std::string path) : pointer_(pointer), path_(std::move(path)) {}
  bool pointer_;
  std::string path_;
};

// The survey settings both scheme formats share: unit_column, group_column,
// group_weights, conversion and excluded_codes of `block` (other fields are
// the caller's). Throws AnalysisError scheme.invalid, "SOURCE: PATH: why".
void parse_survey_settings(const nlohmann::json& block, const SchemePath& at,
                           const std::string& source, ParScheme& scheme);

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
