#include "analysis/year_on_year.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "analysis/compare.hpp"
#include "analysis/error.hpp"
#include "analysis/intervals.hpp"
#include "io/csv_reader.hpp"
#include "io/file.hpp"
#include "io/sha256.hpp"

namespace sipas::analysis {
namespace {

using Json = nlohmann::json;

// A results file holds one estimate per statistic, variable and domain; a
// provincial run is a few MB.
constexpr std::size_t max_results_bytes = std::size_t{256} << 20;

[[noreturn]] void fail(const std::string& id, const std::string& message) {
  throw AnalysisError(id, message);
}

double number_at(const Json& e, const char* key) {
  if (!e.contains(key) || e[key].is_null()) return not_available;
  return e[key].get<double>();
}

bool leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// YYYY-MM-DD, a day of the calendar.
bool is_date(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t k : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[k] < '0' || text[k] > '9') return false;
  }
  const int year = std::stoi(text.substr(0, 4));
  const int month = std::stoi(text.substr(5, 2));
  const int day = std::stoi(text.substr(8, 2));
  constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= days[month - 1] + (month == 2 && leap(year) ? 1 : 0);
}

}  // namespace

const UnitValue* ResultsUnits::find(const std::string& unit) const {
  for (const auto& u : units) {
    if (u.unit == unit) return &u;
  }
  return nullptr;
}

ResultsUnits read_results_units(const std::filesystem::path& path, const std::string& statistic,
                                const std::string& variable, const std::string& by) {
  const std::string source = path.filename().string();
  const std::string text = io::read_file(path, max_results_bytes);
  io::Sha256 hash;
  hash.update(text);
  ResultsUnits out{source, hash.hex_digest(), {}};
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::exception& e) {
    // (a number past a double's range, 1e400, is an out_of_range, not a parse_error)
    const std::string what = e.what();
    fail("compare.invalid_results",
         source + ": not valid JSON (" + what.substr(what.find(']') + 2) + ")");
  }
  if (!doc.is_object() || !doc.contains("estimates") || !doc["estimates"].is_array()) {
    fail("compare.invalid_results",
         source + ": no \"estimates\" array (is it a results file of sipas analyze?)");
  }
  std::set<std::string> held;  // what the file has by one column, for the message
  const Json& estimates = doc["estimates"];
  for (std::size_t i = 0; i < estimates.size(); ++i) {
    const Json& e = estimates[i];
    const std::string where = source + ": estimates[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("statistic") || !e["statistic"].is_string() ||
        !e.contains("variable") || !e["variable"].is_string()) {
      fail("compare.invalid_results", where + ": needs a statistic and a variable");
    }
    const Json domain = e.contains("domain") ? e["domain"] : Json(nullptr);
    if (!domain.is_object() || domain.size() != 1 || !domain.begin().value().is_string()) continue;
    const std::string column = domain.begin().key();
    held.insert(e["statistic"].get<std::string>() + " of " + e["variable"].get<std::string>() +
                " by " + column);
    if (e["statistic"] != statistic || e["variable"] != variable || column != by) continue;
    for (const char* key : {"estimate", "se", "n", "weighted_n"}) {
      if (e.contains(key) && !e[key].is_null() && !e[key].is_number())
        fail("compare.invalid_results", where + ": " + key + " must be a number or null");
    }
    UnitValue u;
    u.unit = domain.begin().value().get<std::string>();
    u.estimate = number_at(e, "estimate");
    u.se = number_at(e, "se");
    const double n = number_at(e, "n");
    u.n = std::isnan(n) ? 0 : n;
    u.weighted_n = number_at(e, "weighted_n");
    if (out.find(u.unit))
      fail("compare.invalid_results", where + ": a second estimate for unit '" + u.unit + "'");
    out.units.push_back(std::move(u));
  }
  if (out.units.empty()) {
    std::string list;
    for (const auto& h : held)
      list += (list.empty() ? "" : "; ") + h;
    fail("compare.no_estimates",
         source + ": no " + statistic + " of " + variable + " by " + by +
             " (the file has: " + (list.empty() ? "none by one column" : list) + ")");
  }
  return out;
}

std::vector<const UnitMapLine*> UnitMap::parts_of(const std::string& new_unit) const {
  std::vector<const UnitMapLine*> out;
  for (const auto& l : lines) {
    if (l.new_unit == new_unit) out.push_back(&l);
  }
  return out;
}

std::vector<std::string> UnitMap::new_units_of(const std::string& old_unit) const {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    if (l.old_unit == old_unit) out.push_back(l.new_unit);
  }
  return out;
}

UnitMap load_unit_map(const std::filesystem::path& path) {
  io::CsvReader reader(path);
  const std::size_t old_col = reader.require_column("old_unit");
  const std::size_t new_col = reader.require_column("new_unit");
  const std::size_t date_col = reader.require_column("date");
  UnitMap map;
  map.file = reader.source();
  std::set<std::pair<std::string, std::string>> seen;
  while (reader.next()) {
    UnitMapLine l{std::string(reader.field(old_col)), std::string(reader.field(new_col)),
                  std::string(reader.field(date_col)), reader.line()};
    const std::initializer_list<std::pair<const char*, const std::string*>> fields = {
        {"old_unit", &l.old_unit}, {"new_unit", &l.new_unit}, {"date", &l.date}};
    for (const auto& [column, value] : fields) {
      if (value->empty()) {
        fail("unit_map.empty_field",
             reader.where() + ": column '" + column + "' is empty (every line names the old " +
                 "unit, the new unit and the date of the change; an unchanged unit is listed " +
                 "with old = new)");
      }
    }
    if (!is_date(l.date)) {
      fail("unit_map.invalid_date", reader.where() + ": column 'date' is '" + l.date +
                                        "', not a date written YYYY-MM-DD (e.g. 2025-07-01)");
    }
    if (!seen.emplace(l.old_unit, l.new_unit).second) {
      fail("unit_map.duplicate_line",
           reader.where() + ": '" + l.old_unit + "' to '" + l.new_unit + "' is listed twice");
    }
    map.lines.push_back(std::move(l));
  }
  map.sha256 = reader.sha256();
  if (map.lines.empty()) fail("unit_map.empty", map.file + ": no line below the header");
  return map;
}

void check_old_units(const UnitMap& map, const std::set<std::string>& known,
                     const std::string& known_from) {
  for (const auto& l : map.lines) {
    if (!known.contains(l.old_unit)) {
      fail("unit_map.unknown_unit", map.file + ":" + std::to_string(l.line) +
                                        ": column 'old_unit': '" + l.old_unit +
                                        "' is no unit of last year (" + known_from + ")");
    }
  }
}

std::map<std::string, std::string> old_to_new(const UnitMap* map,
                                              const std::vector<std::string>& old_units) {
  std::map<std::string, std::string> out;
  for (const auto& unit : old_units) {
    if (!map) {
      out[unit] = unit;
      continue;
    }
    const auto to = map->new_units_of(unit);
    if (to.size() == 1) out[unit] = to.front();
  }
  return out;
}

std::vector<YearOnYear> year_on_year(const std::vector<UnitValue>& this_year, const LastYear& last,
                                     double level, Adjustment adjustment) {
  const double z = t_quantile(1 - (1 - level) / 2, not_available);
  std::vector<YearOnYear> out;
  for (const auto& u : this_year) {
    YearOnYear y;
    y.unit = u.unit;
    y.this_year = u.estimate;
    y.this_se = u.se;
    y.n_this = u.n;
    // The old units this unit's territory was: what the map says, never a
    // namesake; without a map, the unit itself.
    std::vector<PastPart> parts;
    if (last.map) {
      for (const UnitMapLine* l : last.map->parts_of(u.unit))
        parts.push_back({l->old_unit, l->date});
    } else {
      parts.push_back({u.unit, ""});
    }
    const bool unchanged = parts.size() == 1 && parts.front().unit == u.unit;
    if (parts.empty()) {
      y.note =
          "not in the unit map as a new unit: no comparable past (a unit of that name last "
          "year is not compared)";
    }
    for (const auto& part : parts) {
      if (!last.map) break;
      const auto to = last.map->new_units_of(part.unit);
      if (to.size() > 1) {
        std::string list;
        for (const auto& t : to)
          list += (list.empty() ? "" : ", ") + t;
        y.note = "old unit '" + part.unit + "' was split (into " + list +
                 "): its estimate covers more than this unit";
        parts.clear();
        break;
      }
    }
    const bool in_data = std::all_of(parts.begin(), parts.end(), [&](const PastPart& part) {
      return last.data_units.contains(part.unit);
    });
    if (!parts.empty() && last.mapped && in_data) {
      // (a) from last year's answers: the unit as a domain of the old design.
      if (auto it = last.mapped->find(u.unit);
          it != last.mapped->end() && std::isfinite(it->second.estimate)) {
        y.past = unchanged ? "same" : "mapped";
        y.source = "data";
        y.last_year = it->second.estimate;
        y.last_se = it->second.se;
        y.from = parts;
      }
    }
    if (y.past == "none" && !parts.empty() && last.results) {
      // (b) the old units' estimates combined with their estimated counts.
      bool complete = true, counted = true;
      for (auto& part : parts) {
        const UnitValue* old = last.results->find(part.unit);
        if (!old || !std::isfinite(old->estimate) || !std::isfinite(old->se)) {
          y.note = "no estimate for old unit '" + part.unit + "' in " + last.results->file;
          complete = false;
          break;
        }
        part.estimate = old->estimate;
        part.se = old->se;
        part.weighted_n = old->weighted_n;
        counted = counted && std::isfinite(old->weighted_n) && old->weighted_n > 0;
      }
      if (complete) {
        double total = 0;
        for (const auto& part : parts)
          total += counted ? part.weighted_n : 1;
        double estimate = 0, variance = 0;
        for (auto& part : parts) {
          part.weight = (counted ? part.weighted_n : 1) / total;
          estimate += part.weight * part.estimate;
          variance += part.weight * part.weight * part.se * part.se;
        }
        y.past = unchanged ? "same" : "combined";
        y.source = "results";
        y.weights = counted ? "weighted_n" : "equal";
        y.last_year = estimate;
        y.last_se = std::sqrt(variance);
        y.from = parts;
      }
    }
    if (y.past == "none" && y.note.empty() && !parts.empty())
      y.note = "no estimate for the unit last year";
    if (y.past != "none") {
      y.note.clear();
      y.difference = y.this_year - y.last_year;
      // Independent samples: the variances add; a normal reference.
      y.se = std::sqrt(y.this_se * y.this_se + y.last_se * y.last_se);
      y.ci_low = y.difference - z * y.se;
      y.ci_high = y.difference + z * y.se;
      y.p = two_sided_p(y.difference, y.se, not_available);
    }
    out.push_back(std::move(y));
  }
  std::vector<double> p;
  for (const auto& y : out)
    p.push_back(y.p);
  const auto adjusted = adjust_p(p, adjustment);
  for (std::size_t k = 0; k < out.size(); ++k) {
    YearOnYear& y = out[k];
    y.p_adjusted = adjusted[k];
    y.significant = y.p_adjusted < 1 - level;
    y.direction = !y.significant ? "none" : (y.difference > 0 ? "above" : "below");
  }
  return out;
}

}  // namespace sipas::analysis
