#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/design.hpp"
#include "analysis/table.hpp"

namespace sipas::analysis {

// A response export (survey_server/response_export.hpp) says how each answer
// came in: column `channel`, "invitation" for a sampled unit's token,
// "open_link" for an answer through the survey's open link. An open-link
// answer is not in the sample: it has no stratum, PSU, inclusion probability
// or design weight, and no design-based estimate can take it as it is.
inline constexpr std::string_view channel_column = "channel";
inline constexpr std::string_view open_link_channel = "open_link";

// What was done with the open-link rows of the data.
struct OpenLinkRows {
  std::string source;              // the data file's name, as in messages
  bool marked = false;             // the data have a channel column
  std::size_t count = 0;           // rows whose channel is open_link
  std::vector<std::size_t> lines;  // their CSV lines, the first max_listed_lines
  bool included = false;           // --include-open-link
};

// How many line numbers a message lists.
inline constexpr std::size_t max_listed_lines = 10;

// The rows a design-based analysis takes (the table itself when all): without `include`, every row
// but the open-link ones (left out, as rows outside the sample, not as a domain: they have no PSU
// to keep). With `include`, every row, provided the open-link rows have the design values the
// analysis uses (the user filled them in: no design gives them). Then every row kept must have a
// value in each design column used (strata, clusters, weights, fpc). Throws AnalysisError naming
// the file, the column, the number of rows and their first lines: data.open_link_without_design,
// data.missing_design, data.only_open_link (nothing left).
Table leave_out_open_link(Table data, const DesignColumns& design, bool include,
                          OpenLinkRows& report);

// "responses.csv: 3 open-link rows (lines 7, 12, 40) left out: ..." for
// standard error, or empty when there were none.
std::string describe(const OpenLinkRows& report);

}  // namespace sipas::analysis
