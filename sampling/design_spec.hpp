#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sipas::sampling {

enum class SelectionMethod { Srs, Systematic, PpsSystematic, Pps };

std::optional<SelectionMethod> selection_method_from_string(const std::string& name);
std::string to_string(SelectionMethod method);

// How big a stage unit is for selection proportional to size.
struct SizeMeasure {
  enum class Kind { Rows, Sum, Value };
  Kind kind = Kind::Rows;  // Rows: the number of frame rows in the unit
  std::string column;      // Sum: added over the unit's rows; Value: the same on every row
};

// A stage of a multi-stage design (sampling/README.md, "Designs"). The stage
// selects `n` units within each unit selected at the stage before (within each
// stratum for the first stage). The last stage selects frame rows.
struct Stage {
  std::string unit;  // frame column naming the stage's units; empty for the last stage (rows)
  SelectionMethod method = SelectionMethod::Srs;
  std::int64_t n = 0;
  std::map<std::string, std::int64_t> n_per_stratum;  // first stage: overrides n by stratum key
  SizeMeasure size;
  std::string certainty_column;  // units flagged here are taken with π = 1
  std::vector<std::string> certainty_values;
  std::int64_t reserve = 0;  // last stage only: reserve units per cluster
};

struct DesignSpec {
  std::vector<std::string> strata;  // stratum columns (may be empty)
  std::vector<Stage> stages;
};

// Reads a design file (format "sipas-design/1"). Throws SamplingError naming
// the file and the JSON path of the problem.
DesignSpec load_design_spec(const std::filesystem::path& path);
DesignSpec parse_design_spec(const std::string& json_text, const std::string& source);

}  // namespace sipas::sampling
