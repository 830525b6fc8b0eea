// The comparisons of `sipas compare` (each unit against the province, and
// against last year across a reorganisation) and the small-area estimates of
// `sipas small-area` (Fay–Herriot EBLUPs beside the direct estimates, with
// rank intervals), on the page and in the methods. Formulas:
// analysis/README.md, "Comparisons" and "Small-area estimates".

#include <algorithm>
#include <cmath>

#include "reports/report_page.hpp"

namespace sipas::reports::page {
namespace {

constexpr int p_decimals = 3;
constexpr int gamma_decimals = 2;
constexpr int significant_digits = 4;  // σ²_v, β and the fit's statistics

std::string words(std::string_view text) {
  return io::escape_html(std::string(text));
}

// A level as a percentage without needless decimals: 0.95 -> "95".
std::string level_percent(double level, Language language) {
  const double x = 100 * level;
  return format_number(x, x == std::round(x) ? 0 : 1, language);
}

// A p-value: three decimals, "< 0.001" below.
std::string p_text(double p, Language language) {
  if (!std::isfinite(p)) return missing_value_text;
  if (p < 0.001) return "< " + format_number(0.001, p_decimals, language);
  return format_number(p, p_decimals, language);
}

// A model's number with four significant digits.
std::string model_number(double x, Language language) {
  if (!std::isfinite(x) || x == 0) return format_number(x, 0, language);
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(x))));
  return format_number(x, std::clamp(significant_digits - 1 - magnitude, 0, 8), language);
}

std::string joined(const std::vector<std::string>& parts, const std::string& between) {
  std::string out;
  for (const auto& part : parts)
    out += (out.empty() ? "" : between) + part;
  return out;
}

// The numbers of one compare.json: proportions printed as percentages and
// their differences in percentage points.
struct CompareNumbers {
  const Page& p;
  const CompareSummary& c;
  double scale() const { return c.proportion() ? 100 : 1; }
  std::string value(double x) const {
    return c.proportion()
               ? format_percent(std::isfinite(x) ? 100 * x : absent, index_decimals, p.language)
               : format_number(x, index_decimals, p.language);
  }
  // A difference with its sign: "+11.02", "-9.02".
  std::string difference(double d) const {
    const std::string text = format_number(d * scale(), index_decimals, p.language);
    return std::isfinite(d) && d > 0 && text.find_first_not_of("0.,") != std::string::npos
               ? "+" + text
               : text;
  }
  std::string interval(double low, double high) const {
    return format_interval(low * scale(), high * scale(), index_decimals, p.language);
  }
  std::string unit(const std::string& code) const {
    return c.by == p.unit_column ? p.unit_label(code) : code;
  }
};

std::string mark(const std::string& css, std::string_view text) {
  return "<span class=\"sig " + css + "\">" + words(text) + "</span>";
}

std::string adjustment(const Page& p, const CompareSummary& c, std::size_t m) {
  const CompareWords& cw = compare_words(p.language);
  const std::string_view pattern = c.adjust == "holm" ? cw.adjust_holm
                                   : c.adjust == "BH" ? cw.adjust_bh
                                                      : cw.adjust_none;
  return fill(pattern,
              {p.count(static_cast<double>(m)), format_number(1 - c.level, 2, p.language)});
}

std::string test_sentence(const Page& p, const CompareSummary& c) {
  const CompareWords& cw = compare_words(p.language);
  const std::string level = level_percent(c.level, p.language);
  return std::isfinite(c.df) ? fill(cw.test_t, {p.count(c.df), level})
                             : fill(cw.test_normal, {"", level});
}

std::size_t tested(const std::vector<double>& ps) {
  return static_cast<std::size_t>(
      std::count_if(ps.begin(), ps.end(), [](double x) { return std::isfinite(x); }));
}

std::string against_table(const Page& p, const CompareSummary& c) {
  const CompareWords& cw = compare_words(p.language);
  const CompareNumbers f{p, c};
  bool vs_all = true;
  std::vector<double> ps;
  for (const auto& e : c.comparisons) {
    vs_all &= e.b == "all";
    ps.push_back(e.p);
  }
  std::vector<std::vector<std::string>> rows;
  double province = absent;
  for (const auto& e : c.comparisons) {
    if (e.b == "all") province = e.estimate_b;
    const std::string name = vs_all ? f.unit(e.a) : f.unit(e.a) + " \xE2\x88\x92 " + f.unit(e.b);
    const std::string result = !e.significant           ? ""
                               : e.direction == "above" ? mark("sig-above", cw.above)
                               : e.direction == "below" ? mark("sig-below", cw.below)
                                                        : "";
    rows.push_back({io::escape_html(name), io::escape_html(f.value(e.estimate_a)),
                    io::escape_html(f.difference(e.difference)),
                    io::escape_html(f.interval(e.ci_low, e.ci_high)),
                    io::escape_html(p_text(e.p_adjusted, p.language)), result});
  }
  const std::string level = level_percent(c.level, p.language);
  std::string out =
      "<h3>" + words(vs_all ? cw.against_province : cw.in_pairs) + "</h3><p>" +
      io::escape_html(
          fill(cw.what_compared,
               {c.variable, std::string(c.proportion() ? cw.stat_proportion : cw.stat_mean), c.by,
                f.value(province)})) +
      "</p>";
  out +=
      table({words(vs_all ? p.w.unit : cw.pair), words(cw.estimate),
             words(c.proportion() ? cw.difference_pp : cw.difference),
             io::escape_html(fill(p.w.ci_long, {level})), words(cw.adjusted_p), words(cw.result)},
            rows, {"name", "num", "num", "num", "num", "flags"}, "comparisons-table");
  return out + note(test_sentence(p, c) + " " + adjustment(p, c, tested(ps)));
}

std::string past_text(const Page& p, const YearOnYearEntry& y) {
  const CompareWords& cw = compare_words(p.language);
  std::vector<std::string> units;
  for (const auto& part : y.from)
    units.push_back(part.unit);
  if (y.past == "same") return std::string(cw.past_same);
  if (y.past == "mapped") return fill(cw.past_mapped, {joined(units, " + ")});
  if (y.past == "combined") {
    return fill(cw.past_combined,
                {joined(units, " + "),
                 std::string(y.weights == "equal" ? cw.weights_equal : cw.weights_counts)});
  }
  // The file's note is English: it is shown on the English page only.
  std::string out(cw.past_none);
  if (p.language == Language::En && !y.note.empty()) out += " (" + y.note + ")";
  return out;
}

std::string year_table(const Page& p, const CompareSummary& c) {
  const CompareWords& cw = compare_words(p.language);
  const CompareNumbers f{p, c};
  std::vector<std::vector<std::string>> rows;
  std::vector<double> ps;
  for (const auto& y : c.year_on_year) {
    ps.push_back(y.p);
    const std::string result = !y.significant           ? ""
                               : y.direction == "above" ? mark("sig-up", cw.up)
                               : y.direction == "below" ? mark("sig-down", cw.down)
                                                        : "";
    rows.push_back({io::escape_html(f.unit(y.unit)), io::escape_html(f.value(y.this_year)),
                    io::escape_html(f.value(y.last_year)),
                    io::escape_html(f.difference(y.difference)),
                    io::escape_html(f.interval(y.ci_low, y.ci_high)),
                    io::escape_html(p_text(y.p_adjusted, p.language)), result,
                    "<span class=\"past past-" + io::escape_html(y.past) + "\">" +
                        io::escape_html(past_text(p, y)) + "</span>"});
  }
  const std::string level = level_percent(c.level, p.language);
  return "<h3>" + words(cw.against_last_year) + "</h3>" +
         table({words(p.w.unit), words(cw.this_year), words(cw.last_year),
                words(c.proportion() ? cw.change_pp : cw.change),
                io::escape_html(fill(p.w.ci_long, {level})), words(cw.adjusted_p), words(cw.result),
                words(cw.past)},
               rows, {"name", "num", "num", "num", "num", "num", "flags", ""},
               "year-on-year-table") +
         note(fill(cw.year_test, {level}) + " " + adjustment(p, c, tested(ps)) + " " +
              std::string(cw.year_past_note));
}

std::string method_name(const Page& p, const SmallAreaSummary& s) {
  const CompareWords& cw = compare_words(p.language);
  return std::string(s.method == "ml" ? cw.ml : cw.reml);
}

std::string covariates_text(const Page& p, const SmallAreaSummary& s) {
  const CompareWords& cw = compare_words(p.language);
  if (s.covariates.empty()) return std::string(cw.intercept_only);
  std::vector<std::string> items;
  for (std::size_t k = 0; k < s.covariates.size(); ++k)
    items.push_back(fill(cw.beta_item, {s.covariates[k], model_number(s.beta[k + 1], p.language)}));
  return joined(items, "; ");
}

std::string rank_interval(const SmallAreaEstimate& a) {
  if (!a.rank_low || !a.rank_high) return missing_value_text;
  return std::to_string(*a.rank_low) + " \xE2\x80\x93 " + std::to_string(*a.rank_high);
}

}  // namespace

std::string comparisons_section(const Page& p) {
  if (!p.in.compare) return "";
  const CompareSummary& c = *p.in.compare;
  std::string body;
  if (!c.comparisons.empty()) body += against_table(p, c);
  if (c.has_year_on_year && !c.year_on_year.empty()) body += year_table(p, c);
  if (body.empty()) return "";
  return section("comparisons", compare_words(p.language).sec_comparisons, body);
}

std::string small_areas_section(const Page& p) {
  if (!p.in.small_area || p.in.small_area->areas.empty()) return "";
  const SmallAreaSummary& s = *p.in.small_area;
  const CompareWords& cw = compare_words(p.language);
  std::vector<const SmallAreaEstimate*> order;
  for (const auto& a : s.areas)
    order.push_back(&a);
  std::stable_sort(order.begin(), order.end(), [](const auto* x, const auto* y) {
    if (x->rank && y->rank) return *x->rank < *y->rank;
    return x->rank.has_value() && !y->rank.has_value();
  });
  auto number = [&](double x) { return format_number(x, index_decimals, p.language); };
  std::vector<std::vector<std::string>> rows;
  for (const auto* a : order) {
    rows.push_back({a->rank ? std::to_string(*a->rank) : missing_value_text,
                    io::escape_html(a->area),
                    io::escape_html(number(a->direct) + " \xC2\xB1 " + number(a->direct_se)),
                    io::escape_html(number(a->eblup) + " (" + number(a->rmse) + ")"),
                    io::escape_html(format_number(a->gamma, gamma_decimals, p.language)),
                    io::escape_html(rank_interval(*a))});
  }
  const double rank_level = std::isfinite(s.rank_level) ? s.rank_level : 0.95;
  std::string body =
      "<p class=\"model\">" +
      io::escape_html(fill(cw.model_text, {method_name(p, s), model_number(s.sigma2_v, p.language),
                                           covariates_text(p, s)})) +
      "</p>";
  body +=
      table({words(p.w.rank), words(p.w.unit), words(cw.direct), words(cw.eblup), words(cw.gamma),
             io::escape_html(fill(cw.rank_interval, {level_percent(rank_level, p.language)}))},
            rows, {"num", "name", "num", "num", "num opt", "num"}, "small-area-table");
  body += note(cw.eblup_note);
  if (s.rank_replicates > 0)
    body += note(s.lower_is_better ? cw.overlap_note_lower : cw.overlap_note);
  return section("small-areas", cw.sec_small_areas, body);
}

std::string comparisons_methods(const Page& p) {
  if (!p.in.compare && !p.in.small_area) return "";
  const CompareWords& cw = compare_words(p.language);
  const Language lang = p.language;
  Facts facts;
  if (p.in.compare) {
    const CompareSummary& c = *p.in.compare;
    std::vector<double> ps;
    for (const auto& e : c.comparisons)
      ps.push_back(e.p);
    if (!c.comparisons.empty()) {
      facts.add(
          cw.m_comparisons,
          "<span class=\"compare-method\">" +
              io::escape_html(
                  fill(cw.m_comparisons_text,
                       {p.count(static_cast<double>(c.comparisons.size())), c.variable, c.by}) +
                  ". " + test_sentence(p, c) + " " + adjustment(p, c, tested(ps))) +
              "</span>");
    }
    if (c.has_year_on_year) {
      const auto with_past = std::count_if(c.year_on_year.begin(), c.year_on_year.end(),
                                           [](const auto& y) { return y.past != "none"; });
      facts.add(
          cw.m_year,
          io::escape_html(fill(cw.m_year_text, {p.count(static_cast<double>(c.year_on_year.size())),
                                                p.count(static_cast<double>(with_past))}) +
                          ". " + fill(cw.year_test, {level_percent(c.level, lang)})));
    }
  }
  if (p.in.small_area) {
    const SmallAreaSummary& s = *p.in.small_area;
    facts.add(cw.m_model, io::escape_html(fill(cw.model_text,
                                               {method_name(p, s), model_number(s.sigma2_v, lang),
                                                covariates_text(p, s)})));
    std::vector<std::string> betas;
    for (std::size_t k = 0; k < s.beta.size(); ++k) {
      betas.push_back(fill(cw.beta_item, {k == 0 ? std::string(cw.intercept) : s.covariates[k - 1],
                                          model_number(s.beta[k], lang)}));
    }
    std::string fit =
        fill(cw.m_fit_text, {model_number(s.sigma2_v, lang), joined(betas, "; "),
                             model_number(s.loglik, lang), model_number(s.aic, lang)});
    if (s.truncated_at_zero) fit += ". " + std::string(cw.m_truncated);
    facts.add(cw.m_fit, "<span class=\"small-area-fit\">" + io::escape_html(fit) + "</span>");
    facts.add(
        cw.m_residuals,
        "<span class=\"residual-check\">" +
            io::escape_html(fill(
                cw.m_residuals_text,
                {format_number(s.residual_mean, 2, lang), format_number(s.residual_sd, 2, lang),
                 p.count(static_cast<double>(s.beyond_1_96)),
                 format_number(s.expected_beyond_1_96, 1, lang), p_text(s.jarque_bera_p, lang)})) +
            "</span>");
    facts.add(cw.m_mse, words(s.method == "ml" ? cw.mse_ml : cw.mse_reml));
    facts.add(cw.m_ranks,
              s.rank_replicates > 0
                  ? io::escape_html(
                        fill(cw.m_ranks_text, {p.count(static_cast<double>(s.rank_replicates)),
                                               level_percent(s.rank_level, lang)}))
                  : words(cw.no_ranks));
  }
  facts.add(cw.m_sources, words(cw.sources));
  return "<h3>" + words(cw.methods_title) + "</h3>" + facts.take();
}

}  // namespace sipas::reports::page
