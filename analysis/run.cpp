#include "analysis/run.hpp"
#include "io/number_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "analysis/calibration.hpp"
#include "analysis/engine.hpp"
#include "analysis/error.hpp"
#include "analysis/indices.hpp"
#include "analysis/quantile.hpp"
#include "analysis/replicate.hpp"
#include "analysis/setup.hpp"
#include "analysis/standard_schemes.hpp"
#include "analysis/verify.hpp"
#include "analysis/weights_join.hpp"
#include "io/enum_names.hpp"
#include "io/sha256.hpp"
#include "questionnaires/questionnaire.hpp"

namespace sipas::analysis {
namespace {

using Json = nlohmann::json;

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, separator)) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string text_of(double x) {
  return io::shortest_decimal(x);
}

Json number_or_null(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

constexpr io::EnumName<StatisticRequest::Kind> statistic_kind_names[] = {
    {StatisticRequest::Kind::Mean, "mean"},
    {StatisticRequest::Kind::Total, "total"},
    {StatisticRequest::Kind::Ratio, "ratio"},
    {StatisticRequest::Kind::Proportion, "proportion"},
    {StatisticRequest::Kind::Quantile, "quantile"}};

// A mean or a proportion, of every domain at once (Engine::ratios): the
// ratio of the variable's value (or the 0/1 of its codes) to 1 over the rows
// with a value, which is the Hájek mean, its influence values included.
struct BatchedStatistic {
  std::size_t statistic = 0;  // index into the request's statistics
  CodedRatio ratio;
};

// Σw and counts by level of a coded column, per domain (0: everyone): enough
// for the design effects of the means of that column, which the batched path
// does not give (R's svymean(deff = TRUE)), and for the empty domains.
class LevelSums {
 public:
  LevelSums(const Column& column, const Eigen::VectorXd& weights,
            const std::vector<std::int32_t>& domain_of_row, std::size_t domains)
      : levels_(column.levels().size()),
        weight_(domains * levels_, 0.0),
        count_(domains * levels_, 0.0) {
    for (std::size_t i = 0; i < column.size(); ++i) {
      const std::size_t l = column.code(i);
      const double w = weights[static_cast<Eigen::Index>(i)];
      weight_[l] += w;
      count_[l] += 1;
      if (const std::int32_t d = domain_of_row[i]; d > 0) {
        weight_[static_cast<std::size_t>(d) * levels_ + l] += w;
        count_[static_cast<std::size_t>(d) * levels_ + l] += 1;
      }
    }
  }

  // Rows with a value (y per level; NaN: none) and their weight in domain d.
  std::pair<double, double> used(const std::vector<double>& y, std::size_t d) const {
    double n = 0, wn = 0;
    for (std::size_t l = 0; l < levels_; ++l) {
      if (std::isnan(y[l])) continue;
      n += count_[d * levels_ + l];
      wn += weight_[d * levels_ + l];
    }
    return {n, wn};
  }

  // deff and deff_replace of the mean of y in domain d, given its variance,
  // as analysis::mean computes them.
  void design_effects(const std::vector<double>& y, std::size_t d, double variance,
                      Estimate& e) const {
    const auto [n, wn] = used(y, d);
    if (n <= 1) return;
    double wy = 0;
    for (std::size_t l = 0; l < levels_; ++l) {
      if (!std::isnan(y[l])) wy += weight_[d * levels_ + l] * y[l];
    }
    const double ybar = wy / wn;
    double ss = 0;
    for (std::size_t l = 0; l < levels_; ++l) {
      if (!std::isnan(y[l])) ss += weight_[d * levels_ + l] * (y[l] - ybar) * (y[l] - ybar);
    }
    const double s2 = ss / wn * n / (n - 1);
    if (wn >= n) e.deff = variance / (s2 * (wn - n) / (wn * n));
    e.deff_replace = variance / (s2 / n);
  }

 private:
  std::size_t levels_;
  std::vector<double> weight_, count_;  // [domain · levels + level]
};

}  // namespace

StatisticRequest::Kind parse_statistic_kind(std::string_view name) {
  if (auto kind = io::enum_from_name(statistic_kind_names, name)) return *kind;
  throw AnalysisError("analysis.invalid_option",
                      "`statistics` kind must be " + io::enum_names_text(statistic_kind_names));
}

std::string to_string(StatisticRequest::Kind kind) {
  return io::enum_name(statistic_kind_names, kind);
}

StatisticRequest parse_statistic(StatisticRequest::Kind kind, const std::string& text) {
  StatisticRequest s;
  s.kind = kind;
  auto bad = [&](const std::string& why) {
    throw AnalysisError("analysis.invalid_option",
                        "`statistics." + to_string(kind) + "` " + text + ": " + why);
  };
  switch (kind) {
    case StatisticRequest::Kind::Mean:
    case StatisticRequest::Kind::Total:
      s.variable = text;
      break;
    case StatisticRequest::Kind::Ratio: {
      auto slash = text.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == text.size())
        bad("write NUM/DEN");
      s.variable = text.substr(0, slash);
      s.denominator = text.substr(slash + 1);
      break;
    }
    case StatisticRequest::Kind::Proportion: {
      auto eq = text.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
        bad("write VAR=CODE[,CODE...]");
      s.variable = text.substr(0, eq);
      s.codes = split(text.substr(eq + 1), ',');
      break;
    }
    case StatisticRequest::Kind::Quantile: {
      auto colon = text.rfind(':');
      if (colon == std::string::npos || colon == 0) bad("write VAR:P, e.g. api00:0.5");
      s.variable = text.substr(0, colon);
      const std::string p = text.substr(colon + 1);
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), s.p);
      if (ec != std::errc() || end != p.data() + p.size() || !(s.p >= 0 && s.p <= 1))
        bad("P must be between 0 and 1");
      break;
    }
  }
  if (s.variable.empty()) bad("name a variable");
  return s;
}

AnalysisResult run_analysis(const AnalysisRequest& r) {
  if (r.statistics.empty() && !r.index && !r.scheme && r.scales.empty()) {
    throw AnalysisError("analysis.nothing_to_do",
                        "ask for at least one estimate: `statistics.mean`, `statistics.total`, "
                        "`statistics.ratio`, `statistics.proportion`, `statistics.quantile`, "
                        "`index`, `scheme` or `scales`");
  }
  // The options checked, the margins read and the columns named
  // (analysis/setup.hpp), to which the questionnaire and the scheme add theirs.
  AnalysisPlan plan = plan_analysis(r);
  ColumnsRead& read = plan.read;
  std::optional<questionnaires::Questionnaire> questionnaire;
  if (r.index) {
    questionnaire = questionnaires::load_questionnaire_file(*r.index);
    for (const auto& item : questionnaire->items())
      read.names.insert(item.id);
  }
  std::optional<SchemeSource> scheme_source;
  std::optional<ParScheme> scheme;
  if (r.scheme) {
    // A file, or the name of an embedded index scheme (analysis/schemes/).
    scheme_source = read_scheme_source(r.scheme->string());
    scheme = parse_par_scheme(scheme_source->text, scheme_source->source);
    read.names.insert(scheme->unit_column);
    read.names.insert(scheme->group_column);
    for (const auto& criterion : scheme->criteria)
      read.names.insert(criterion.items.begin(), criterion.items.end());
  }
  AnalysisSetup setup = setup_analysis(r, plan);
  const Table& data = setup.data;
  const DesignColumns& columns = setup.columns;
  const Design& design = setup.design;
  const bool replicated = setup.replicated;
  const bool joined = setup.joined;
  const JoinReport& join = setup.join;
  OpenLinkRows& open_link = setup.open_link;
  const Json& calibration = setup.calibration;
  const Json& nonresponse = setup.nonresponse;
  const PublishingRule rule = r.publishing_rule.empty() ? default_publishing_rule()
                                                        : load_publishing_rule(r.publishing_rule);
  EngineSetup engine_setup = make_engine(r, setup);
  const auto& engine_ptr = engine_setup.engine;
  const Json& replicate_info = engine_setup.replicates;
  const Engine& engine = *engine_ptr;
  std::vector<std::int32_t> domain_of_row;
  auto domains = domains_of(data, r.by, &domain_of_row);

  AnalysisResult result;
  Json inputs = {{"data", {{"file", r.data.filename().string()}, {"sha256", data.sha256()}}}};
  if (joined) inputs["weights_file"] = {{"file", join.file}, {"sha256", join.sha256}};
  if (!rule.file.starts_with("embedded:"))
    inputs["publishing_rule"] = {{"file", rule.file}, {"sha256", rule.sha256}};
  // Means and proportions of every domain go through the batched path
  // together; totals, ratios and quantiles are estimated domain by domain,
  // each column read once.
  std::vector<std::vector<Estimate>> cells(r.statistics.size(),
                                           std::vector<Estimate>(domains.size()));
  std::vector<BatchedStatistic> batched;
  for (std::size_t k = 0; k < r.statistics.size(); ++k) {
    const auto& s = r.statistics[k];
    if (s.kind == StatisticRequest::Kind::Mean || s.kind == StatisticRequest::Kind::Proportion)
      batched.push_back({k, coded_mean(data, s)});
  }
  if (!batched.empty()) {
    // Level sums per column (several statistics may share one): the empty
    // domains, as analysis::mean reports them, and the design effects.
    std::map<const Column*, LevelSums> sums;
    for (const auto& b : batched) {
      sums.try_emplace(b.ratio.column, *b.ratio.column, design.weights(), domain_of_row,
                       domains.size());
    }
    for (const auto& b : batched) {
      for (std::size_t d = 0; d < domains.size(); ++d) {
        if (sums.at(b.ratio.column).used(b.ratio.numerator, d).second <= 0) {
          throw AnalysisError("analysis.empty_domain",
                              "no row with a value and a positive weight to estimate a mean");
        }
      }
    }
    std::vector<CodedRatio> ratios;
    for (const auto& b : batched)
      ratios.push_back(b.ratio);
    std::vector<const RowMask*> masks;
    for (const auto& domain : domains)
      masks.push_back(&domain.rows);
    engine.ratios(ratios, masks, [&](std::size_t d, RatioPieces& pieces) {
      for (std::size_t j = 0; j < batched.size(); ++j) {
        const auto& s = r.statistics[batched[j].statistic];
        const bool proportion = s.kind == StatisticRequest::Kind::Proportion;
        if (!pieces[j]) {
          throw AnalysisError("analysis.empty_domain",
                              "no row with a value and a positive weight to estimate a mean");
        }
        Estimate e =
            engine.estimate(*pieces[j], proportion ? "proportion" : "mean", variable_label(s));
        if (!replicated) {
          sums.at(batched[j].ratio.column)
              .design_effects(batched[j].ratio.numerator, d, e.se * e.se, e);
        }
        cells[batched[j].statistic][d] = std::move(e);
      }
    });
  }
  // The columns of the totals, ratios and quantiles as numbers, each read
  // once however many statistics and domains use it.
  std::map<std::string, std::vector<double>, std::less<>> numbers;
  auto read_numbers = [&](const std::string& name) {
    if (!numbers.contains(name)) numbers.emplace(name, data.numbers(name));
  };
  for (const auto& s : r.statistics) {
    if (s.kind == StatisticRequest::Kind::Mean || s.kind == StatisticRequest::Kind::Proportion)
      continue;
    if (s.kind == StatisticRequest::Kind::Quantile && replicated) {
      throw AnalysisError("analysis.unsupported",
                          "quantiles use Woodruff intervals on the linearization design; leave "
                          "out `replicates`/`repweights_prefix` for `statistics.quantile`");
    }
    read_numbers(s.variable);
    if (s.kind == StatisticRequest::Kind::Ratio) read_numbers(s.denominator);
  }
  for (std::size_t k = 0; k < r.statistics.size(); ++k) {
    const auto& s = r.statistics[k];
    if (s.kind == StatisticRequest::Kind::Mean || s.kind == StatisticRequest::Kind::Proportion)
      continue;
    const std::vector<double>& y = numbers.find(s.variable)->second;
    const std::vector<double>& z =
        s.kind == StatisticRequest::Kind::Ratio ? numbers.find(s.denominator)->second : y;
    for (std::size_t d = 0; d < domains.size(); ++d) {
      const RowMask& rows = domains[d].rows;
      Estimate& e = cells[k][d];
      switch (s.kind) {
        case StatisticRequest::Kind::Total:
          e = engine.estimate(engine.total(y, rows), "total", s.variable);
          break;
        case StatisticRequest::Kind::Ratio:
          e = engine.estimate(engine.ratio(y, z, rows), "ratio", s.variable + "/" + s.denominator);
          break;
        case StatisticRequest::Kind::Quantile:
          e = quantile(design, y, s.p, r.level, rows).estimate;
          e.variable = s.variable + ":" + text_of(s.p);
          break;
        default:
          break;
      }
    }
  }
  for (std::size_t k = 0; k < r.statistics.size(); ++k) {
    const auto& s = r.statistics[k];
    for (std::size_t d = 0; d < domains.size(); ++d) {
      Estimate e = std::move(cells[k][d]);
      e.domain = domains[d].labels;
      if (s.kind !=
          StatisticRequest::Kind::Quantile) {  // quantiles carry their own Woodruff interval
        e.df = engine.degrees_of_freedom();
        const bool proportion = s.kind == StatisticRequest::Kind::Proportion;
        add_interval(e, proportion ? r.interval : IntervalMethod::Wald, r.level,
                     static_cast<double>(engine.rows()));
      }
      result.estimates.push_back(std::move(e));
    }
  }
  if (questionnaire) {
    IndexOptions options;
    options.interval = r.interval;
    options.level = r.level;
    auto indices = satisfaction_indices(engine, data, *questionnaire, domains, options);
    result.estimates.insert(result.estimates.end(), indices.begin(), indices.end());
    inputs["questionnaire"] = {{"file", r.index->filename().string()},
                               {"sha256", io::sha256_file(*r.index)},
                               {"id", questionnaire->id()},
                               {"version", questionnaire->version()}};
  }
  if (scheme) {
    const SchemeSource& source = *scheme_source;
    auto points = par_points(engine, data, *scheme, r.level);
    result.estimates.insert(result.estimates.end(), points.criteria.begin(), points.criteria.end());
    result.ranking = std::move(points.ranking);
    inputs["scheme"] = {{"file", source.source}, {"sha256", source.sha256}};
  }
  // Every estimate, and every unit's survey points, flagged by the rule.
  for (auto& e : result.estimates)
    assess(e, rule);
  for (auto& unit : result.ranking)
    assess(unit.points, rule);
  result.scales = scale_qualities(data, design.weights(), r.scales,
                                  questionnaire ? &*questionnaire : nullptr, r.dont_know);
  result.design = {{"kind", replicated ? "replicate" : "linearization"},
                   {"variance", engine.description()},
                   {"strata", r.design.strata.empty() ? Json(nullptr) : Json(r.design.strata)},
                   {"psu", r.design.clusters},
                   {"weights", columns.weights.empty() ? Json(nullptr) : Json(columns.weights)},
                   {"fpc", r.design.fpc},
                   {"lonely_psu", to_string(r.design.lonely_psu)},
                   {"rows", design.rows()},
                   {"weight_sum", design.weights().sum()},
                   {"df", engine.degrees_of_freedom()},
                   {"level", r.level},
                   {"nonresponse", nonresponse},
                   {"calibration", calibration},
                   {"replicates", replicate_info},
                   {"open_link", open_link.marked ? Json{{"column", channel_column},
                                                         {"rows", open_link.count},
                                                         {"included", open_link.included}}
                                                  : Json(nullptr)},
                   {"publishing_rule",
                    {{"name", rule.name},
                     {"file", rule.file},
                     {"sha256", rule.sha256},
                     {"example", rule.example},
                     {"source", {{"vi", rule.source_vi}, {"en", rule.source_en}}},
                     {"min_n", rule.min_n},
                     {"min_n_eff", number_or_null(rule.min_n_eff)},
                     {"caution_cv", rule.caution_cv},
                     {"suppress_cv", rule.suppress_cv}}},
                   {"inputs", inputs},
                   {"command", r.command_line}};
  result.open_link = std::move(open_link);
  result.request = request_json(r);
  return result;
}

Json to_json(const AnalysisResult& result) {
  Json estimates = Json::array();
  for (const auto& e : result.estimates) {
    Json domain = nullptr;
    if (!e.domain.empty()) {
      domain = Json::object();
      for (const auto& [column, level] : e.domain)
        domain[column] = level;
    }
    estimates.push_back(
        {{"statistic", e.statistic},
         {"variable", e.variable},
         {"domain", domain},
         {"estimate", number_or_null(e.estimate)},
         {"se", number_or_null(e.se)},
         {"ci_low", number_or_null(e.ci_low)},
         {"ci_high", number_or_null(e.ci_high)},
         {"ci_method", e.ci_method.empty() ? Json(nullptr) : Json(e.ci_method)},
         {"df", number_or_null(e.df)},
         {"n", e.n},
         {"weighted_n", e.weighted_n},
         {"deff", number_or_null(e.deff)},
         {"n_eff", number_or_null(e.n_eff)},
         {"cv", number_or_null(e.cv)},
         {"ci_width", number_or_null(e.ci_width)},
         {"flag", e.flag.empty() ? Json(nullptr) : Json(e.flag)},
         {"flag_reason", e.flag_reason.empty() ? Json(nullptr) : Json(e.flag_reason)}});
  }
  Json out = {{"design", result.design}, {"estimates", estimates}};
  if (!result.request.is_null()) out["request"] = result.request;
  if (!result.ranking.empty()) {
    Json ranking = Json::array();
    for (const auto& u : result.ranking) {
      ranking.push_back(
          {{"unit", u.unit},
           {"rank", u.rank},
           {"points", number_or_null(u.points.estimate)},
           {"max_points", u.max_points},
           {"se", number_or_null(u.points.se)},
           {"ci_low", number_or_null(u.points.ci_low)},
           {"ci_high", number_or_null(u.points.ci_high)},
           {"indistinguishable_from", u.indistinguishable_from},
           {"n", u.points.n},
           {"cv", number_or_null(u.points.cv)},
           {"flag", u.points.flag.empty() ? Json(nullptr) : Json(u.points.flag)},
           {"flag_reason",
            u.points.flag_reason.empty() ? Json(nullptr) : Json(u.points.flag_reason)}});
    }
    out["ranking"] = ranking;
  }
  if (!result.scales.empty()) out["scales"] = to_json(result.scales);
  return out;
}

std::string to_csv(const AnalysisResult& result, const io::CsvWriterOptions& csv) {
  auto num = [](double x) { return std::isfinite(x) ? io::shortest_decimal(x) : std::string(); };
  static constexpr std::string_view header[] = {
      "statistic", "variable", "domain",     "estimate", "se",    "ci_low", "ci_high",  "ci_method",
      "df",        "n",        "weighted_n", "deff",     "n_eff", "cv",     "ci_width", "flag"};
  std::string out;
  io::append_csv_row(out, header, csv);
  for (const auto& e : result.estimates) {
    std::string domain;
    for (const auto& [column, level] : e.domain)
      domain += (domain.empty() ? "" : ";") + column + "=" + level;
    const std::string cells[] = {e.statistic,     e.variable,        domain,
                                 num(e.estimate), num(e.se),         num(e.ci_low),
                                 num(e.ci_high),  e.ci_method,       num(e.df),
                                 num(e.n),        num(e.weighted_n), num(e.deff),
                                 num(e.n_eff),    num(e.cv),         num(e.ci_width),
                                 e.flag};
    const std::vector<std::string_view> views(std::begin(cells), std::end(cells));
    io::append_csv_row(out, views, csv);
  }
  return out;
}

}  // namespace sipas::analysis
