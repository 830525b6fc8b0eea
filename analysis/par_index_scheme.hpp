#pragma once

#include <cstddef>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "analysis/par_points.hpp"

namespace sipas::analysis {

inline constexpr const char* index_scheme_format = "sipas-par-index/1";

// A text in the two languages of the PAR index tables.
struct LocalText {
  std::string vi, en;
};

// One node of the PAR index tree (area, criterion or sub-criterion). Leaves
// carry points and say where they come from (domain.md §2.3); inner nodes'
// maxima are the sums of their children's.
struct IndexNode {
  enum class Method {
    None,       // an inner node
    Appraised,  // self-assessment checked by the higher level: the appraisal CSV
    Survey,     // the officials' survey: `par_points` of `sipas analyze --scheme`
    Sipas,      // max × the unit's SIPAS statistic / 100
  };
  static constexpr std::size_t no_parent = std::numeric_limits<std::size_t>::max();

  std::string id;
  LocalText label;
  double max_points = 0;
  Method method = Method::None;
  std::size_t parent = no_parent;     // index in IndexScheme::nodes
  int depth = 0;                      // 0 for an area
  std::vector<std::size_t> children;  // indices in IndexScheme::nodes, in order
  // Survey leaves: the items averaged and the respondent groups that rate them
  // (empty: every group).
  std::vector<std::string> items, groups;
  // SIPAS leaves: which estimate of a results file, and in which domain columns
  // to look for the unit (empty: any single-column domain).
  std::string statistic, variable;
  std::vector<std::string> domain_columns;

  bool leaf() const { return method != Method::None; }
};

std::string to_string(IndexNode::Method method);  // "appraised", "survey", "sipas"; "" for None

// Units whose index reaches `min` (in percent, at the published precision)
// are in `group`; thresholds are kept in descending order.
struct GroupThreshold {
  std::string group;
  double min = 0;
};

// A PAR index scheme (`sipas-par-index/1`, analysis/README.md "PAR index"):
// the tree of one decision and year, the survey settings its survey leaves
// share (which make it a par-survey scheme too), grouping and ranking rules.
struct IndexScheme {
  std::string id, decision, level;  // level: "province" or "ministry"
  int year = 0;
  LocalText title;
  std::vector<std::string> notes;
  ParScheme survey;  // the survey leaves as a sipas-par-survey/1 scheme
  std::vector<GroupThreshold> thresholds;
  int precision = 2;             // decimals at which indices are published, ranked and grouped
  std::vector<IndexNode> nodes;  // pre-order: every node after its parent, siblings in order

  const IndexNode* find(const std::string& id) const;
  double max_points() const;  // the sum of the areas
  double survey_max() const;  // the sum of the survey and SIPAS leaves
};

// Parses and checks a scheme; `source` (the file name) starts every message,
// followed by the JSON path of the problem: "par.json: areas[2].children[0].
// max_points: must be > 0". Throws AnalysisError scheme.invalid.
IndexScheme parse_index_scheme(const std::string& json_text, const std::string& source);
IndexScheme load_index_scheme(const std::filesystem::path& path);

// The survey leaves of an index scheme as a par-survey scheme (what
// `sipas analyze --scheme` computes). Throws scheme.no_survey_leaves when the
// tree has none.
ParScheme survey_part(const IndexScheme& scheme);

// "A=90,B=80,C=70" (the --thresholds option): names unique, minima strictly
// descending, between 0 and 100. Throws AnalysisError index.invalid_thresholds.
std::vector<GroupThreshold> parse_thresholds(const std::string& text);

// A ≥ 90, B ≥ 80, C ≥ 70 (domain.md §2.7).
std::vector<GroupThreshold> default_thresholds();

// Largest number of decimals a scheme or --precision may ask for.
inline constexpr int max_precision = 6;

}  // namespace sipas::analysis
