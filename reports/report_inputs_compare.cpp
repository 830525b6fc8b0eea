// compare.json of `sipas compare` (sipas-compare/1) and the small-area
// estimates of `sipas small-area` (sipas-small-area/1), read for the
// comparisons' and small areas' sections and the methods. Only the fields
// the report shows are read and checked.

#include <cmath>

#include "reports/input_reader.hpp"
#include "reports/report_inputs.hpp"

namespace sipas::reports {
namespace {

using input::Json;
using input::Reader;

constexpr const char* compare_format = "sipas-compare/1";
constexpr const char* small_area_format = "sipas-small-area/1";

void require_format(const Reader& r, const Json& doc, const std::string& source,
                    const char* format) {
  input::require_object(r, doc);
  if (r.text(doc, "", "format") != format)
    throw ReportError("report.invalid_format",
                      source + ": format: expected \"" + std::string(format) + "\"");
}

const Json& element(const Reader& r, const Json& list, std::size_t i, const std::string& p) {
  if (!list[i].is_object()) r.fail(p, "expected an object");
  return list[i];
}

std::string one_of(const Reader& r, const Json& parent, const std::string& path, const char* key,
                   std::initializer_list<const char*> allowed, const char* expected) {
  const std::string v = r.text(parent, path, key);
  for (const char* a : allowed) {
    if (v == a) return v;
  }
  r.fail(Reader::join(path, key), expected);
}

CompareEntry read_comparison(const Reader& r, const Json& c, const std::string& p) {
  CompareEntry out;
  out.a = r.text(c, p, "a", true, true);
  out.b = r.text(c, p, "b", true, true);
  out.estimate_a = r.number(c, p, "estimate_a");
  out.estimate_b = r.number(c, p, "estimate_b");
  out.difference = r.number(c, p, "difference");
  out.se = r.number(c, p, "se");
  out.ci_low = r.number(c, p, "ci_low");
  out.ci_high = r.number(c, p, "ci_high");
  out.p = r.number(c, p, "p");
  out.p_adjusted = r.number(c, p, "p_adjusted");
  out.significant = r.flag(c, p, "significant");
  out.direction =
      one_of(r, c, p, "direction", {"above", "below", "none"}, "expected above, below or none");
  return out;
}

YearOnYearEntry read_year(const Reader& r, const Json& y, const std::string& p) {
  YearOnYearEntry out;
  out.unit = r.text(y, p, "unit", true, true);
  out.this_year = r.number(y, p, "this_year");
  out.last_year = r.number(y, p, "last_year");
  out.difference = r.number(y, p, "difference");
  out.ci_low = r.number(y, p, "ci_low");
  out.ci_high = r.number(y, p, "ci_high");
  out.p = r.number(y, p, "p");
  out.p_adjusted = r.number(y, p, "p_adjusted");
  out.significant = r.flag(y, p, "significant");
  out.direction =
      one_of(r, y, p, "direction", {"above", "below", "none"}, "expected above, below or none");
  out.past = one_of(r, y, p, "past", {"same", "mapped", "combined", "none"},
                    "expected same, mapped, combined or none");
  out.weights = r.text(y, p, "weights", false);
  out.note = r.text(y, p, "note", false);
  if (y.contains("from") && !y.at("from").is_null()) {
    const Json& from = r.array(y, p, "from");
    for (std::size_t i = 0; i < from.size(); ++i) {
      const std::string fp = Reader::index(p + ".from", i);
      const Json& f = element(r, from, i, fp);
      out.from.push_back({r.text(f, fp, "unit", true, true), r.number(f, fp, "weight", false)});
    }
  }
  return out;
}

std::optional<std::int64_t> rank(const Reader& r, const Json& a, const std::string& p,
                                 const char* key) {
  if (!a.contains(key) || a.at(key).is_null()) return std::nullopt;
  return r.count(a, p, key);
}

}  // namespace

CompareSummary parse_compare(std::string_view json, const std::string& source) {
  Reader r(source);
  const Json doc = r.parse(json);
  require_format(r, doc, source, compare_format);
  CompareSummary out;
  out.source = source;
  out.statistic =
      one_of(r, doc, "", "statistic", {"mean", "proportion"}, "expected mean or proportion");
  out.variable = r.text(doc, "", "variable");
  out.by = r.text(doc, "", "by");
  out.adjust = one_of(r, doc, "", "adjust", {"holm", "BH", "none"}, "expected holm, BH or none");
  out.level = r.real(doc, "", "level");
  if (!(out.level > 0 && out.level < 1)) r.fail("level", "expected a number between 0 and 1");
  out.test = r.text(doc, "", "test", false);
  if (doc.contains("design") && doc.at("design").is_object())
    out.df = r.number(doc.at("design"), "design", "df", false);
  const Json& comparisons = r.array(doc, "", "comparisons");
  for (std::size_t i = 0; i < comparisons.size(); ++i) {
    const std::string p = Reader::index("comparisons", i);
    out.comparisons.push_back(read_comparison(r, element(r, comparisons, i, p), p));
  }
  if (doc.contains("year_on_year") && !doc.at("year_on_year").is_null()) {
    const Json& years = r.array(doc, "", "year_on_year");
    for (std::size_t i = 0; i < years.size(); ++i) {
      const std::string p = Reader::index("year_on_year", i);
      out.year_on_year.push_back(read_year(r, element(r, years, i, p), p));
    }
    out.has_year_on_year = true;
    const Json& method = r.object(doc, "", "year_on_year_method");
    out.year_on_year_test = r.text(method, "year_on_year_method", "test");
  }
  return out;
}

CompareSummary load_compare(const std::filesystem::path& path) {
  return parse_compare(input::read_input(path), input::display_name(path));
}

SmallAreaSummary parse_small_area(std::string_view json, const std::string& source) {
  Reader r(source);
  const Json doc = r.parse(json);
  require_format(r, doc, source, small_area_format);
  SmallAreaSummary out;
  out.source = source;
  out.method = one_of(r, doc, "", "method", {"reml", "ml"}, "expected reml or ml");
  out.level = r.number(doc, "", "level", false);
  out.sigma2_v = r.real(doc, "", "sigma2_v");
  r.array(doc, "", "covariates");
  out.covariates = r.texts(doc, "", "covariates");
  const Json& beta = r.array(doc, "", "beta");
  for (std::size_t i = 0; i < beta.size(); ++i) {
    if (!beta[i].is_number()) r.fail(Reader::index("beta", i), "expected a number");
    out.beta.push_back(beta[i].get<double>());
  }
  if (out.beta.size() != out.covariates.size() + 1)
    r.fail("beta", "expected the intercept and one coefficient per covariate (" +
                       std::to_string(out.covariates.size() + 1) + " numbers)");
  const Json& fit = r.object(doc, "", "fit");
  out.loglik = r.number(fit, "fit", "loglik");
  out.aic = r.number(fit, "fit", "aic");
  out.bic = r.number(fit, "fit", "bic");
  out.truncated_at_zero = r.flag(fit, "fit", "truncated_at_zero");
  const Json& check = r.object(doc, "", "residual_check");
  const std::string cp = "residual_check";
  out.residual_mean = r.number(check, cp, "mean");
  out.residual_sd = r.number(check, cp, "sd");
  out.beyond_1_96 = r.count(check, cp, "beyond_1_96");
  out.expected_beyond_1_96 = r.number(check, cp, "expected_beyond_1_96", false);
  out.jarque_bera_p = r.number(check, cp, "jarque_bera_p");
  if (doc.contains("ranks") && !doc.at("ranks").is_null()) {
    const Json& ranks = r.object(doc, "", "ranks");
    out.rank_replicates = r.count(ranks, "ranks", "replicates");
    out.rank_level = r.number(ranks, "ranks", "level");
    out.lower_is_better = r.text(ranks, "ranks", "direction", false) == "lower_is_better";
  }
  const Json& areas = r.array(doc, "", "areas");
  for (std::size_t i = 0; i < areas.size(); ++i) {
    const std::string p = Reader::index("areas", i);
    const Json& a = element(r, areas, i, p);
    SmallAreaEstimate e;
    e.area = r.text(a, p, "area", true, true);
    e.direct = r.real(a, p, "direct");
    e.direct_se = r.real(a, p, "direct_se");
    e.eblup = r.real(a, p, "eblup");
    e.rmse = r.real(a, p, "rmse");
    e.gamma = r.real(a, p, "gamma");
    if (e.gamma < 0 || e.gamma > 1)
      r.fail(Reader::join(p, "gamma"), "expected a number from 0 to 1");
    e.ci_low = r.number(a, p, "ci_low", false);
    e.ci_high = r.number(a, p, "ci_high", false);
    e.rank = rank(r, a, p, "rank");
    e.rank_low = rank(r, a, p, "rank_low");
    e.rank_high = rank(r, a, p, "rank_high");
    out.areas.push_back(std::move(e));
  }
  return out;
}

SmallAreaSummary load_small_area(const std::filesystem::path& path) {
  return parse_small_area(input::read_input(path), input::display_name(path));
}

}  // namespace sipas::reports
