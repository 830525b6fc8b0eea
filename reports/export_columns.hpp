#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "questionnaires/questionnaire.hpp"

namespace sipas::reports {

// Why a column of a responses file may leave sipas. Anything else (contact
// columns of a sample file: name, phone, email, address) is never exported.
enum class ColumnRole {
  Id,               // response or respondent id: response_id, seq, submission_id, respondent_id, id
  Design,           // stratum, psu: labels of the design, written as text
  DesignNumber,     // inclusion_probability, fpc, pi_<stage>: numbers
  Weight,           // weight, design_weight, calibrated_weight, any *_weight
  ReplicateWeight,  // PREFIX1, PREFIX2, ... with the --repweights prefix
  Item,             // an answerable item of the questionnaire
  Kept,             // named with --keep
};

struct ExportColumn {
  std::string name;       // as in the CSV header
  std::size_t index = 0;  // position in the CSV header (0-based)
  ColumnRole role = ColumnRole::Kept;
  const questionnaires::Item* item = nullptr;  // for ColumnRole::Item
};

struct ColumnRules {
  std::vector<std::string> keep;  // extra columns to export (e.g. district)
  std::string repweights_prefix;  // empty: no replicate weights
};

// The whitelist: the columns of `header` that may be exported, in the file's
// order. Throws ReportError export.unknown_column when a --keep column is not
// in the header or no column has the replicate weights' prefix, and
// export.no_items when no column is an item of the
// questionnaire (the wrong questionnaire for the file). `source` names the
// file in messages.
std::vector<ExportColumn> select_columns(const std::vector<std::string>& header,
                                         const questionnaires::Questionnaire& questionnaire,
                                         const ColumnRules& rules, std::string_view source);

// Whether the role's values are numbers (checked while scanning, written as
// numbers in .sav/.dta).
bool role_is_numeric(ColumnRole role);

}  // namespace sipas::reports
