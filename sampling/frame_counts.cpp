#include "sampling/frame_counts.hpp"

#include "io/csv_reader.hpp"
#include "sampling/error.hpp"

namespace sipas::sampling {

std::map<std::string, std::uint64_t> count_strata(const std::filesystem::path& frame_path,
                                                  const std::vector<std::string>& strata) {
  io::CsvReader frame(frame_path);
  std::vector<std::size_t> columns;
  for (const auto& s : strata)
    columns.push_back(frame.require_column(s));
  std::map<std::string, std::uint64_t> counts;
  std::string key;
  while (frame.next()) {
    key.clear();
    for (std::size_t i = 0; i < columns.size(); ++i) {
      auto value = frame.field(columns[i]);
      if (value.empty()) {
        throw SamplingError("frame.invalid_row",
                            frame.where() + ": column '" + strata[i] + "' is empty");
      }
      if (i) key += '|';
      key += value;
    }
    if (columns.empty()) key = "all";
    ++counts[key];
  }
  if (counts.empty())
    throw SamplingError("frame.empty", frame.source() + ": the frame has no rows");
  return counts;
}

}  // namespace sipas::sampling
