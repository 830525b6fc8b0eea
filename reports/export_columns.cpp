#include "reports/export_columns.hpp"

#include <algorithm>
#include <array>

#include "reports/error.hpp"

namespace sipas::reports {
namespace {

using questionnaires::Item;

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The role a column has by its name alone, or Kept when the name says nothing.
ColumnRole role_by_name(std::string_view name, const ColumnRules& rules, bool& whitelisted) {
  static constexpr std::array<std::string_view, 5> ids = {"response_id", "seq", "submission_id",
                                                          "respondent_id", "id"};
  whitelisted = true;
  if (std::find(ids.begin(), ids.end(), name) != ids.end()) return ColumnRole::Id;
  if (name == "stratum" || name == "psu") return ColumnRole::Design;
  if (name == "inclusion_probability" || name == "fpc") return ColumnRole::DesignNumber;
  // The stage probabilities of a multi-stage sample (sampling/README.md).
  if (name.size() > 3 && name.substr(0, 3) == "pi_") return ColumnRole::DesignNumber;
  if (name == "weight" || ends_with(name, "_weight")) return ColumnRole::Weight;
  const auto& prefix = rules.repweights_prefix;
  if (!prefix.empty() && name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix &&
      all_digits(name.substr(prefix.size()))) {
    return ColumnRole::ReplicateWeight;
  }
  whitelisted = false;
  return ColumnRole::Kept;
}

}  // namespace

bool role_is_numeric(ColumnRole role) {
  return role == ColumnRole::DesignNumber || role == ColumnRole::Weight ||
         role == ColumnRole::ReplicateWeight;
}

std::vector<ExportColumn> select_columns(const std::vector<std::string>& header,
                                         const questionnaires::Questionnaire& questionnaire,
                                         const ColumnRules& rules, std::string_view source) {
  for (const auto& name : rules.keep) {
    if (std::find(header.begin(), header.end(), name) == header.end()) {
      std::string columns;
      for (const auto& h : header)
        columns += (columns.empty() ? "" : ", ") + h;
      throw ReportError("export.unknown_column", std::string(source) + ": --keep names column '" +
                                                     name + "', which the file does not have " +
                                                     "(columns: " + columns + ")");
    }
  }
  std::vector<ExportColumn> columns;
  bool any_item = false;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string& name = header[i];
    ExportColumn column{name, i, ColumnRole::Kept, nullptr};
    const Item* item = questionnaire.find(name);
    bool whitelisted = false;
    if (item != nullptr && item->answerable()) {
      column.role = ColumnRole::Item;
      column.item = item;
      any_item = true;
      whitelisted = true;
    } else {
      column.role = role_by_name(name, rules, whitelisted);
    }
    if (!whitelisted && std::find(rules.keep.begin(), rules.keep.end(), name) != rules.keep.end()) {
      whitelisted = true;
    }
    if (whitelisted) columns.push_back(std::move(column));
  }
  const bool any_replicate = std::any_of(columns.begin(), columns.end(), [](const ExportColumn& c) {
    return c.role == ColumnRole::ReplicateWeight;
  });
  if (!rules.repweights_prefix.empty() && !any_replicate) {
    throw ReportError("export.unknown_column",
                      std::string(source) + ": --repweights " + rules.repweights_prefix +
                          ": no column is named " + rules.repweights_prefix +
                          " followed by digits (" + rules.repweights_prefix + "1, " +
                          rules.repweights_prefix + "2, ...)");
  }
  if (!any_item) {
    throw ReportError("export.no_items",
                      std::string(source) + ": no column is an item of questionnaire '" +
                          questionnaire.id() + "' " + questionnaire.version() +
                          " (is it the questionnaire these answers were given to?)");
  }
  return columns;
}

}  // namespace sipas::reports
