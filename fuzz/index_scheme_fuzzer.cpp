// PAR index schemes (analysis/par_index_scheme.hpp, sipas-par-index/1): any
// text through parse_index_scheme, ending in a scheme or an AnalysisError. A
// scheme that parses has consistent maxima and its survey part is read; the
// index is computed for three units appraised at half of every appraised
// leaf's maximum (one leaf not applicable to the second unit, nothing
// appraised for the third), with the properties of par_index_support.hpp.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/error.hpp"
#include "analysis/par_index.hpp"
#include "analysis/par_index_scheme.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/par_index_support.hpp"

namespace a = sipas::analysis;
using sipas::fuzz::expect;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  a::IndexScheme scheme;
  try {
    scheme = a::parse_index_scheme(std::string(sipas::fuzz::as_text(data, size)), "scheme.json");
  } catch (const a::AnalysisError&) {
    return 0;
  }
  expect(!scheme.nodes.empty(), "a scheme has nodes");
  const double total = scheme.max_points();
  expect(std::isfinite(total) && total > 0, "a scheme's maximum is finite and positive");
  expect(scheme.survey_max() <= total * (1 + 1e-9), "the survey part is within the maximum");
  for (std::size_t i = 0; i < scheme.nodes.size(); ++i) {
    const a::IndexNode& node = scheme.nodes[i];
    expect(scheme.find(node.id) == &node, "node ids are unique");
    expect(node.parent == a::IndexNode::no_parent || node.parent < i,
           "a node comes after its parent");
  }
  try {
    (void)a::survey_part(scheme);
  } catch (const a::AnalysisError&) {
  }

  const std::vector<a::IndexUnit> units = {
      {"U1", "One", true}, {"U2", "Two", true}, {"U3", "Special", false}};
  a::Appraisal appraisal;
  appraisal.units = {"U1", "U2"};
  bool first = true;
  for (const auto& node : scheme.nodes) {
    if (node.method != a::IndexNode::Method::Appraised) continue;
    appraisal.points[{"U1", node.id}] = node.max_points / 2;
    appraisal.points[{"U2", node.id}] =
        first ? std::nullopt : std::optional<double>(node.max_points / 2);
    first = false;
  }
  sipas::fuzz::check_par_index(scheme, units, appraisal);
  return 0;
}
