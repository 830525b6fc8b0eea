// The inputs of `sipas index`: units.csv, appraisal.csv and the results files
// of `sipas analyze` that carry the survey and SIPAS values.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "analysis/error.hpp"
#include "analysis/par_index.hpp"
#include "io/csv_reader.hpp"
#include "io/file.hpp"
#include "io/number_text.hpp"
#include "io/sha256.hpp"

namespace sipas::analysis {
namespace {

using Json = nlohmann::json;

// Results files hold one estimate per statistic, variable and domain; a
// provincial run is a few MB.
constexpr std::size_t max_results_bytes = std::size_t{256} << 20;
// Points written by hand or summed from decimals may pass a maximum by
// rounding only.
constexpr double points_tolerance = 1e-9;
constexpr double percent = 100;

std::string trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return std::string(text);
}

std::string lower(std::string text) {
  for (char& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::optional<double> parse_number(const std::string& text) {
  double x = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(x))
    return std::nullopt;
  return x;
}

[[noreturn]] void fail(const std::string& id, const std::string& message) {
  throw AnalysisError(id, message);
}

}  // namespace

std::vector<IndexUnit> load_units(const std::filesystem::path& path, InputRecord* record) {
  io::CsvReader reader(path);
  const std::size_t unit_col = reader.require_column("unit");
  const std::size_t name_col = reader.require_column("name");
  const std::optional<std::size_t> ranked_col = reader.column("ranked");
  std::vector<IndexUnit> units;
  std::set<std::string> seen;
  while (reader.next()) {
    IndexUnit u;
    u.id = std::string(reader.field(unit_col));
    if (u.id.empty()) fail("index.empty_field", reader.where() + ": unit is empty");
    if (!seen.insert(u.id).second)
      fail("index.duplicate_unit", reader.where() + ": unit '" + u.id + "' appears twice");
    u.name = std::string(reader.field(name_col));
    if (u.name.empty()) u.name = u.id;
    if (ranked_col) {
      const std::string ranked = lower(trimmed(reader.field(*ranked_col)));
      if (ranked == "no" || ranked == "false" || ranked == "0") {
        u.ranked = false;
      } else if (!(ranked.empty() || ranked == "yes" || ranked == "true" || ranked == "1")) {
        fail("index.invalid_ranked", reader.where() + ": ranked must be yes or no, not '" +
                                         std::string(reader.field(*ranked_col)) + "'");
      }
    }
    units.push_back(std::move(u));
  }
  if (record) *record = {path.string(), reader.sha256()};
  return units;
}

Appraisal load_appraisal(const std::filesystem::path& path, const IndexScheme& scheme,
                         const std::vector<IndexUnit>* units, InputRecord* record) {
  io::CsvReader reader(path);
  const std::size_t unit_col = reader.require_column("unit");
  const std::size_t criterion_col = reader.require_column("criterion");
  const std::size_t points_col = reader.require_column("points");
  std::set<std::string> known;
  if (units) {
    for (const auto& u : *units)
      known.insert(u.id);
  }
  Appraisal a;
  std::set<std::string> seen_units;
  std::map<std::pair<std::string, std::string>, std::string> first_line;
  while (reader.next()) {
    const std::string where = reader.where();
    const std::string unit(reader.field(unit_col));
    const std::string criterion(reader.field(criterion_col));
    if (unit.empty()) fail("index.empty_field", where + ": unit is empty");
    if (criterion.empty()) fail("index.empty_field", where + ": criterion is empty");
    if (units && !known.contains(unit)) {
      fail("index.unknown_unit", where + ": unit '" + unit + "' is not in the units file");
    }
    const IndexNode* node = scheme.find(criterion);
    if (!node) {
      fail("index.unknown_criterion",
           where + ": criterion '" + criterion + "' is not in scheme '" + scheme.id + "'");
    }
    if (node->method != IndexNode::Method::Appraised) {
      const std::string why =
          node->method == IndexNode::Method::None
              ? "it has sub-criteria; give the points of its appraised leaves"
              : "it is a " + to_string(node->method) + " leaf, whose points come from `survey`";
      fail("index.not_appraised",
           where + ": criterion '" + criterion + "' is not an appraised leaf (" + why + ")");
    }
    const std::string text = trimmed(reader.field(points_col));
    std::optional<double> points;
    if (!text.empty() && lower(text) != "n/a") {
      points = parse_number(text);
      if (!points) {
        fail("index.invalid_points",
             where + ": points '" + text + "' is not a number (write n/a when it does not apply)");
      }
      if (*points < 0 || *points > node->max_points + points_tolerance) {
        fail("index.points_out_of_range", where + ": points " + text + " for '" + criterion +
                                              "' must be between 0 and its maximum " +
                                              io::shortest_decimal(node->max_points));
      }
    }
    auto key = std::make_pair(unit, criterion);
    if (auto [it, fresh] = first_line.emplace(key, where); !fresh) {
      fail("index.duplicate_row", where + ": unit '" + unit + "', criterion '" + criterion +
                                      "' appears twice (first at " + it->second + ")");
    }
    a.points[key] = points;
    if (seen_units.insert(unit).second) a.units.push_back(unit);
  }
  if (record) *record = {path.string(), reader.sha256()};
  // Every unit needs every appraised leaf, even when only to say n/a: a
  // forgotten row must not pass as "does not apply".
  const std::vector<std::string>* ids = &a.units;
  std::vector<std::string> listed;
  if (units) {
    for (const auto& u : *units)
      listed.push_back(u.id);
    ids = &listed;
  }
  for (const auto& unit : *ids) {
    for (const auto& n : scheme.nodes) {
      if (n.method == IndexNode::Method::Appraised && !a.points.contains({unit, n.id})) {
        fail("index.missing_appraisal", reader.source() + ": unit '" + unit +
                                            "' has no row for appraised criterion '" + n.id +
                                            "' (write n/a in points when it does not apply)");
      }
    }
  }
  return a;
}

namespace {

// The single (column, level) of an estimate's domain, if it has exactly one.
std::optional<std::pair<std::string, std::string>> single_domain(const Json& domain) {
  if (domain.is_object() && domain.size() == 1 && domain.begin().value().is_string())
    return std::make_pair(domain.begin().key(), domain.begin().value().get<std::string>());
  // Also [[column, level]], the form an estimate's domain has in memory.
  if (domain.is_array() && domain.size() == 1 && domain[0].is_array() && domain[0].size() == 2 &&
      domain[0][0].is_string() && domain[0][1].is_string())
    return std::make_pair(domain[0][0].get<std::string>(), domain[0][1].get<std::string>());
  return std::nullopt;
}

}  // namespace

SurveyPoints load_survey_points(const std::vector<std::filesystem::path>& paths,
                                const IndexScheme& scheme, const std::vector<IndexUnit>& units,
                                const std::string& units_source) {
  std::set<std::string> known;
  for (const auto& u : units)
    known.insert(u.id);
  std::vector<const IndexNode*> sipas_leaves;
  for (const auto& n : scheme.nodes) {
    if (n.method == IndexNode::Method::Sipas) sipas_leaves.push_back(&n);
  }
  SurveyPoints out;
  std::map<std::pair<std::string, std::string>, std::string> found_in;
  for (const auto& path : paths) {
    const std::string source = path.filename().string();
    const std::string text = io::read_file(path, max_results_bytes);
    io::Sha256 hash;
    hash.update(text);
    out.files.push_back({path.string(), hash.hex_digest()});
    Json doc;
    try {
      doc = Json::parse(text);
    } catch (const Json::parse_error& e) {
      fail("index.invalid_survey",
           source + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
    } catch (const Json::out_of_range& e) {
      // A number past a double's range (1e400) is not a parse_error.
      const std::string what = e.what();
      fail("index.invalid_survey",
           source + ": not valid JSON (" + what.substr(what.find(']') + 2) + ")");
    }
    if (!doc.is_object() || !doc.contains("estimates") || !doc["estimates"].is_array()) {
      fail("index.invalid_survey",
           source + ": no \"estimates\" array (is it a results file of sipas analyze?)");
    }
    const Json& estimates = doc["estimates"];
    for (std::size_t i = 0; i < estimates.size(); ++i) {
      const Json& e = estimates[i];
      const std::string where = source + ": estimates[" + std::to_string(i) + "]";
      if (!e.is_object() || !e.contains("statistic") || !e["statistic"].is_string() ||
          !e.contains("variable") || !e["variable"].is_string()) {
        fail("index.invalid_survey", where + ": needs a statistic and a variable");
      }
      const std::string statistic = e["statistic"].get<std::string>();
      const std::string variable = e["variable"].get<std::string>();
      const Json domain = e.contains("domain") ? e["domain"] : Json(nullptr);
      const Json value = e.contains("estimate") ? e["estimate"] : Json(nullptr);
      if (!value.is_null() && !value.is_number())
        fail("index.invalid_survey", where + ": estimate must be a number or null");
      auto record = [&](const IndexNode& leaf, const std::string& unit, double points,
                        const std::string& what) {
        if (points < -points_tolerance || points > leaf.max_points + points_tolerance) {
          fail("index.survey_out_of_range", where + ": " + what + " for unit '" + unit +
                                                "' gives " + io::shortest_decimal(points) +
                                                " points, outside 0 to the leaf's maximum " +
                                                io::shortest_decimal(leaf.max_points));
        }
        auto key = std::make_pair(leaf.id, unit);
        if (auto [it, fresh] = found_in.emplace(key, where); !fresh) {
          fail("index.duplicate_survey", where + ": a second value of leaf '" + leaf.id +
                                             "' for unit '" + unit + "' (first at " + it->second +
                                             ")");
        }
        out.points[key] = std::clamp(points, 0.0, leaf.max_points);
      };
      if (statistic == "par_points") {
        const IndexNode* leaf = scheme.find(variable);
        if (!leaf || leaf->method != IndexNode::Method::Survey) {
          fail("index.unknown_criterion", where + ": par_points of '" + variable +
                                              "', which is not a survey leaf of scheme '" +
                                              scheme.id + "'");
        }
        auto d = single_domain(domain);
        if (!d || d->first != scheme.survey.unit_column) {
          fail("index.invalid_survey", where + ": par_points need the domain {\"" +
                                           scheme.survey.unit_column + "\": unit}");
        }
        if (!known.contains(d->second)) {
          fail("index.unknown_unit",
               source + ": unit '" + d->second + "' is not in " + units_source);
        }
        if (value.is_null()) continue;  // no answers about the unit
        record(*leaf, d->second, value.get<double>(), "par_points of '" + variable + "'");
        continue;
      }
      for (const IndexNode* leaf : sipas_leaves) {
        if (statistic != leaf->statistic || variable != leaf->variable) continue;
        auto d = single_domain(domain);
        if (!d) continue;
        const auto& columns = leaf->domain_columns;
        if (!columns.empty()) {
          if (std::find(columns.begin(), columns.end(), d->first) == columns.end()) continue;
          if (!known.contains(d->second)) {
            fail("index.unknown_unit",
                 source + ": unit '" + d->second + "' is not in " + units_source);
          }
        } else if (!known.contains(d->second)) {
          continue;  // a domain of some other column (a stratum, a sex)
        }
        if (value.is_null()) continue;
        const double share = value.get<double>();
        if (share < -points_tolerance || share > percent + points_tolerance) {
          fail("index.survey_out_of_range", where + ": " + statistic + " " +
                                                io::shortest_decimal(share) + " for unit '" +
                                                d->second + "' is not a percentage");
        }
        record(*leaf, d->second, leaf->max_points * share / percent, statistic);
      }
    }
  }
  return out;
}

}  // namespace sipas::analysis
