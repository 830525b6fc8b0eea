#include "reports/export_words.hpp"

#include <array>

#include "texts/texts.hpp"

namespace sipas::reports {
namespace {

std::string_view code(Language language) {
  return language == Language::Vi ? "vi" : "en";
}

}  // namespace

std::string column_label(const ExportColumn& column, Language language) {
  // Columns whose label is the catalogue's "export.column.<key>".
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> named = {{
      {"response_id", "response_id"},
      {"seq", "seq"},
      {"submission_id", "submission_id"},
      {"respondent_id", "respondent_id"},
      {"id", "respondent_id"},
      {"stratum", "stratum"},
      {"psu", "psu"},
      {"inclusion_probability", "inclusion_probability"},
      {"fpc", "fpc"},
      {"design_weight", "design_weight"},
  }};
  const std::string_view lang = code(language);
  for (const auto& [name, key] : named) {
    if (name == column.name) return texts::text(lang, "export.column." + std::string(key));
  }
  switch (column.role) {
    case ColumnRole::DesignNumber:  // pi_<stage>
      return texts::format(lang, "export.column.stage_probability",
                           {{"stage", std::string_view(column.name).substr(3)}});
    case ColumnRole::Weight:
      if (column.name == "calibrated_weight") {
        return texts::text(lang, "export.column.calibrated_weight");
      }
      return texts::format(lang, "export.column.weight", {{"column", column.name}});
    case ColumnRole::ReplicateWeight:
      return texts::format(lang, "export.column.replicate_weight", {{"column", column.name}});
    default:
      return {};
  }
}

std::string_view selected_label(bool selected, Language language) {
  return texts::text(code(language), selected ? "export.selected" : "export.not_selected");
}

}  // namespace sipas::reports
