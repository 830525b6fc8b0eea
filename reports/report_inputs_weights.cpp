// weights.json of `sipas weights` (sipas-weights/1), read for the methods
// page: the AAPOR response rates, the weighting steps' spreads, the classes
// and their collapsing, the calibration method and the replicates.

#include <cmath>

#include "reports/input_reader.hpp"
#include "reports/report_inputs.hpp"

namespace sipas::reports {
namespace {

using input::Json;
using input::Reader;

constexpr const char* weights_format = "sipas-weights/1";

ResponseRateRow read_rates(const Reader& r, const Json& row, const std::string& p, bool stratum) {
  if (!row.is_object()) r.fail(p, "expected an object");
  ResponseRateRow out;
  if (stratum) out.stratum = r.text(row, p, "stratum", true, true);
  out.respondents = r.count(row, p, "respondents");
  out.nonrespondents = r.count(row, p, "nonrespondents");
  out.ineligible = r.count(row, p, "ineligible");
  out.unknown = r.count(row, p, "unknown");
  out.e = r.number(row, p, "e");
  out.rr1 = r.number(row, p, "rr1");
  out.rr3 = r.number(row, p, "rr3");
  for (const auto& [key, v] :
       {std::pair{"e", out.e}, std::pair{"rr1", out.rr1}, std::pair{"rr3", out.rr3}}) {
    if (std::isfinite(v) && (v < 0 || v > 1))
      r.fail(Reader::join(p, key), "expected a rate from 0 to 1");
  }
  return out;
}

WeightStepSpread read_step(const Reader& r, const Json& s, const std::string& p) {
  if (!s.is_object()) r.fail(p, "expected an object");
  // weights_report writes every spread, over at least one respondent: a null
  // here is a damaged file.
  return {r.text(s, p, "column"), r.count(s, p, "n"),       r.real(s, p, "sum"),
          r.real(s, p, "min"),    r.real(s, p, "max"),      r.real(s, p, "mean"),
          r.real(s, p, "cv"),     r.real(s, p, "deff_kish")};
}

void read_classes(const Reader& r, const Json& doc, WeightsSummary& out) {
  const Json& classes = r.object(doc, "", "classes");
  const std::string p = "classes";
  r.array(classes, p, "columns");
  out.class_columns = r.texts(classes, p, "columns");
  out.classes = r.array(classes, p, "final").size();
  if (classes.contains("rule") && !classes.at("rule").is_null()) {
    const Json& rule = r.object(classes, p, "rule");
    out.min_respondents = static_cast<double>(r.count(rule, p + ".rule", "min_respondents"));
    out.max_factor = r.number(rule, p + ".rule", "max_factor");
  }
  const Json& collapsed = r.array(classes, p, "collapsed");
  for (std::size_t i = 0; i < collapsed.size(); ++i) {
    const std::string cp = Reader::index(p + ".collapsed", i);
    const Json& c = collapsed[i];
    if (!c.is_object()) r.fail(cp, "expected an object");
    out.collapsed.push_back({r.text(c, cp, "class", true, true), r.text(c, cp, "into", true, true),
                             r.text(c, cp, "reason"), r.count(c, cp, "respondents")});
  }
}

}  // namespace

WeightsSummary parse_weights(std::string_view json, const std::string& source) {
  Reader r(source);
  const Json doc = r.parse(json);
  input::require_object(r, doc);
  if (r.text(doc, "", "format") != weights_format)
    throw ReportError("report.invalid_format",
                      source + ": format: expected \"" + std::string(weights_format) + "\"");
  WeightsSummary out;
  out.source = source;
  // Files written before the rates were added have no block.
  if (doc.contains("response_rates") && !doc.at("response_rates").is_null()) {
    const Json& rates = r.object(doc, "", "response_rates");
    const Json& strata = r.array(rates, "response_rates", "by_stratum");
    for (std::size_t i = 0; i < strata.size(); ++i)
      out.strata.push_back(
          read_rates(r, strata[i], Reader::index("response_rates.by_stratum", i), true));
    out.overall = read_rates(r, r.object(rates, "response_rates", "overall"),
                             "response_rates.overall", false);
    out.has_rates = true;
  }
  const Json& steps = r.array(doc, "", "steps");
  if (steps.empty()) r.fail("steps", "expected at least one step");
  for (std::size_t i = 0; i < steps.size(); ++i)
    out.steps.push_back(read_step(r, steps[i], Reader::index("steps", i)));
  read_classes(r, doc, out);
  if (doc.contains("calibration") && !doc.at("calibration").is_null())
    out.calibration_method = r.text(r.object(doc, "", "calibration"), "calibration", "method");
  if (doc.contains("replicates") && !doc.at("replicates").is_null()) {
    const Json& rep = r.object(doc, "", "replicates");
    const std::string rp = "replicates";
    out.replicates =
        WeightsReplicates{r.text(rep, rp, "type"), r.text(rep, rp, "reptype", false),
                          r.number(rep, rp, "count"), r.number(rep, rp, "scale", false)};
  }
  return out;
}

WeightsSummary load_weights(const std::filesystem::path& path) {
  return parse_weights(input::read_input(path), input::display_name(path));
}

}  // namespace sipas::reports
