#include "analysis/run.hpp"

#include <charconv>
#include <cmath>
#include <iterator>
#include <memory>
#include <set>
#include <sstream>

#include "analysis/calibration.hpp"
#include "analysis/engine.hpp"
#include "analysis/error.hpp"
#include "analysis/indices.hpp"
#include "analysis/quantile.hpp"
#include "analysis/replicate.hpp"
#include "analysis/standard_schemes.hpp"
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
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
  return std::string(buffer, end);
}

Json number_or_null(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

std::string option_name(StatisticRequest::Kind kind) {
  switch (kind) {
    case StatisticRequest::Kind::Mean:
      return "--mean";
    case StatisticRequest::Kind::Total:
      return "--total";
    case StatisticRequest::Kind::Ratio:
      return "--ratio";
    case StatisticRequest::Kind::Proportion:
      return "--prop";
    case StatisticRequest::Kind::Quantile:
      return "--quantile";
  }
  return "";
}

std::vector<double> indicator(const Table& data, const std::string& column,
                              const std::vector<std::string>& codes) {
  const Column& c = data.column(column);
  std::vector<double> out(data.rows());
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (c.is_missing(i)) {
      out[i] = std::nan("");
      continue;
    }
    out[i] = std::find(codes.begin(), codes.end(), c.text(i)) != codes.end() ? 1 : 0;
  }
  return out;
}

}  // namespace

StatisticRequest parse_statistic(StatisticRequest::Kind kind, const std::string& text) {
  StatisticRequest s;
  s.kind = kind;
  auto bad = [&](const std::string& why) {
    throw AnalysisError("analysis.invalid_option", option_name(kind) + " " + text + ": " + why);
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
  if (r.statistics.empty() && !r.index && !r.scheme) {
    throw AnalysisError("analysis.nothing_to_do",
                        "ask for at least one estimate: --mean, --total, --ratio, --prop, "
                        "--quantile, --index or --scheme");
  }
  if (!r.replicates.empty() && !r.repweights_prefix.empty()) {
    throw AnalysisError("analysis.conflicting_options",
                        "give --replicates or --repweights, not both");
  }
  const bool replicated = !r.replicates.empty() || !r.repweights_prefix.empty();
  if (replicated && r.margins) {
    throw AnalysisError(
        "analysis.unsupported",
        "calibration with replicate weights (recalibrating every replicate) is not supported; "
        "calibrate with the linearization design (leave out --replicates/--repweights)");
  }
  OpenLinkRows open_link;
  Table data = leave_out_open_link(Table::load(r.data), r.design, r.include_open_link, open_link);
  Design design = Design::build(data, r.design);
  Json calibration = nullptr;
  if (r.margins) {
    CalibrationOptions options;
    if (r.calfun == "poststratify") {
      options.method = CalibrationOptions::PostStratify;
    } else if (r.calfun == "raking") {
      options.method = CalibrationOptions::Raking;
    } else if (r.calfun == "linear") {
      options.method = CalibrationOptions::Linear;
    } else {
      throw AnalysisError("analysis.invalid_option",
                          "--calfun must be poststratify, raking or linear");
    }
    if (r.bounds && options.method != CalibrationOptions::Linear) {
      throw AnalysisError("analysis.invalid_option", "--bounds applies to --calfun linear");
    }
    options.bounds = r.bounds;
    CalibrationReport report;
    design = calibrate(design, data, load_margins(*r.margins), options, &report);
    calibration = {
        {"method", r.calfun},
        {"margins",
         {{"file", r.margins->filename().string()}, {"sha256", io::sha256_file(*r.margins)}}},
        {"iterations", report.iterations},
        {"weight_min", report.min_weight},
        {"weight_max", report.max_weight},
        {"g_min", report.min_g},
        {"g_max", report.max_g},
        {"max_margin_error", report.max_margin_error}};
    if (r.bounds) calibration["bounds"] = {r.bounds->first, r.bounds->second};
  }
  std::unique_ptr<Engine> engine_ptr;
  Json replicate_info = nullptr;
  if (!r.replicates.empty()) {
    auto colon = r.replicates.find(':');
    const std::string kind = r.replicates.substr(0, colon);
    const std::string argument =
        colon == std::string::npos ? std::string() : r.replicates.substr(colon + 1);
    auto number = [&](double fallback) {
      if (argument.empty()) return fallback;
      double x = 0;
      auto [end, ec] = std::from_chars(argument.data(), argument.data() + argument.size(), x);
      if (ec != std::errc() || end != argument.data() + argument.size()) {
        throw AnalysisError("analysis.invalid_option", "--replicates " + r.replicates + ": '" +
                                                           argument + "' is not a number");
      }
      return x;
    };
    ReplicateDesign replicates;
    if (kind == "jk1" && argument.empty()) {
      replicates = ReplicateDesign::jk1(design);
    } else if (kind == "jkn" && argument.empty()) {
      replicates = ReplicateDesign::jkn(design);
    } else if (kind == "bootstrap") {
      const double count = number(50);
      if (!(count >= 2 && count <= 100000 && count == std::floor(count))) {
        throw AnalysisError("analysis.invalid_option",
                            "--replicates bootstrap:R needs a whole R from 2 to 100000");
      }
      replicates = ReplicateDesign::bootstrap(design, static_cast<int>(count), r.seed);
    } else if (kind == "brr") {
      const double fay = number(0);
      if (!(fay >= 0 && fay < 1))
        throw AnalysisError("analysis.invalid_option", "Fay's rho must be in [0, 1)");
      replicates = ReplicateDesign::brr(design, fay);
    } else {
      throw AnalysisError("analysis.invalid_option",
                          "--replicates must be jk1, jkn, bootstrap[:R] or brr[:FAY]");
    }
    replicates.mse = r.mse;
    replicate_info = {{"type", r.replicates}, {"replicates", replicates.count()}, {"mse", r.mse}};
    if (kind == "bootstrap") replicate_info["seed"] = r.seed;
    engine_ptr = std::make_unique<ReplicateEngine>(std::move(replicates));
  } else if (!r.repweights_prefix.empty()) {
    auto type = replicate_type_from_string(r.reptype.empty() ? "other" : r.reptype);
    if (!type) {
      throw AnalysisError("analysis.invalid_option",
                          "--reptype must be jk1, jkn, bootstrap, brr, fay or other");
    }
    auto replicates = ReplicateDesign::from_columns(data, r.design.weights, r.repweights_prefix,
                                                    *type, r.repscale, std::nullopt, r.mse);
    replicate_info = {{"type", to_string(*type)},
                      {"columns", r.repweights_prefix},
                      {"replicates", replicates.count()},
                      {"scale", replicates.scale},
                      {"mse", r.mse}};
    engine_ptr = std::make_unique<ReplicateEngine>(std::move(replicates));
  } else {
    engine_ptr = std::make_unique<LinearizationEngine>(design);
  }
  const Engine& engine = *engine_ptr;
  auto domains = domains_of(data, r.by);

  AnalysisResult result;
  Json inputs = {
      {"data", {{"file", r.data.filename().string()}, {"sha256", io::sha256_file(r.data)}}}};
  for (const auto& s : r.statistics) {
    for (const auto& domain : domains) {
      Estimate e;
      switch (s.kind) {
        case StatisticRequest::Kind::Mean:
          e = engine.estimate(engine.mean(data.numbers(s.variable), domain.rows), "mean",
                              s.variable);
          break;
        case StatisticRequest::Kind::Total:
          e = engine.estimate(engine.total(data.numbers(s.variable), domain.rows), "total",
                              s.variable);
          break;
        case StatisticRequest::Kind::Ratio:
          e = engine.estimate(
              engine.ratio(data.numbers(s.variable), data.numbers(s.denominator), domain.rows),
              "ratio", s.variable + "/" + s.denominator);
          break;
        case StatisticRequest::Kind::Proportion: {
          auto y = indicator(data, s.variable, s.codes);
          std::string codes;
          for (const auto& c : s.codes)
            codes += (codes.empty() ? "" : ",") + c;
          e = engine.estimate(engine.mean(y, domain.rows), "proportion", s.variable + "=" + codes);
          break;
        }
        case StatisticRequest::Kind::Quantile: {
          if (replicated) {
            throw AnalysisError(
                "analysis.unsupported",
                "quantiles use Woodruff intervals on the linearization design; leave out "
                "--replicates/--repweights for --quantile");
          }
          e = quantile(design, data.numbers(s.variable), s.p, r.level, domain.rows).estimate;
          e.variable = s.variable + ":" + text_of(s.p);
          break;
        }
      }
      e.domain = domain.labels;
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
  if (r.index) {
    auto questionnaire = questionnaires::load_questionnaire_file(*r.index);
    IndexOptions options;
    options.interval = r.interval;
    options.level = r.level;
    auto indices = satisfaction_indices(engine, data, questionnaire, domains, options);
    result.estimates.insert(result.estimates.end(), indices.begin(), indices.end());
    inputs["questionnaire"] = {{"file", r.index->filename().string()},
                               {"sha256", io::sha256_file(*r.index)},
                               {"id", questionnaire.id()},
                               {"version", questionnaire.version()}};
  }
  if (r.scheme) {
    // A file, or the name of an embedded index scheme (analysis/schemes/).
    const SchemeSource source = read_scheme_source(r.scheme->string());
    auto scheme = parse_par_scheme(source.text, source.source);
    auto points = par_points(engine, data, scheme, r.level);
    result.estimates.insert(result.estimates.end(), points.criteria.begin(), points.criteria.end());
    result.ranking = std::move(points.ranking);
    inputs["scheme"] = {{"file", source.source}, {"sha256", source.sha256}};
  }
  result.design = {{"kind", replicated ? "replicate" : "linearization"},
                   {"variance", engine.description()},
                   {"strata", r.design.strata.empty() ? Json(nullptr) : Json(r.design.strata)},
                   {"psu", r.design.clusters},
                   {"weights", r.design.weights.empty() ? Json(nullptr) : Json(r.design.weights)},
                   {"fpc", r.design.fpc},
                   {"lonely_psu", to_string(r.design.lonely_psu)},
                   {"rows", design.rows()},
                   {"weight_sum", design.weights().sum()},
                   {"df", engine.degrees_of_freedom()},
                   {"level", r.level},
                   {"calibration", calibration},
                   {"replicates", replicate_info},
                   {"open_link", open_link.marked ? Json{{"column", channel_column},
                                                         {"rows", open_link.count},
                                                         {"included", open_link.included}}
                                                  : Json(nullptr)},
                   {"inputs", inputs},
                   {"command", r.command_line}};
  result.open_link = std::move(open_link);
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
    estimates.push_back({{"statistic", e.statistic},
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
                         {"deff", number_or_null(e.deff)}});
  }
  Json out = {{"design", result.design}, {"estimates", estimates}};
  if (!result.ranking.empty()) {
    Json ranking = Json::array();
    for (const auto& u : result.ranking) {
      ranking.push_back({{"unit", u.unit},
                         {"rank", u.rank},
                         {"points", number_or_null(u.points.estimate)},
                         {"max_points", u.max_points},
                         {"se", number_or_null(u.points.se)},
                         {"ci_low", number_or_null(u.points.ci_low)},
                         {"ci_high", number_or_null(u.points.ci_high)},
                         {"indistinguishable_from", u.indistinguishable_from}});
    }
    out["ranking"] = ranking;
  }
  return out;
}

std::string to_csv(const AnalysisResult& result, const io::CsvWriterOptions& csv) {
  auto num = [](double x) {
    if (!std::isfinite(x)) return std::string();
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
    return std::string(buffer, end);
  };
  static constexpr std::string_view header[] = {"statistic", "variable", "domain",     "estimate",
                                                "se",        "ci_low",   "ci_high",    "ci_method",
                                                "df",        "n",        "weighted_n", "deff"};
  std::string out;
  io::append_csv_row(out, header, csv);
  for (const auto& e : result.estimates) {
    std::string domain;
    for (const auto& [column, level] : e.domain)
      domain += (domain.empty() ? "" : ";") + column + "=" + level;
    const std::string cells[] = {
        e.statistic,    e.variable,  domain,    num(e.estimate), num(e.se),         num(e.ci_low),
        num(e.ci_high), e.ci_method, num(e.df), num(e.n),        num(e.weighted_n), num(e.deff)};
    const std::vector<std::string_view> views(std::begin(cells), std::end(cells));
    io::append_csv_row(out, views, csv);
  }
  return out;
}

}  // namespace sipas::analysis
