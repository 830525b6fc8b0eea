#include "analysis/open_link.hpp"

#include "analysis/error.hpp"

namespace sipas::analysis {
namespace {

// "lines 7, 12, 40" or "lines 7, 12, ... (first 10 of 25)".
std::string lines_text(const std::vector<std::size_t>& lines, std::size_t total) {
  std::string out = total == 1 ? "line " : "lines ";
  for (std::size_t i = 0; i < lines.size(); ++i)
    out += (i == 0 ? "" : ", ") + std::to_string(lines[i]);
  if (total > lines.size()) out += ", ... (the first " + std::to_string(lines.size()) + ")";
  return out;
}

std::string rows_text(std::size_t count) {
  return std::to_string(count) + (count == 1 ? " row" : " rows");
}

// The design columns an analysis reads, in the order they are named.
std::vector<std::string> design_columns(const DesignColumns& design) {
  std::vector<std::string> out;
  if (!design.strata.empty()) out.push_back(design.strata);
  for (const auto& c : design.clusters)
    out.push_back(c);
  if (!design.weights.empty()) out.push_back(design.weights);
  for (const auto& c : design.fpc)
    out.push_back(c);
  return out;
}

struct Missing {
  std::string column;
  std::size_t count = 0;
  std::vector<std::size_t> lines;
};

// The first design column with an empty value among `rows`, with how many
// rows and which lines.
std::optional<Missing> first_missing(const Table& data, const DesignColumns& design,
                                     const std::vector<std::size_t>& rows) {
  for (const auto& name : design_columns(design)) {
    const Column& column = data.column(name);
    Missing missing{name, 0, {}};
    for (const std::size_t row : rows) {
      if (!column.is_missing(row)) continue;
      if (missing.lines.size() < max_listed_lines) missing.lines.push_back(data.line_of(row));
      ++missing.count;
    }
    if (missing.count > 0) return missing;
  }
  return std::nullopt;
}

}  // namespace

Table leave_out_open_link(Table data, const DesignColumns& design, bool include,
                          OpenLinkRows& report) {
  report = OpenLinkRows{};
  report.source = data.source();
  report.included = include;
  std::vector<std::size_t> sampled, open;
  if (data.has(channel_column)) {
    report.marked = true;
    const Column& channel = data.column(channel_column);
    for (std::size_t row = 0; row < data.rows(); ++row)
      (channel.text(row) == open_link_channel ? open : sampled).push_back(row);
  } else {
    sampled.resize(data.rows());
    for (std::size_t row = 0; row < data.rows(); ++row)
      sampled[row] = row;
  }
  report.count = open.size();
  for (std::size_t i = 0; i < open.size() && i < max_listed_lines; ++i)
    report.lines.push_back(data.line_of(open[i]));

  if (include) {
    if (auto missing = first_missing(data, design, open)) {
      throw AnalysisError(
          "data.open_link_without_design",
          data.source() + ": `include_open_link`: " + rows_text(missing->count) +
              " answered through the open link " + (missing->count == 1 ? "has" : "have") +
              " no '" + missing->column + "' (" + lines_text(missing->lines, missing->count) +
              "). They were not sampled, so no design gives them a stratum, PSU or weight: "
              "fill these columns in yourself (a weight from a model of who answers the open "
              "link, say) to include them, or leave out `include_open_link`");
    }
  } else if (!open.empty() && sampled.empty()) {
    throw AnalysisError("data.only_open_link",
                        data.source() + ": all " + rows_text(open.size()) +
                            " were answered through the open link (column '" +
                            std::string(channel_column) + "' is " + std::string(open_link_channel) +
                            "), and a design-based analysis leaves them out: no sampled row is "
                            "left. Give them design values and `include_open_link`, or analyse "
                            "the invitations' answers");
  }
  if (auto missing = first_missing(data, design, sampled)) {
    std::string why =
        report.marked
            ? std::string(missing->count == 1 ? " and is" : " and are") +
                  " not marked open-link (column '" + std::string(channel_column) + "' is not " +
                  std::string(open_link_channel) +
                  "): every sampled row needs its design values; fill them in or fix the export"
            : ": every row needs its design values. A response export without a '" +
                  std::string(channel_column) +
                  "' column comes from an older sipas, where empty design columns mean answers "
                  "through the open link: export again with this sipas (it marks them, and "
                  "analyze leaves them out), or remove those rows";
    throw AnalysisError("data.missing_design", data.source() + ": " + rows_text(missing->count) +
                                                   (missing->count == 1 ? " has" : " have") +
                                                   " an empty '" + missing->column + "' (" +
                                                   lines_text(missing->lines, missing->count) +
                                                   ")" + why);
  }
  if (include || open.empty()) return data;
  return data.select_rows(sampled);
}

std::string describe(const OpenLinkRows& report) {
  const std::string& source = report.source;
  if (report.count == 0) return {};
  const std::string rows = std::to_string(report.count) + " open-link " +
                           (report.count == 1 ? "row" : "rows") + " (" +
                           lines_text(report.lines, report.count) + ")";
  if (report.included) {
    return source + ": " + rows +
           " included with the design values given in the file (`include_open_link`); they were "
           "not sampled, so these estimates rest on those values, not on the sample design";
  }
  return source + ": " + rows +
         " left out: they were answered through the survey's open link, not by sampled units, "
         "and have no design weight; `include_open_link` counts them only with design values "
         "you fill in";
}

}  // namespace sipas::analysis
