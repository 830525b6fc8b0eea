#pragma once

// The invitations of a survey as a sample file with a disposition column,
// for `sipas weights --db` (analysis/README.md, "Nonresponse adjustment").

#include <filesystem>
#include <string>
#include <vector>

#include "analysis/nonresponse.hpp"
#include "analysis/table.hpp"
#include "store/store.hpp"

namespace sipas::app {

// The column that holds each invitation's disposition.
inline constexpr const char* disposition_column = "disposition";

struct FieldworkRules {
  // An active invitation never opened: a nonrespondent (the frame lists
  // people who did a procedure: eligible by construction), or of unknown
  // eligibility when asked (the invitation may never have reached them).
  bool unopened_unknown = false;
};

// One row per invitation, in import order, with the columns of a sample file
// (id, stratum, psu, inclusion_probability, design_weight, role,
// reserve_rank), the attributes (a name that is one of these columns, or
// `disposition`, is left out), and `disposition`:
//   - a reserve never activated: empty (not in the sample);
//   - a response, received or approved: respondent;
//   - a response rejected in review: nonrespondent (its answers are not used);
//   - opened, no response: nonrespondent;
//   - never opened: nonrespondent, or unknown with rules.unopened_unknown.
// `source` names the table in messages.
analysis::Table fieldwork_table(const std::vector<store::InvitationOutcome>& outcomes,
                                const std::string& source, const FieldworkRules& rules = {});

// The fielded cases of survey `survey` in the database at `db` (opened read
// only), for analysis::adjust_weights: fieldwork_table() read as a sample
// file. Throws store::StoreError (no such database or survey) and AnalysisError.
analysis::FieldworkSample fieldwork_sample(const std::filesystem::path& db,
                                           const std::string& survey,
                                           const FieldworkRules& rules = {});

}  // namespace sipas::app
