#include "analysis/par_points.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "analysis/error.hpp"
#include "analysis/intervals.hpp"
#include "analysis/par_index_scheme.hpp"
#include "io/file.hpp"

namespace sipas::analysis {
namespace {

using Json = nlohmann::json;

constexpr std::size_t max_scheme_bytes = 4 << 20;
constexpr double rank_precision = 100;  // ranks compare points at 2 decimals, as published

[[noreturn]] void fail(const std::string& source, const std::string& path,
                       const std::string& message) {
  throw AnalysisError("scheme.invalid", source + ": " + path + ": " + message);
}

std::string code_text(const Json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

SchemePath SchemePath::field(const std::string& name) const {
  if (pointer_) return SchemePath(true, path_ + "/" + name);
  return SchemePath(false, path_.empty() ? name : path_ + "." + name);
}

std::string SchemePath::str() const {
  return pointer_ && path_.empty() ? "/" : path_;
}

void parse_survey_settings(const Json& block, const SchemePath& at, const std::string& source,
                           ParScheme& s) {
  auto text = [&](const char* key, std::string& out) {
    if (!block.contains(key)) return;
    const Json& v = block[key];
    if (!v.is_string() || v.get<std::string>().empty())
      fail(source, at.field(key).str(), "must be a column name");
    out = v.get<std::string>();
  };
  text("unit_column", s.unit_column);
  text("group_column", s.group_column);
  if (block.contains("group_weights")) {
    const SchemePath weights = at.field("group_weights");
    if (!block["group_weights"].is_object()) fail(source, weights.str(), "must be {group: weight}");
    for (const auto& [group, w] : block["group_weights"].items()) {
      if (!w.is_number() || !std::isfinite(w.get<double>()) || w.get<double>() < 0)
        fail(source, weights.field(group).str(), "must be a number >= 0");
      s.group_weights[group] = w.get<double>();
    }
  }
  const SchemePath conversion = at.field("conversion");
  const Json c = block.contains("conversion") ? block["conversion"] : Json{{"method", "linear"}};
  if (!c.is_object()) fail(source, conversion.str(), "must be an object with a method");
  for (const auto& [key, value] : c.items()) {
    static const std::set<std::string> allowed = {"method", "low", "high", "codes", "table"};
    if (!allowed.contains(key)) fail(source, conversion.field(key).str(), "unknown field");
  }
  auto number = [&](const char* key, double fallback) {
    if (!c.contains(key)) return fallback;
    if (!c[key].is_number() || !std::isfinite(c[key].get<double>()))
      fail(source, conversion.field(key).str(), "must be a number");
    return c[key].get<double>();
  };
  const Json method_json = c.contains("method") ? c["method"] : Json("linear");
  const std::string method = method_json.is_string() ? method_json.get<std::string>() : "";
  if (method == "linear") {
    s.conversion.method = PointsConversion::Method::Linear;
    s.conversion.low = number("low", 1.0);
    s.conversion.high = number("high", 5.0);
    if (!(s.conversion.high > s.conversion.low))
      fail(source, conversion.str(), "linear needs low < high");
  } else if (method == "top_box") {
    s.conversion.method = PointsConversion::Method::TopBox;
    if (!c.contains("codes") || !c["codes"].is_array() || c["codes"].empty()) {
      fail(source, conversion.field("codes").str(), "top_box needs the codes that count");
    }
    for (const auto& code : c["codes"])
      s.conversion.codes.push_back(code_text(code));
  } else if (method == "table") {
    s.conversion.method = PointsConversion::Method::Table;
    if (!c.contains("table") || !c["table"].is_object() || c["table"].empty()) {
      fail(source, conversion.field("table").str(), "table needs {code: score}");
    }
    for (const auto& [code, score] : c["table"].items()) {
      if (!score.is_number() || score.get<double>() < 0 || score.get<double>() > 1) {
        fail(source, conversion.field("table").field(code).str(),
             "a score must be between 0 and 1");
      }
      s.conversion.table[code] = score.get<double>();
    }
  } else {
    fail(source, conversion.field("method").str(), "must be linear, top_box or table");
  }
  if (block.contains("excluded_codes")) {
    if (!block["excluded_codes"].is_array())
      fail(source, at.field("excluded_codes").str(), "must be an array of codes");
    for (const auto& code : block["excluded_codes"])
      s.conversion.excluded.push_back(code_text(code));
  }
}

ParScheme load_par_scheme(const std::filesystem::path& path) {
  return parse_par_scheme(io::read_file(path, max_scheme_bytes), path.filename().string());
}

ParScheme parse_par_scheme(const std::string& text, const std::string& source) {
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw AnalysisError("scheme.invalid",
                        source + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const Json::out_of_range& e) {
    // A number past a double's range (1e400) is not a parse_error.
    const std::string what = e.what();
    throw AnalysisError("scheme.invalid",
                        source + ": not valid JSON (" + what.substr(what.find(']') + 2) + ")");
  }
  if (!doc.is_object()) fail(source, "/", "a scheme must be a JSON object");
  if (doc.contains("format") && doc["format"] == index_scheme_format)
    return survey_part(parse_index_scheme(text, source));
  for (const auto& [key, value] : doc.items()) {
    static const std::set<std::string> allowed = {"format",        "unit_column", "group_column",
                                                  "group_weights", "conversion",  "excluded_codes",
                                                  "criteria"};
    if (!allowed.contains(key)) fail(source, "/" + key, "unknown field '" + key + "'");
  }
  if (!doc.contains("format") || doc["format"] != "sipas-par-survey/1")
    fail(source, "/format",
         "must be \"sipas-par-survey/1\" or \"" + std::string(index_scheme_format) + "\"");
  ParScheme s;
  parse_survey_settings(doc, SchemePath::pointer(), source, s);
  if (!doc.contains("criteria") || !doc["criteria"].is_array() || doc["criteria"].empty()) {
    fail(source, "/criteria", "must be a non-empty array");
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < doc["criteria"].size(); ++i) {
    const Json& v = doc["criteria"][i];
    const std::string path = "/criteria/" + std::to_string(i);
    if (!v.is_object() || !v.contains("id") || !v["id"].is_string())
      fail(source, path, "a criterion needs an id");
    Criterion cr;
    cr.id = v["id"].get<std::string>();
    if (!ids.insert(cr.id).second)
      fail(source, path + "/id", "criterion '" + cr.id + "' appears twice");
    if (v.contains("label")) {
      const Json& label = v["label"];
      if (label.is_string()) {
        cr.label = label.get<std::string>();
      } else if (label.is_object()) {
        const Json fallback = label.contains("vi") ? label["vi"] : Json("");
        const Json& chosen = label.contains("en") ? label["en"] : fallback;
        if (!chosen.is_string()) fail(source, path + "/label", "must be text or {vi, en}");
        cr.label = chosen.get<std::string>();
      } else {
        fail(source, path + "/label", "must be text or {vi, en}");
      }
    }
    if (!v.contains("max_points") || !v["max_points"].is_number() ||
        !(v["max_points"].get<double>() > 0) || !std::isfinite(v["max_points"].get<double>())) {
      fail(source, path + "/max_points", "must be a positive number");
    }
    cr.max_points = v["max_points"].get<double>();
    if (!v.contains("items") || !v["items"].is_array() || v["items"].empty()) {
      fail(source, path + "/items", "must name at least one item");
    }
    for (const auto& item : v["items"]) {
      if (!item.is_string()) fail(source, path + "/items", "must be item ids");
      cr.items.push_back(item.get<std::string>());
    }
    if (v.contains("groups")) {
      if (!v["groups"].is_array()) fail(source, path + "/groups", "must be group codes");
      for (const auto& g : v["groups"]) {
        if (!g.is_string()) fail(source, path + "/groups", "must be group codes");
        cr.groups.push_back(g.get<std::string>());
      }
    }
    s.criteria.push_back(std::move(cr));
  }
  return s;
}

namespace {

// Score columns of one item: the converted score and 1 for valid answers.
struct ScoreColumns {
  std::vector<double> score, valid;
};

ScoreColumns score_columns(const Table& data, const std::string& item,
                           const PointsConversion& conversion) {
  const Column& column = data.column(item);
  std::vector<double> level_score(column.levels().size(), std::nan(""));
  for (std::size_t l = 0; l < column.levels().size(); ++l) {
    const std::string& code = column.levels()[l];
    if (code.empty()) continue;
    if (std::find(conversion.excluded.begin(), conversion.excluded.end(), code) !=
        conversion.excluded.end())
      continue;
    double x = std::nan("");
    switch (conversion.method) {
      case PointsConversion::Method::Linear: {
        const double value = column.numbers_of_level(l);
        if (std::isnan(value) || value < conversion.low || value > conversion.high) {
          throw AnalysisError("data.unknown_code", data.source() + ": item '" + item + "': code '" +
                                                       code + "' is outside the scheme's scale " +
                                                       std::to_string(conversion.low) + "-" +
                                                       std::to_string(conversion.high));
        }
        x = (value - conversion.low) / (conversion.high - conversion.low);
        break;
      }
      case PointsConversion::Method::TopBox:
        x = std::find(conversion.codes.begin(), conversion.codes.end(), code) !=
                    conversion.codes.end()
                ? 1
                : 0;
        break;
      case PointsConversion::Method::Table: {
        auto it = conversion.table.find(code);
        if (it == conversion.table.end()) {
          throw AnalysisError("data.unknown_code", data.source() + ": item '" + item + "': code '" +
                                                       code + "' is not in the scheme's table");
        }
        x = it->second;
        break;
      }
    }
    level_score[l] = x;
  }
  ScoreColumns out;
  out.score.resize(column.size());
  out.valid.resize(column.size());
  for (std::size_t i = 0; i < column.size(); ++i) {
    const double x = level_score[column.code(i)];
    out.score[i] = x;
    out.valid[i] = std::isnan(x) ? std::nan("") : 1;
  }
  return out;
}

}  // namespace

ParResult par_points(const Engine& engine, const Table& data, const ParScheme& scheme,
                     double level) {
  const Column& units = data.column(scheme.unit_column);
  const Column& groups = data.column(scheme.group_column);
  std::map<std::string, ScoreColumns> scores;
  for (const auto& c : scheme.criteria) {
    for (const auto& item : c.items) {
      if (!scores.contains(item))
        scores.emplace(item, score_columns(data, item, scheme.conversion));
    }
  }
  std::set<std::string> unit_names, group_names;
  for (const auto& l : units.levels()) {
    if (!l.empty()) unit_names.insert(l);
  }
  for (const auto& l : groups.levels()) {
    if (!l.empty()) group_names.insert(l);
  }
  const double df = engine.degrees_of_freedom();
  const double t = t_quantile(1 - (1 - level) / 2, df);
  ParResult result;
  std::vector<Piece> unit_totals;
  std::vector<std::string> unit_order;
  for (const auto& unit : unit_names) {
    std::vector<Piece> criterion_pieces;
    double max_total = 0;
    for (const auto& c : scheme.criteria) {
      // x_c = Σ_g a_g x_{c,g} / Σ_g a_g over the groups with answers; x_{c,g}
      // is the mean over the criterion's items of the mean item score.
      std::vector<Piece> group_pieces;
      std::vector<double> group_weight;
      for (const auto& g : group_names) {
        if (!c.groups.empty() && std::find(c.groups.begin(), c.groups.end(), g) == c.groups.end())
          continue;
        RowMask rows(data.rows());
        for (std::size_t i = 0; i < rows.size(); ++i)
          rows[i] = units.text(i) == unit && groups.text(i) == g;
        std::vector<Piece> item_pieces;
        bool complete = true;
        for (const auto& item : c.items) {
          const auto& s = scores.at(item);
          bool any = false;
          for (std::size_t i = 0; i < rows.size() && !any; ++i)
            any = rows[i] && s.valid[i] == 1;
          if (!any) {
            complete = false;
            break;
          }
          item_pieces.push_back(engine.ratio(s.score, s.valid, rows));
        }
        if (!complete) continue;
        std::vector<std::pair<double, const Piece*>> terms;
        for (const auto& p : item_pieces)
          terms.emplace_back(1.0 / static_cast<double>(item_pieces.size()), &p);
        group_pieces.push_back(combine(terms));
        auto w = scheme.group_weights.find(g);
        group_weight.push_back(scheme.group_weights.empty()
                                   ? 1.0
                                   : (w == scheme.group_weights.end() ? 0.0 : w->second));
      }
      double weight_sum = 0;
      for (double w : group_weight)
        weight_sum += w;
      Estimate e;
      e.statistic = "par_points";
      e.variable = c.id;
      e.domain = {{scheme.unit_column, unit}};
      e.df = df;
      if (group_pieces.empty() || weight_sum <= 0) {
        result.criteria.push_back(e);  // no answers about this unit: reported as missing
        continue;
      }
      std::vector<std::pair<double, const Piece*>> terms;
      for (std::size_t k = 0; k < group_pieces.size(); ++k) {
        terms.emplace_back(c.max_points * group_weight[k] / weight_sum, &group_pieces[k]);
      }
      Piece points = combine(terms);
      e = engine.estimate(points, "par_points", c.id);
      e.domain = {{scheme.unit_column, unit}};
      e.df = df;
      add_interval(e, IntervalMethod::Wald, level, static_cast<double>(engine.rows()));
      result.criteria.push_back(e);
      criterion_pieces.push_back(std::move(points));
      max_total += c.max_points;
    }
    if (criterion_pieces.empty()) continue;
    std::vector<std::pair<double, const Piece*>> terms;
    for (const auto& p : criterion_pieces)
      terms.emplace_back(1.0, &p);
    unit_totals.push_back(combine(terms));
    unit_order.push_back(unit);
    RankedUnit ranked;
    ranked.unit = unit;
    ranked.max_points = max_total;
    ranked.points = engine.estimate(unit_totals.back(), "par_total", "points");
    ranked.points.domain = {{scheme.unit_column, unit}};
    ranked.points.df = df;
    add_interval(ranked.points, IntervalMethod::Wald, level, static_cast<double>(engine.rows()));
    result.ranking.push_back(std::move(ranked));
  }
  // Pairwise differences need the covariances of the totals.
  std::vector<const Piece*> pieces;
  for (const auto& p : unit_totals)
    pieces.push_back(&p);
  const Eigen::MatrixXd cov = engine.covariance(pieces);
  for (std::size_t a = 0; a < result.ranking.size(); ++a) {
    for (std::size_t b = 0; b < result.ranking.size(); ++b) {
      if (a == b) continue;
      const double difference =
          result.ranking[a].points.estimate - result.ranking[b].points.estimate;
      const double var = cov(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(a)) +
                         cov(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(b)) -
                         2 * cov(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b));
      if (std::fabs(difference) <= t * std::sqrt(std::max(var, 0.0))) {
        result.ranking[a].indistinguishable_from.push_back(result.ranking[b].unit);
      }
    }
  }
  std::stable_sort(result.ranking.begin(), result.ranking.end(),
                   [](const RankedUnit& x, const RankedUnit& y) {
                     return x.points.estimate > y.points.estimate;
                   });
  for (std::size_t k = 0; k < result.ranking.size(); ++k) {
    const bool tie =
        k > 0 && std::round(result.ranking[k].points.estimate * rank_precision) ==
                     std::round(result.ranking[k - 1].points.estimate * rank_precision);
    result.ranking[k].rank = tie ? result.ranking[k - 1].rank : static_cast<int>(k) + 1;
  }
  return result;
}

}  // namespace sipas::analysis
