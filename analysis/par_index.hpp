#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/par_index_scheme.hpp"
#include "io/csv_writer.hpp"

namespace sipas::analysis {

// An assessed unit (a province, ministry, department or district). Special
// bodies are scored but not ranked (domain.md §2.7).
struct IndexUnit {
  std::string id, name;
  bool ranked = true;
};

// An input file as the result records it.
struct InputRecord {
  std::string path;  // as given
  std::string sha256;
};

// units.csv: `unit,name[,ranked]` (ranked yes/no, default yes). Throws
// AnalysisError naming file:line (index.empty_field, index.duplicate_unit,
// index.invalid_ranked) or io::CsvError.
std::vector<IndexUnit> load_units(const std::filesystem::path& path, InputRecord* record = nullptr);

// The appraised points: `unit,criterion,points`, one row per unit and
// appraised leaf; empty points or n/a: the leaf does not apply to the unit.
struct Appraisal {
  std::vector<std::string> units;  // in order of first appearance
  // (unit, leaf id) -> points; nullopt: not applicable
  std::map<std::pair<std::string, std::string>, std::optional<double>> points;
};

// Reads and checks the appraisal against the scheme (and the units, when a
// units file was given): every error names file:line, and a unit without a
// row for an appraised leaf is index.missing_appraisal.
Appraisal load_appraisal(const std::filesystem::path& path, const IndexScheme& scheme,
                         const std::vector<IndexUnit>* units, InputRecord* record = nullptr);

// Survey and SIPAS points found in results files of `sipas analyze`, by
// (leaf id, unit).
struct SurveyPoints {
  std::map<std::pair<std::string, std::string>, double> points;
  std::vector<InputRecord> files;
};

// Survey leaves take the `par_points` estimates (variable = leaf id, domain =
// {unit_column: unit}); SIPAS leaves take max × the named statistic / 100 from
// estimates whose domain is one column (one of the leaf's domain_columns, when
// it names them) whose level is a unit. `units_source` names the list of units
// in messages ("units.csv" or "the appraisal appraisal.csv").
SurveyPoints load_survey_points(const std::vector<std::filesystem::path>& paths,
                                const IndexScheme& scheme, const std::vector<IndexUnit>& units,
                                const std::string& units_source);

// Points and applicable maximum of one node for one unit.
struct NodeScore {
  double points = 0, max_points = 0;
  double index() const;  // 100 × points / max_points; NaN when nothing applies
};

struct UnitIndex {
  IndexUnit unit;
  std::vector<NodeScore> nodes;  // by the scheme's node index
  NodeScore total;
  std::optional<int> rank;                  // ranked units with an index
  std::optional<std::string> group;         // ranked units at or above a threshold
  bool rescaled = false;                    // no survey value at all (domain.md §2.4)
  std::vector<std::string> survey_missing;  // survey and SIPAS leaves without a value
};

// The index at the published precision, rounded half away from zero from its
// value to 1e-9 (so that a hand-computed 84.995 is 85.00 even when the binary
// sum lands just below). Its integer form is what ranks compare.
std::int64_t published_key(double index, int precision);
double published(double index, int precision);

// Every unit's node points and maxima (leaves up to the root; a leaf that does
// not apply, or a survey leaf without a value, leaves the maxima of the nodes
// above it), its index, rank among the ranked units (equal at the published
// precision share a rank: 1, 2, 2, 4) and group. Sorted: ranked units by rank
// then id, then the others by published index (descending) then id.
std::vector<UnitIndex> compute_par_index(const IndexScheme& scheme,
                                         const std::vector<IndexUnit>& units,
                                         const Appraisal& appraisal, const SurveyPoints& survey,
                                         const std::vector<GroupThreshold>& thresholds,
                                         int precision);

// One `sipas index` run.
struct ParIndexRequest {
  std::string scheme;  // a file, or the name of an embedded scheme
  std::filesystem::path appraisal;
  std::optional<std::filesystem::path> units;
  std::vector<std::filesystem::path> survey;
  std::optional<std::vector<GroupThreshold>> thresholds;  // default: the scheme's
  std::optional<int> precision;                           // default: the scheme's
  std::string command_line;
};

// A survey or SIPAS leaf of the scheme that some units have no value for
// (no results file gave one: a file left out, or no answers about them).
struct MissingSurveyLeaf {
  std::string leaf;                // the leaf's id
  IndexNode::Method method;        // Survey or Sipas
  std::vector<std::string> units;  // unit ids, in the order of the result's units
};

// The gaps of `units`, leaf by leaf in the scheme's order.
std::vector<MissingSurveyLeaf> missing_survey_leaves(const IndexScheme& scheme,
                                                     const std::vector<UnitIndex>& units);

struct ParIndexResult {
  IndexScheme scheme;
  std::vector<GroupThreshold> thresholds;
  int precision = 2;
  InputRecord scheme_file, appraisal_file;
  std::optional<InputRecord> units_file;
  std::vector<InputRecord> survey_files;
  std::string command_line;
  std::vector<UnitIndex> units;
  // Each unit's survey_missing, by leaf; empty when every unit has every
  // survey value. Without any survey file every leaf is missing everywhere.
  std::vector<MissingSurveyLeaf> survey_missing;
};

ParIndexResult run_par_index(const ParIndexRequest& request);

// par-index.json (`sipas-par-index-result/1`) and par-index.csv
// (analysis/README.md "PAR index").
nlohmann::ordered_json par_index_json(const ParIndexResult& result);
// The CSV's cells are written as io's CSV writer writes them (a unit name a
// spreadsheet would run as a formula gets an apostrophe in front unless `csv`
// says neutralise_formulas = false).
std::string par_index_csv(const ParIndexResult& result, const io::CsvWriterOptions& csv = {});

}  // namespace sipas::analysis
