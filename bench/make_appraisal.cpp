// A synthetic appraisal for timing `sipas index` (bench/index_command_bench.sh):
// every appraised leaf of an index scheme for N units, written reproducibly
// from a seed.
//
//   make_appraisal --scheme NAME|FILE --units N --seed S --out FILE
//
// Columns: unit (U00001, ...), criterion (the leaf's id), points: the leaf's
// maximum times a random share, in quarter points, and empty (the criterion
// does not apply) for about 2 % of the rows. The generator is SplitMix64, so
// the same arguments give the same bytes on any machine.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/par_index_scheme.hpp"
#include "analysis/standard_schemes.hpp"
#include "io/csv_writer.hpp"

namespace {

std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double uniform(std::uint64_t& state) {
  return static_cast<double>(splitmix(state) >> 11) * 0x1.0p-53;
}

int usage() {
  std::fprintf(stderr, "usage: make_appraisal --scheme NAME|FILE --units N --seed S --out FILE\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string scheme_name, out;
  long units = 0;
  std::uint64_t seed = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--scheme") {
      scheme_name = argv[i + 1];
    } else if (flag == "--units") {
      units = std::strtol(argv[i + 1], nullptr, 10);
    } else if (flag == "--seed") {
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--out") {
      out = argv[i + 1];
    } else {
      return usage();
    }
  }
  if (scheme_name.empty() || out.empty() || units <= 0 || units > 10'000'000) return usage();
  try {
    const auto source = sipas::analysis::read_scheme_source(scheme_name);
    const auto scheme = sipas::analysis::parse_index_scheme(source.text, source.source);
    std::vector<const sipas::analysis::IndexNode*> leaves;
    for (const auto& node : scheme.nodes) {
      if (node.method == sipas::analysis::IndexNode::Method::Appraised) leaves.push_back(&node);
    }
    sipas::io::CsvWriter writer(out);
    const std::string_view header[] = {"unit", "criterion", "points"};
    writer.write_row(header);
    std::uint64_t state = seed;
    char unit[32], points[32];
    for (long u = 1; u <= units; ++u) {
      std::snprintf(unit, sizeof unit, "U%05ld", u);
      for (const auto* leaf : leaves) {
        std::string value;
        if (uniform(state) >= 0.02) {
          const double quarters =
              static_cast<double>(static_cast<long>(uniform(state) * (4 * leaf->max_points + 1)));
          std::snprintf(points, sizeof points, "%g", quarters / 4);
          value = points;
        }
        const std::string_view row[] = {unit, leaf->id, value};
        writer.write_row(row);
      }
    }
    writer.commit();
    std::fprintf(stderr, "make_appraisal: %ld units x %zu appraised criteria -> %s\n", units,
                 leaves.size(), out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_appraisal: %s\n", e.what());
    return 1;
  }
  return 0;
}
