#include "analysis/compare_run.hpp"

#include <cmath>
#include <set>

#include "analysis/error.hpp"
#include "analysis/setup.hpp"
#include "io/number_text.hpp"

namespace sipas::analysis {
namespace {

using Json = nlohmann::json;

// The column of last year's data that holds each row's new unit.
constexpr const char* mapped_column = "unit_map:new_unit";

Json number_or_null(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

[[noreturn]] void fail(const std::string& id, const std::string& message) {
  throw AnalysisError(id, message);
}

// A design with its engine and the estimates by one column.
struct Estimated {
  AnalysisSetup setup;
  EngineSetup engine;
  DomainPieces pieces;
};

// The design summary results.json has, less the publishing rule.
Json design_summary(const AnalysisRequest& r, const AnalysisSetup& s, const EngineSetup& e) {
  return {{"kind", s.replicated ? "replicate" : "linearization"},
          {"variance", e.engine->description()},
          {"data", r.data.filename().string()},
          {"strata", r.design.strata.empty() ? Json(nullptr) : Json(r.design.strata)},
          {"psu", r.design.clusters},
          {"weights", s.columns.weights.empty() ? Json(nullptr) : Json(s.columns.weights)},
          {"fpc", r.design.fpc},
          {"lonely_psu", to_string(r.design.lonely_psu)},
          {"rows", s.design.rows()},
          {"weight_sum", s.design.weights().sum()},
          {"df", number_or_null(e.engine->degrees_of_freedom())},
          {"nonresponse", s.nonresponse},
          {"calibration", s.calibration},
          {"replicates", e.replicates},
          {"open_link", s.open_link.marked ? Json{{"column", channel_column},
                                                  {"rows", s.open_link.count},
                                                  {"included", s.open_link.included}}
                                           : Json(nullptr)}};
}

// The request's statistic by `by` on its design; `prepare` may add a column
// to the rows before the engine is made.
Estimated estimate_by(AnalysisRequest r, const StatisticRequest& statistic, const std::string& by,
                      double level, const std::function<std::string(Table&)>& prepare = {}) {
  r.statistics = {statistic};
  r.by = {by};
  Estimated out;
  out.setup = setup_analysis(r, plan_analysis(r));
  const std::string column = prepare ? prepare(out.setup.data) : by;
  out.engine = make_engine(r, out.setup);
  out.pieces = domain_pieces(*out.engine.engine, out.setup.data, statistic, column, level);
  return out;
}

std::vector<UnitValue> unit_values(const DomainPieces& pieces) {
  std::vector<UnitValue> out;
  for (std::size_t k = 0; k < pieces.levels.size(); ++k) {
    const Estimate& e = pieces.estimates[k + 1];
    out.push_back({pieces.levels[k], e.estimate, e.se, e.n, e.weighted_n});
  }
  return out;
}

std::string comparison_test(const Engine& engine, bool replicated) {
  const double df = engine.degrees_of_freedom();
  const bool t = std::isfinite(df) && df > 0;
  return std::string(
             "difference a - b of two estimates of one design, Var(a - b) = Var(a) + "
             "Var(b) - 2 Cov(a, b) with the covariance ") +
         (replicated ? "from the replicate estimates" : "from the joint influence values") + " (" +
         engine.description() + "); two-sided p and Wald interval from the " +
         (t ? "t distribution with the design's " + io::shortest_decimal(df) +
                  " degrees of freedom (degf)"
            : "normal distribution");
}

void check(const CompareRequest& r) {
  const auto& a = r.analysis;
  if (a.statistics.size() != 1 || (a.statistics[0].kind != StatisticRequest::Kind::Mean &&
                                   a.statistics[0].kind != StatisticRequest::Kind::Proportion)) {
    fail("compare.invalid_statistic",
         "give one `statistics.mean` VAR or one `statistics.proportion` VAR=CODES");
  }
  if (a.by.size() != 1)
    fail("compare.missing_option", "`by` COL is required: the column whose levels are compared");
  if (!r.pairs.empty() && r.each_vs_all) {
    fail("compare.conflicting_options",
         "give `pairs` or `each_vs_all`, not both (for a level against the whole population, "
         "`pairs` LEVEL,all)");
  }
  const bool yearly = r.last_year || r.last_year_data;
  if (r.pairs.empty() && !r.each_vs_all && !yearly) {
    fail("compare.nothing_to_do",
         "ask for `pairs` A,B, `each_vs_all`, or `last_year` FILE / `last_year_data` FILE");
  }
  if (r.unit_map && !yearly)
    fail("compare.conflicting_options", "`unit_map` goes with `last_year` or `last_year_data`");
  if (r.this_year && !a.data.empty())
    fail("compare.conflicting_options", "give `data` or `this_year`, not both");
  if (r.this_year && (!r.pairs.empty() || r.each_vs_all)) {
    fail("compare.conflicting_options",
         "`pairs` and `each_vs_all` need the data (`data`): the covariance of two estimates is "
         "not in a results file");
  }
  if (r.this_year && !yearly)
    fail("compare.conflicting_options", "`this_year` goes with `last_year` or `last_year_data`");
  if (!r.this_year && a.data.empty()) fail("compare.missing_option", "`data` FILE.csv is required");
  if (!(a.level > 0 && a.level < 1))
    fail("analysis.invalid_level", "`level` must be between 0 and 1 (e.g. 0.95)");
}

}  // namespace

CompareResult run_compare(const CompareRequest& r) {
  check(r);
  const StatisticRequest& statistic = r.analysis.statistics[0];
  const std::string by = r.analysis.by[0];
  const double level = r.analysis.level;
  CompareResult out;
  out.statistic = statistic.kind == StatisticRequest::Kind::Proportion ? "proportion" : "mean";
  out.variable = variable_label(statistic);
  out.by = by;
  out.adjustment = r.adjustment;
  out.level = level;
  out.command_line = r.command_line;
  out.inputs = Json::object();
  out.design = nullptr;

  // This year: the data and design, or a results file.
  std::vector<UnitValue> this_units;
  if (!r.analysis.data.empty()) {
    Estimated now = estimate_by(r.analysis, statistic, by, level);
    const Engine& engine = *now.engine.engine;
    out.design = design_summary(r.analysis, now.setup, now.engine);
    out.inputs["data"] = {{"file", r.analysis.data.filename().string()},
                          {"sha256", now.setup.data.sha256()}};
    if (now.setup.joined)
      out.inputs["weights_file"] = {{"file", now.setup.join.file},
                                    {"sha256", now.setup.join.sha256}};
    out.test = comparison_test(engine, now.setup.replicated);
    out.estimates = now.pieces.estimates;
    if (r.each_vs_all) {
      out.comparisons = compare_each_with_all(engine, now.pieces, level);
    } else {
      out.comparisons = compare_pairs(engine, now.pieces, r.pairs, level);
    }
    adjust(out.comparisons, r.adjustment, level);
    this_units = unit_values(now.pieces);
  } else if (r.this_year) {
    auto results = read_results_units(*r.this_year, out.statistic, out.variable, by);
    out.inputs["this_year"] = {{"file", results.file}, {"sha256", results.sha256}};
    this_units = results.units;
  }
  if (!r.last_year && !r.last_year_data) return out;

  // Last year, and the map from its units to this year's.
  out.year_on_year_asked = true;
  const std::string last_by = r.last_year_by.empty() ? by : r.last_year_by;
  std::optional<UnitMap> map;
  if (r.unit_map) {
    map = load_unit_map(*r.unit_map);
    out.inputs["unit_map"] = {{"file", map->file}, {"sha256", map->sha256}};
  }
  LastYear last;
  last.map = map ? &*map : nullptr;
  std::set<std::string> known;
  std::string known_from;
  if (r.last_year) {
    last.results = read_results_units(*r.last_year, out.statistic, out.variable, last_by);
    out.inputs["last_year"] = {{"file", last.results->file}, {"sha256", last.results->sha256}};
    for (const auto& u : last.results->units)
      known.insert(u.unit);
    known_from = "the " + out.statistic + " of " + out.variable + " by " + last_by + " in " +
                 last.results->file;
  }
  Json last_design = nullptr;
  if (r.last_year_data) {
    const AnalysisRequest& old = *r.last_year_data;
    // (a) each row's old unit mapped to its new unit, a column of the rows.
    auto prepare = [&](Table& data) {
      const Column& units = data.column(last_by);
      std::vector<std::string> levels;
      for (const auto& l : units.levels()) {
        if (!l.empty()) levels.push_back(l);
      }
      last.data_units.insert(levels.begin(), levels.end());
      if (map) {
        std::set<std::string> here(levels.begin(), levels.end());
        known.insert(here.begin(), here.end());
        known_from += std::string(known_from.empty() ? "" : ", or ") + "column '" + last_by +
                      "' of " + old.data.filename().string();
        check_old_units(*map, known, known_from);
      }
      const auto to = old_to_new(last.map, levels);
      Column mapped;
      mapped.reserve(data.rows());
      for (std::size_t i = 0; i < data.rows(); ++i) {
        auto it = to.find(units.text(i));
        mapped.push(it == to.end() ? std::string_view() : std::string_view(it->second));
      }
      data.add_column(mapped_column, std::move(mapped));
      return std::string(mapped_column);
    };
    Estimated before = estimate_by(old, statistic, last_by, level, prepare);
    last.mapped.emplace();
    for (const auto& u : unit_values(before.pieces))
      last.mapped->emplace(u.unit, u);
    last_design = design_summary(old, before.setup, before.engine);
    out.inputs["last_year_data"] = {{"file", old.data.filename().string()},
                                    {"sha256", before.setup.data.sha256()}};
  } else if (map) {
    check_old_units(*map, known, known_from);
  }
  out.year_on_year = year_on_year(this_units, last, level, r.adjustment);
  out.year_on_year_method = {
      {"test", year_on_year_test},
      {"units_matched",
       map ? "through the unit map " + map->file +
                 ": a unit's past is only what the map lists for it (an unchanged unit is "
                 "listed with old = new); a unit it does not list has none, whatever last "
                 "year's namesake"
           : std::string("by identical code: units were assumed unchanged (no unit map)")},
      {"last_year_column", last_by},
      {"last_year_results", last.results ? Json(last.results->file) : Json(nullptr)},
      {"last_year_design", last_design},
      {"mapped",
       "past 'mapped' (source data): the unit as a domain of last year's design, each row's "
       "old unit replaced by its new unit (R: svyby on the mapped column)"},
      {"combined",
       "past 'combined' (source results): sum_k w_k y_k / sum_k w_k over the old units k, w_k "
       "their estimated counts weighted_n from the results file, or equal weights when one "
       "lacks it (the entry's 'weights' says which); variance sum_k (w_k / sum w)^2 se_k^2, the "
       "old units' estimates treated as independent: an approximation, as they come from one "
       "design (they may share strata and PSUs) and the counts are estimates too"},
      {"adjust", to_string(r.adjustment)}};
  return out;
}

Json to_json(const CompareResult& result) {
  Json estimates = Json::array();
  for (const auto& e : result.estimates) {
    estimates.push_back({{"domain", e.domain.empty() ? everyone_label : e.domain.front().second},
                         {"estimate", number_or_null(e.estimate)},
                         {"se", number_or_null(e.se)},
                         {"ci_low", number_or_null(e.ci_low)},
                         {"ci_high", number_or_null(e.ci_high)},
                         {"df", number_or_null(e.df)},
                         {"n", e.n},
                         {"weighted_n", e.weighted_n}});
  }
  Json comparisons = Json::array();
  for (const auto& d : result.comparisons) {
    comparisons.push_back({{"a", d.a},
                           {"b", d.b},
                           {"estimate_a", number_or_null(d.estimate_a)},
                           {"estimate_b", number_or_null(d.estimate_b)},
                           {"n_a", d.n_a},
                           {"n_b", d.n_b},
                           {"difference", number_or_null(d.difference)},
                           {"covariance", number_or_null(d.covariance)},
                           {"se", number_or_null(d.se)},
                           {"df", number_or_null(d.df)},
                           {"ci_low", number_or_null(d.ci_low)},
                           {"ci_high", number_or_null(d.ci_high)},
                           {"p", number_or_null(d.p)},
                           {"p_adjusted", number_or_null(d.p_adjusted)},
                           {"significant", d.significant},
                           {"direction", d.direction}});
  }
  Json out = {{"format", "sipas-compare/1"},
              {"statistic", result.statistic},
              {"variable", result.variable},
              {"by", result.by},
              {"adjust", to_string(result.adjustment)},
              {"level", result.level},
              {"test", result.test.empty() ? Json(nullptr) : Json(result.test)},
              {"design", result.design},
              {"inputs", result.inputs},
              {"command_line", result.command_line},
              {"estimates", estimates},
              {"comparisons", comparisons}};
  if (!result.year_on_year_asked) return out;
  Json yearly = Json::array();
  for (const auto& y : result.year_on_year) {
    Json from = Json::array();
    for (const auto& part : y.from) {
      from.push_back({{"unit", part.unit},
                      {"date", part.date.empty() ? Json(nullptr) : Json(part.date)},
                      {"weight", number_or_null(part.weight)},
                      {"weighted_n", number_or_null(part.weighted_n)},
                      {"estimate", number_or_null(part.estimate)},
                      {"se", number_or_null(part.se)}});
    }
    yearly.push_back({{"unit", y.unit},
                      {"this_year", number_or_null(y.this_year)},
                      {"this_se", number_or_null(y.this_se)},
                      {"n_this", y.n_this},
                      {"last_year", number_or_null(y.last_year)},
                      {"last_se", number_or_null(y.last_se)},
                      {"difference", number_or_null(y.difference)},
                      {"se", number_or_null(y.se)},
                      {"ci_low", number_or_null(y.ci_low)},
                      {"ci_high", number_or_null(y.ci_high)},
                      {"p", number_or_null(y.p)},
                      {"p_adjusted", number_or_null(y.p_adjusted)},
                      {"significant", y.significant},
                      {"direction", y.direction},
                      {"past", y.past},
                      {"source", y.source.empty() ? Json(nullptr) : Json(y.source)},
                      {"weights", y.weights.empty() ? Json(nullptr) : Json(y.weights)},
                      {"from", from},
                      {"note", y.note.empty() ? Json(nullptr) : Json(y.note)},
                      {"test", year_on_year_test}});
  }
  out["year_on_year"] = yearly;
  out["year_on_year_method"] = result.year_on_year_method;
  return out;
}

}  // namespace sipas::analysis
