#include "reports/export_words.hpp"

#include <array>
#include <utility>

namespace sipas::reports {

std::string column_label(const ExportColumn& column, Language language) {
  static constexpr std::array<std::pair<std::string_view, Words>, 10> named = {{
      {"response_id", {"Mã phiếu trả lời", "Response id"}},
      {"seq", {"Số thứ tự phiếu trả lời", "Response number"}},
      {"submission_id", {"Mã lần gửi", "Submission id"}},
      {"respondent_id", {"Mã người trả lời", "Respondent id"}},
      {"id", {"Mã người trả lời", "Respondent id"}},
      {"stratum", {"Tầng", "Stratum"}},
      {"psu", {"Đơn vị mẫu cấp 1", "Primary sampling unit"}},
      {"inclusion_probability", {"Xác suất được chọn", "Inclusion probability"}},
      {"fpc", {"Hiệu chỉnh tổng thể hữu hạn", "Finite population correction"}},
      {"design_weight", {"Trọng số thiết kế", "Design weight"}},
  }};
  for (const auto& [name, words] : named) {
    if (name == column.name) return std::string(words.in(language));
  }
  const bool vi = language == Language::Vi;
  switch (column.role) {
    case ColumnRole::DesignNumber:  // pi_<stage>
      return (vi ? "Xác suất được chọn ở giai đoạn " : "Inclusion probability at stage ") +
             column.name.substr(3);
    case ColumnRole::Weight:
      if (column.name == "calibrated_weight")
        return vi ? "Trọng số hiệu chỉnh" : "Calibrated weight";
      return (vi ? "Trọng số (" : "Weight (") + column.name + ")";
    case ColumnRole::ReplicateWeight:
      return (vi ? "Trọng số lặp " : "Replicate weight ") + column.name;
    default:
      return {};
  }
}

std::string_view selected_label(bool selected, Language language) {
  static constexpr Words yes{"Có chọn", "Selected"};
  static constexpr Words no{"Không chọn", "Not selected"};
  return (selected ? yes : no).in(language);
}

}  // namespace sipas::reports
