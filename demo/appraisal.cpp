#include "demo/appraisal.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "demo/stages.hpp"
#include "io/csv_writer.hpp"

namespace sipas::demo {

std::uint64_t write_appraisal(const std::filesystem::path& path,
                              const analysis::IndexScheme& scheme, const Province& province,
                              std::uint64_t seed, const io::CsvWriterOptions& csv) {
  io::CsvWriter out(path, csv);
  out.write_row({"unit", "criterion", "points"});
  std::uint64_t rows = 0;
  for (const auto& unit : province.units()) {
    auto rng = unit_rng(seed, "appraisal/" + unit.id);
    for (const auto& node : scheme.nodes) {
      if (node.method != analysis::IndexNode::Method::Appraised) continue;
      std::string points;
      if (rng.uniform() >= 0.025) {
        const double share =
            std::clamp(unit.quality + 0.15 + 0.2 * (rng.uniform() - 0.5), 0.0, 1.0);
        const double quarter = std::floor(share * node.max_points * 4) / 4;
        std::ostringstream text;
        text << quarter;
        points = text.str();
      }
      out.write_row({unit.id, node.id, points});
      ++rows;
    }
  }
  out.commit();
  return rows;
}

}  // namespace sipas::demo
