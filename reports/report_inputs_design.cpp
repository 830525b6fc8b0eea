// The design record of `sipas sample` (sample.design.json,
// sipas-sample-design/1, written by sampling/draw.cpp's design_record()),
// read for the methods page: the frame, the strata, how each stage or the
// single stage selected, the sample's size, the seed and the generator.

#include <algorithm>
#include <initializer_list>

#include "reports/input_reader.hpp"
#include "reports/report_inputs.hpp"

namespace sipas::reports {
namespace {

using input::Json;
using input::Reader;

constexpr const char* design_format = "sipas-sample-design/1";

// A text that must be one of `allowed`; `expected` words the error.
std::string one_of(const Reader& r, const Json& parent, const std::string& path, const char* key,
                   std::initializer_list<std::string_view> allowed, const char* expected) {
  std::string value = r.text(parent, path, key);
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end())
    r.fail(Reader::join(path, key), std::string("expected ") + expected);
  return value;
}

std::string stage_method(const Reader& r, const Json& parent, const std::string& path) {
  return one_of(r, parent, path, "method", {"srs", "systematic", "pps", "pps-systematic"},
                "srs, systematic, pps or pps-systematic");
}

// The seed is a full 64-bit number (one drawn from the operating system is
// past int64's range half the time).
std::uint64_t read_seed(const Reader& r, const Json& doc) {
  r.real(doc, "", "seed");  // present and a number
  const Json& v = doc.at("seed");
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
    r.fail("seed", "expected a whole number >= 0");
  return v.get<std::uint64_t>();
}

// {"sampford": 10, "maximum-entropy": 2}: selections per algorithm.
std::map<std::string, std::int64_t> read_algorithms(const Reader& r, const Json& parent,
                                                    const std::string& path) {
  std::map<std::string, std::int64_t> out;
  const Json& counts = r.object(parent, path, "pps_algorithms");
  const std::string p = Reader::join(path, "pps_algorithms");
  for (auto it = counts.begin(); it != counts.end(); ++it) {
    const std::string& name = it.key();
    if (name != "sampford" && name != "maximum-entropy")
      r.fail(p, "unknown algorithm '" + name + "' (expected sampford or maximum-entropy)");
    out[name] = r.count(counts, p, name.c_str());
  }
  return out;
}

SampleStratum read_stratum(const Reader& r, const Json& s, const std::string& p,
                           bool single_stage) {
  if (!s.is_object()) r.fail(p, "expected an object");
  SampleStratum out;
  out.stratum = r.text(s, p, "stratum", true, true);
  out.population = r.count(s, p, "population");
  if (single_stage) {
    out.n = r.count(s, p, "n");
    out.reserve = r.count(s, p, "reserve");
    if (s.contains("pps_algorithm") && !s.at("pps_algorithm").is_null())
      out.pps_algorithm = one_of(r, s, p, "pps_algorithm", {"sampford", "maximum-entropy"},
                                 "sampford or maximum-entropy");
  }
  return out;
}

void read_allocation(const Reader& r, const Json& doc, SampleDesignSummary& out) {
  const Json& a = r.object(doc, "", "allocation");
  const std::string p = "allocation";
  SampleAllocation allocation;
  allocation.method =
      one_of(r, a, p, "method", {"proportional", "equal", "neyman", "power", "optimal", "given"},
             "proportional, equal, neyman, power, optimal or given");
  if (allocation.method == "given") {
    allocation.file = r.text(a, p, "file");
  } else {
    allocation.total = r.count(a, p, "total");
  }
  if (allocation.method == "power") {
    allocation.power_q = r.real(a, p, "power_q");
    if (allocation.power_q < 0 || allocation.power_q > 1)
      r.fail(Reader::join(p, "power_q"), "expected a number from 0 to 1");
  }
  out.allocation = allocation;
}

// The units a clustering stage selected: how many, and how many of them the
// certainty column took with π = 1.
void read_selected(const Reader& r, const Json& stage, const std::string& p, SampleStage& out) {
  const Json& selected = r.array(stage, p, "selected");
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const std::string up = Reader::index(Reader::join(p, "selected"), i);
    const Json& u = selected[i];
    if (!u.is_object()) r.fail(up, "expected an object");
    r.text(u, up, "unit", true, true);
    const double pi = r.real(u, up, "pi");
    if (!(pi > 0 && pi <= 1)) r.fail(Reader::join(up, "pi"), "expected a probability in (0, 1]");
    if (!u.contains("certain")) r.fail(Reader::join(up, "certain"), "missing");
    out.certain += r.flag(u, up, "certain") ? 1 : 0;
  }
  out.selected = static_cast<std::int64_t>(selected.size());
}

SampleStage read_stage(const Reader& r, const Json& s, const std::string& p, std::size_t k,
                       bool last) {
  if (!s.is_object()) r.fail(p, "expected an object");
  SampleStage out;
  out.stage = r.count(s, p, "stage");
  if (out.stage != static_cast<std::int64_t>(k + 1))
    r.fail(Reader::join(p, "stage"), "expected " + std::to_string(k + 1));
  out.unit = r.text(s, p, "unit");
  if (out.unit.empty()) r.fail(Reader::join(p, "unit"), "expected a column name or \"rows\"");
  // Only the last stage selects rows (sampling/README.md, "Designs").
  if (out.rows() != last)
    r.fail(Reader::join(p, "unit"),
           last ? "expected \"rows\": the last stage selects the frame's rows"
                : "\"rows\" is only the last stage");
  out.method = stage_method(r, s, p);
  out.n = r.count(s, p, "n");
  if (out.method == "pps") {
    out.pps_algorithms = read_algorithms(r, s, p);
    out.pps_rule = r.text(s, p, "pps_rule");
  }
  if (out.rows()) {
    out.reserve = r.count(s, p, "reserve");
    return out;
  }
  out.size = r.text(s, p, "size");
  if (s.contains("certainty") && !s.at("certainty").is_null()) {
    const Json& c = r.object(s, p, "certainty");
    const std::string cp = Reader::join(p, "certainty");
    out.certainty_column = r.text(c, cp, "column");
    r.array(c, cp, "values");
    out.certainty_values = r.texts(c, cp, "values");
  }
  const Json& units = r.array(s, p, "units");
  for (std::size_t i = 0; i < units.size(); ++i) {
    const std::string up = Reader::index(Reader::join(p, "units"), i);
    const Json& u = units[i];
    if (!u.is_object()) r.fail(up, "expected an object");
    SampleStageUnits row{r.text(u, up, "stratum", true, true), r.count(u, up, "units"),
                         r.count(u, up, "selected")};
    if (row.selected > row.units)
      r.fail(Reader::join(up, "selected"), "more than the stratum's units");
    out.units.push_back(row);
  }
  read_selected(r, s, p, out);
  return out;
}

}  // namespace

SampleDesignSummary parse_sample_design(std::string_view json, const std::string& source) {
  Reader r(source);
  const Json doc = r.parse(json);
  input::require_object(r, doc);
  if (r.text(doc, "", "format") != design_format)
    throw ReportError("report.invalid_format",
                      source + ": format: expected \"" + std::string(design_format) + "\"");
  SampleDesignSummary out;
  out.source = source;
  out.command = r.text(doc, "", "command");
  const Json& frame = r.object(doc, "", "frame");
  out.frame_file = r.text(frame, "frame", "file");
  out.frame_sha256 = r.text(frame, "frame", "sha256");
  out.frame_rows = r.count(frame, "frame", "rows");
  out.id_column = r.text(doc, "", "id_column");
  r.array(doc, "", "strata_columns");
  out.strata_columns = r.texts(doc, "", "strata_columns");
  out.seed = read_seed(r, doc);
  out.seed_given =
      one_of(r, doc, "", "seed_source", {"given", "drawn"}, "given or drawn") == "given";
  out.generator = r.text(doc, "", "generator");
  const Json& sample = r.object(doc, "", "sample");
  out.main = r.count(sample, "sample", "main");
  out.reserve = r.count(sample, "sample", "reserve");
  out.method =
      one_of(r, doc, "", "method", {"srs", "systematic", "pps", "pps-systematic", "multi-stage"},
             "srs, systematic, pps, pps-systematic or multi-stage");

  const Json& strata = r.array(doc, "", "strata");
  if (strata.empty()) r.fail("strata", "expected at least one stratum");
  for (std::size_t i = 0; i < strata.size(); ++i)
    out.strata.push_back(
        read_stratum(r, strata[i], Reader::index("strata", i), !out.multi_stage()));
  std::int64_t population = 0;
  for (const auto& s : out.strata)
    population += s.population;
  if (population != out.frame_rows)
    r.fail("strata", "the strata's populations add up to " + std::to_string(population) +
                         ", not the frame's " + std::to_string(out.frame_rows) + " rows");

  if (!out.multi_stage()) {
    read_allocation(r, doc, out);
    if (out.method == "pps") {
      out.pps_algorithms = read_algorithms(r, doc, "");
      out.pps_rule = r.text(doc, "", "pps_rule");
    }
    out.size_column = r.text(doc, "", "size_column", false);
    out.sort_column = r.text(doc, "", "sort_column", false);
    return out;
  }
  const Json& stages = r.array(doc, "", "stages");
  if (stages.empty()) r.fail("stages", "expected at least one stage");
  for (std::size_t k = 0; k < stages.size(); ++k)
    out.stages.push_back(
        read_stage(r, stages[k], Reader::index("stages", k), k, k + 1 == stages.size()));
  return out;
}

SampleDesignSummary load_sample_design(const std::filesystem::path& path) {
  return parse_sample_design(input::read_input(path), input::display_name(path));
}

}  // namespace sipas::reports
