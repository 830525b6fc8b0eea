#include "reports/report_inputs.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "reports/error.hpp"
#include "reports/input_reader.hpp"

namespace sipas::reports {
namespace {

using Json = nlohmann::json;
using input::display_name;
using input::read_input;
using input::Reader;
using input::require_object;

DesignSummary read_design(const Reader& r, const Json& d) {
  const std::string p = "design";
  DesignSummary out;
  out.kind = r.text(d, p, "kind");
  out.variance = r.text(d, p, "variance", false);
  out.strata = r.text(d, p, "strata", false);
  out.weights = r.text(d, p, "weights", false);
  out.lonely_psu = r.text(d, p, "lonely_psu", false);
  out.command = r.text(d, p, "command", false);
  out.psu = r.texts(d, p, "psu");
  out.fpc = r.texts(d, p, "fpc");
  out.rows = r.number(d, p, "rows");
  out.weight_sum = r.number(d, p, "weight_sum", false);
  out.df = r.number(d, p, "df");
  out.level = r.number(d, p, "level");
  if (!(out.level > 0 && out.level < 1)) r.fail("design.level", "expected a level between 0 and 1");
  if (d.contains("calibration") && !d.at("calibration").is_null()) {
    const Json& c = r.object(d, p, "calibration");
    const std::string cp = "design.calibration";
    CalibrationSummary cal;
    cal.method = r.text(c, cp, "method");
    if (c.contains("margins") && c.at("margins").is_object()) {
      cal.margins_file = r.text(c.at("margins"), cp + ".margins", "file", false);
      cal.margins_sha256 = r.text(c.at("margins"), cp + ".margins", "sha256", false);
    } else if (c.contains("margins") && !c.at("margins").is_null()) {
      r.fail(cp + ".margins", "expected an object {file, sha256}");
    }
    cal.iterations = r.number(c, cp, "iterations", false);
    cal.weight_min = r.number(c, cp, "weight_min", false);
    cal.weight_max = r.number(c, cp, "weight_max", false);
    cal.g_min = r.number(c, cp, "g_min", false);
    cal.g_max = r.number(c, cp, "g_max", false);
    cal.max_margin_error = r.number(c, cp, "max_margin_error", false);
    if (c.contains("bounds") && !c.at("bounds").is_null()) {
      const Json& b = c.at("bounds");
      if (!b.is_array() || b.size() != 2 || !b[0].is_number() || !b[1].is_number())
        r.fail(cp + ".bounds", "expected [low, high]");
      cal.bounds = std::make_pair(b[0].get<double>(), b[1].get<double>());
    }
    out.calibration = std::move(cal);
  }
  if (d.contains("replicates") && !d.at("replicates").is_null()) {
    const Json& rep = r.object(d, p, "replicates");
    const std::string rp = "design.replicates";
    ReplicateSummary s;
    s.type = r.text(rep, rp, "type");
    s.columns = r.text(rep, rp, "columns", false);
    s.replicates = r.number(rep, rp, "replicates", false);
    s.scale = r.number(rep, rp, "scale", false);
    s.mse = r.flag(rep, rp, "mse");
    out.replicates = std::move(s);
  }
  if (d.contains("publishing_rule") && !d.at("publishing_rule").is_null()) {
    const Json& rule = r.object(d, p, "publishing_rule");
    const std::string rp = "design.publishing_rule";
    PublishingRuleSummary s;
    s.name = r.text(rule, rp, "name");
    s.file = r.text(rule, rp, "file", false);
    s.sha256 = r.text(rule, rp, "sha256", false);
    if (rule.contains("source") && rule.at("source").is_object()) {
      s.source.vi = r.text(rule.at("source"), rp + ".source", "vi", false);
      s.source.en = r.text(rule.at("source"), rp + ".source", "en", false);
    } else {
      s.source.vi = s.source.en = r.text(rule, rp, "source", false);
    }
    s.example = r.flag(rule, rp, "example");
    s.min_n = r.number(rule, rp, "min_n", false);
    s.min_n_eff = r.number(rule, rp, "min_n_eff", false);
    s.caution_cv = r.number(rule, rp, "caution_cv", false);
    s.suppress_cv = r.number(rule, rp, "suppress_cv", false);
    out.publishing_rule = std::move(s);
  }
  if (d.contains("nonresponse") && !d.at("nonresponse").is_null()) {
    const Json& n = r.object(d, p, "nonresponse");
    const std::string np = "design.nonresponse";
    NonresponseDesignSummary s;
    s.weights_file = r.text(n, np, "weights_file", false);
    s.sha256 = r.text(n, np, "sha256", false);
    s.class_column = r.text(n, np, "class_column", false);
    if (n.contains("classes") && !n.at("classes").is_null())
      s.classes = static_cast<double>(r.count(n, np, "classes"));
    s.calibrated = r.flag(n, np, "calibrated");
    out.nonresponse = std::move(s);
  }
  if (d.contains("inputs") && !d.at("inputs").is_null()) {
    const Json& inputs = r.object(d, p, "inputs");
    for (const auto& [role, v] : inputs.items()) {
      const std::string ip = "design.inputs." + role;
      if (!v.is_object()) r.fail(ip, "expected an object {file, sha256}");
      out.inputs.push_back({role, r.text(v, ip, "file", false), r.text(v, ip, "sha256", false),
                            r.text(v, ip, "id", false), r.text(v, ip, "version", false, true)});
    }
  }
  return out;
}

ResultEstimate read_estimate(const Reader& r, const Json& e, const std::string& p) {
  if (!e.is_object()) r.fail(p, "expected an object");
  ResultEstimate out;
  out.statistic = r.text(e, p, "statistic");
  out.variable = r.text(e, p, "variable");
  if (e.contains("domain") && !e.at("domain").is_null()) {
    const Json& d = e.at("domain");
    const std::string dp = Reader::join(p, "domain");
    if (d.is_object()) {
      // What sipas analyze writes: {"column": "level"}.
      for (const auto& [column, level] : d.items())
        out.domain.emplace_back(column, r.text_of(level, dp + "." + column, true));
    } else if (d.is_array()) {
      // [[column, level], ...]
      for (std::size_t i = 0; i < d.size(); ++i) {
        const Json& pair = d[i];
        if (!pair.is_array() || pair.size() != 2)
          r.fail(Reader::index(dp, i), "expected [column, level]");
        out.domain.emplace_back(r.text_of(pair[0], Reader::index(dp, i) + "[0]"),
                                r.text_of(pair[1], Reader::index(dp, i) + "[1]", true));
      }
    } else {
      r.fail(dp, "expected an object {column: level} or null");
    }
  }
  out.estimate = r.number(e, p, "estimate");
  out.se = r.number(e, p, "se", false);
  out.ci_low = r.number(e, p, "ci_low", false);
  out.ci_high = r.number(e, p, "ci_high", false);
  out.df = r.number(e, p, "df", false);
  out.n = r.number(e, p, "n", false);
  out.weighted_n = r.number(e, p, "weighted_n", false);
  out.deff = r.number(e, p, "deff", false);
  out.ci_method = r.text(e, p, "ci_method", false);
  out.n_eff = r.number(e, p, "n_eff", false);
  out.cv = r.number(e, p, "cv", false);
  out.ci_width = r.number(e, p, "ci_width", false);
  out.flag = r.text(e, p, "flag", false);
  out.flag_reason = r.text(e, p, "flag_reason", false);
  if (!out.flag.empty() && out.flag != "ok" && out.flag != "caution" && out.flag != "suppressed")
    r.fail(p + ".flag", "expected ok, caution or suppressed");
  if (std::isfinite(out.ci_low) && std::isfinite(out.ci_high) && out.ci_low > out.ci_high)
    r.fail(p, "ci_low is above ci_high");
  return out;
}

ScaleSummary read_scale(const Reader& r, const Json& s, const std::string& p) {
  if (!s.is_object()) r.fail(p, "expected an object");
  ScaleSummary out;
  out.name = r.text(s, p, "name");
  out.source = r.text(s, p, "source", false);
  out.items = r.texts(s, p, "items");
  out.no_variance = r.texts(s, p, "no_variance");
  out.alpha = r.number(s, p, "alpha");
  out.std_alpha = r.number(s, p, "std_alpha", false);
  out.alpha_weighted = r.number(s, p, "alpha_weighted", false);
  // A number (or null) per item, in the order of "items".
  auto per_item = [&](const char* key) {
    std::vector<double> values(out.items.size(), absent);
    if (!s.contains(key) || s.at(key).is_null()) return values;
    const Json& v = s.at(key);
    const std::string kp = Reader::join(p, key);
    if (!v.is_array() || v.size() != out.items.size())
      r.fail(kp, "expected an array of " + std::to_string(out.items.size()) + " numbers or nulls");
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i].is_null()) continue;
      if (!v[i].is_number()) r.fail(Reader::index(kp, i), "expected a number or null");
      values[i] = v[i].get<double>();
    }
    return values;
  };
  out.item_rest = per_item("item_rest");
  out.alpha_if_dropped = per_item("alpha_if_dropped");
  out.dont_know_share = per_item("dont_know_share");
  out.missing_share = per_item("missing_share");
  return out;
}

FieldworkRow read_fieldwork(const Reader& r, const Json& row, const std::string& p, bool stratum) {
  if (!row.is_object()) r.fail(p, "expected an object");
  FieldworkRow out;
  if (stratum) out.stratum = r.text(row, p, "stratum", true, true);
  out.invited = r.count(row, p, "invited");
  out.opened = r.count(row, p, "opened");
  out.responded = r.count(row, p, "responded");
  out.response_rate = r.number(row, p, "response_rate");
  out.open_rate = r.number(row, p, "open_rate", false);
  if (stratum) out.reserves_waiting = r.count(row, p, "reserves_waiting", false);
  if (out.responded > out.invited) r.fail(Reader::join(p, "responded"), "more than invited");
  for (const auto& [key, v] :
       {std::pair{"response_rate", out.response_rate}, std::pair{"open_rate", out.open_rate}}) {
    if (std::isfinite(v) && (v < 0 || v > 1))
      r.fail(Reader::join(p, key), "expected a rate from 0 to 1");
  }
  return out;
}

}  // namespace

ResultsFile parse_results(std::string_view json, const std::string& source) {
  Reader r(source);
  const Json doc = r.parse(json);
  require_object(r, doc);
  ResultsFile out;
  out.source = source;
  out.design = read_design(r, r.object(doc, "", "design"));
  const Json& estimates = r.array(doc, "", "estimates");
  out.estimates.reserve(estimates.size());
  for (std::size_t i = 0; i < estimates.size(); ++i)
    out.estimates.push_back(read_estimate(r, estimates[i], Reader::index("estimates", i)));
  if (doc.contains("scales") && !doc.at("scales").is_null()) {
    const Json& scales = r.array(doc, "", "scales");
    for (std::size_t i = 0; i < scales.size(); ++i)
      out.scales.push_back(read_scale(r, scales[i], Reader::index("scales", i)));
  }
  return out;
}

ResultsFile load_results(const std::filesystem::path& path) {
  return parse_results(read_input(path), display_name(path));
}

ParIndexResult parse_par_index(std::string_view json, const std::string& source) {
  constexpr const char* format = "sipas-par-index-result/1";
  Reader r(source);
  const Json doc = r.parse(json);
  require_object(r, doc);
  if (r.text(doc, "", "format") != format)
    throw ReportError("report.invalid_format",
                      source + ": format: expected \"" + std::string(format) + "\"");
  ParIndexResult out;
  out.source = source;
  const Json& scheme = r.object(doc, "", "scheme");
  out.scheme_id = r.text(scheme, "scheme", "id", true, true);
  out.decision = r.text(scheme, "scheme", "decision", false, true);
  out.year = r.text(scheme, "scheme", "year", false, true);
  out.level = r.text(scheme, "scheme", "level", false, true);
  out.title = r.bilingual(scheme, "scheme", "title", false);
  out.survey_max = r.number(scheme, "scheme", "survey_max", false);
  const Json& thresholds = r.array(doc, "", "thresholds");
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    const std::string p = Reader::index("thresholds", i);
    if (!thresholds[i].is_object()) r.fail(p, "expected an object {group, min}");
    out.thresholds.push_back(
        {r.text(thresholds[i], p, "group"), r.number(thresholds[i], p, "min")});
  }
  if (doc.contains("precision")) {
    const std::int64_t precision = r.count(doc, "", "precision");
    if (precision > 6) r.fail("precision", "expected 0 to 6 decimals");
    out.precision = static_cast<int>(precision);
  }
  const Json& nodes = r.array(doc, "", "nodes");
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const std::string p = Reader::index("nodes", i);
    const Json& n = nodes[i];
    if (!n.is_object()) r.fail(p, "expected an object");
    ParNode node;
    node.id = r.text(n, p, "id", true, true);
    node.parent = r.text(n, p, "parent", false, true);
    node.depth = static_cast<int>(r.count(n, p, "depth", false));
    node.label = r.bilingual(n, p, "label", false);
    if (node.label.vi.empty()) node.label = {node.id, node.id};
    node.max_points = r.number(n, p, "max_points", false);
    node.method = r.text(n, p, "method", false);
    out.nodes.push_back(std::move(node));
  }
  const Json& units = r.array(doc, "", "units");
  for (std::size_t i = 0; i < units.size(); ++i) {
    const std::string p = Reader::index("units", i);
    const Json& u = units[i];
    if (!u.is_object()) r.fail(p, "expected an object");
    ParUnit unit;
    unit.unit = r.text(u, p, "unit", true, true);
    unit.name = r.text(u, p, "name", false);
    unit.ranked = !u.contains("ranked") || u.at("ranked").is_null() ? true : r.flag(u, p, "ranked");
    unit.points = r.number(u, p, "points");
    unit.max_points = r.number(u, p, "max_points");
    unit.index = r.number(u, p, "index");
    if (u.contains("rank") && !u.at("rank").is_null()) {
      const std::int64_t rank = r.count(u, p, "rank");
      if (rank < 1) r.fail(Reader::join(p, "rank"), "expected a rank from 1, or null");
      unit.rank = static_cast<int>(rank);
    }
    if (u.contains("group") && !u.at("group").is_null()) unit.group = r.text(u, p, "group");
    unit.rescaled = r.flag(u, p, "rescaled");
    unit.survey_missing = r.texts(u, p, "survey_missing");
    if (u.contains("nodes") && !u.at("nodes").is_null()) {
      const Json& un = r.object(u, p, "nodes");
      for (const auto& [id, v] : un.items()) {
        const std::string np = Reader::join(p, "nodes") + "." + id;
        if (!v.is_object()) r.fail(np, "expected an object {points, max_points, index}");
        unit.nodes[id] = {r.number(v, np, "points", false), r.number(v, np, "max_points", false),
                          r.number(v, np, "index", false)};
      }
    }
    out.units.push_back(std::move(unit));
  }
  return out;
}

ParIndexResult load_par_index(const std::filesystem::path& path) {
  return parse_par_index(read_input(path), display_name(path));
}

FieldworkProgress parse_progress(std::string_view json, const std::string& source) {
  Reader r(source);
  const Json doc = r.parse(json);
  require_object(r, doc);
  FieldworkProgress out;
  out.source = source;
  out.survey = r.text(doc, "", "survey", false, true);
  const Json& overall = r.object(doc, "", "overall");
  out.overall = read_fieldwork(r, overall, "overall", false);
  out.open_link_responses = r.count(overall, "overall", "open_link_responses", false);
  const Json& strata = r.array(doc, "", "strata");
  for (std::size_t i = 0; i < strata.size(); ++i)
    out.strata.push_back(read_fieldwork(r, strata[i], Reader::index("strata", i), true));
  return out;
}

FieldworkProgress load_progress(const std::filesystem::path& path) {
  return parse_progress(read_input(path), display_name(path));
}

}  // namespace sipas::reports
