// The appraisal CSV of the PAR index (analysis/par_index.hpp, load_appraisal:
// unit,criterion,points): any bytes read from a file against a small scheme
// and against the embedded provincial 876 scheme, with and without a units
// list, ending in an appraisal or a typed error (CsvError, AnalysisError). An
// appraisal that loads gives an index with the properties of
// par_index_support.hpp. The same bytes are read as a units file.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/par_index.hpp"
#include "analysis/par_index_scheme.hpp"
#include "analysis/standard_schemes.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/par_index_support.hpp"
#include "io/embedded_file.hpp"
#include "io/error.hpp"

namespace {

namespace a = sipas::analysis;
using sipas::fuzz::expect;

// Area 1: 1.1 and 1.2 appraised, 1.3 survey; area 2: 2.1 appraised, 2.2 SIPAS.
const char* const small_scheme = R"({
  "format": "sipas-par-index/1", "id": "small", "decision": "1/QĐ-X", "year": 2024,
  "level": "province", "title": {"vi": "Nhỏ", "en": "Small"},
  "areas": [
    {"id": "1", "label": {"vi": "Một", "en": "One"}, "children": [
      {"id": "1.1", "label": {"vi": "a", "en": "a"}, "max_points": 4, "method": "appraised"},
      {"id": "1.2", "label": {"vi": "b", "en": "b"}, "max_points": 2, "method": "appraised"},
      {"id": "1.3", "label": {"vi": "c", "en": "c"}, "max_points": 4, "method": "survey",
       "items": ["q1"]}]},
    {"id": "2", "label": {"vi": "Hai", "en": "Two"}, "children": [
      {"id": "2.1", "label": {"vi": "d", "en": "d"}, "max_points": 6, "method": "appraised"},
      {"id": "2.2", "label": {"vi": "e", "en": "e"}, "max_points": 4, "method": "sipas"}]}]})";

const std::vector<a::IndexScheme>& schemes() {
  static const std::vector<a::IndexScheme> all = [] {
    std::vector<a::IndexScheme> out;
    out.push_back(a::parse_index_scheme(small_scheme, "small.json"));
    const auto* province = a::find_standard_scheme("par-province-876");
    expect(province != nullptr, "the provincial scheme is embedded");
    out.push_back(a::parse_index_scheme(std::string(province->content), "par-province-876.json"));
    return out;
  }();
  return all;
}

const std::vector<a::IndexUnit> listed_units = {
    {"U1", "Unit one", true}, {"U2", "Unit two", true}, {"U5", "Special body", false}};

std::vector<a::IndexUnit> units_of(const a::Appraisal& appraisal) {
  std::vector<a::IndexUnit> out;
  for (const auto& id : appraisal.units)
    out.push_back({id, id, true});
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = sipas::fuzz::scratch().write("appraisal.csv", sipas::fuzz::as_text(data, size));
  for (const a::IndexScheme& scheme : schemes()) {
    try {
      const a::Appraisal appraisal = a::load_appraisal(path, scheme, nullptr);
      sipas::fuzz::check_par_index(scheme, units_of(appraisal), appraisal);
    } catch (const sipas::Error&) {
    }
    try {
      const a::Appraisal appraisal = a::load_appraisal(path, scheme, &listed_units);
      for (const auto& id : appraisal.units) {
        expect(std::any_of(listed_units.begin(), listed_units.end(),
                           [&](const a::IndexUnit& u) { return u.id == id; }),
               "an appraisal's units are listed units");
      }
      sipas::fuzz::check_par_index(scheme, listed_units, appraisal);
    } catch (const sipas::Error&) {
    }
  }
  try {
    (void)a::load_units(path);
  } catch (const sipas::Error&) {
  }
  return 0;
}
