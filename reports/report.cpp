#include "reports/report.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "reports/error.hpp"
#include "reports/report_page.hpp"
#include "reports/svg_charts.hpp"

namespace sipas::reports {
namespace page {
namespace {

const InputFile* input_of(const ResultsFile& results, const std::string& role) {
  for (const auto& input : results.design.inputs) {
    if (input.role == role) return &input;
  }
  return nullptr;
}

// A level as a percentage without trailing zeros: 0.95 -> "95", 0.995 -> "99,5".
std::string level_percent(double level, Language language) {
  const double percent = level * 100;
  for (int decimals = 0; decimals <= 3; ++decimals) {
    const double scale = std::pow(10.0, decimals);
    if (std::abs(std::round(percent * scale) - percent * scale) < 1e-6)
      return format_number(percent, decimals, language);
  }
  return format_number(percent, 3, language);
}

bool is_index(const std::string& statistic) {
  return statistic == "overall_index" || statistic == "element_index" ||
         statistic == "group_index" || statistic == "item_index";
}

}  // namespace

Page::Page(const ReportInputs& inputs, const ReportOptions& opts)
    : in(inputs),
      options(opts),
      language(opts.language),
      w(report_words(opts.language)),
      level_text(level_percent(inputs.results.design.level, opts.language)) {
  const ResultsFile& results = in.results;
  if (in.questionnaire) {
    const auto& q = *in.questionnaire;
    if (const InputFile* used = input_of(results, "questionnaire")) {
      const bool other_id = !used->id.empty() && used->id != q.id();
      const bool other_version = !used->version.empty() && used->version != q.version();
      if (other_id || other_version) {
        throw ReportError("report.questionnaire_mismatch",
                          in.questionnaire_source + ": questionnaire '" + q.id() + "' version " +
                              q.version() + ", but " + results.source + " was computed with '" +
                              used->id + "' version " + used->version +
                              " (design.inputs.questionnaire)");
      }
    }
  }
  for (const auto& e : results.estimates)
    by_key_[{e.statistic, e.variable}].push_back(&e);

  std::vector<std::string> columns;  // domain columns of single-column index domains
  for (const auto& e : results.estimates) {
    if (!is_index(e.statistic)) continue;
    if (e.domain.empty()) {
      std::vector<std::string>* ids = e.statistic == "element_index" ? &element_ids
                                      : e.statistic == "group_index" ? &group_ids
                                                                     : nullptr;
      if (ids && std::find(ids->begin(), ids->end(), e.variable) == ids->end())
        ids->push_back(e.variable);
    } else if (e.domain.size() == 1 &&
               std::find(columns.begin(), columns.end(), e.domain[0].first) == columns.end()) {
      columns.push_back(e.domain[0].first);
    }
  }
  if (!overall() && element_ids.empty()) {
    throw ReportError("report.no_indices",
                      results.source +
                          ": estimates: no satisfaction index of the whole population "
                          "(overall_index or element_index with no domain); run sipas analyze "
                          "with --index QUESTIONNAIRE.json");
  }
  if (!options.unit_column.empty()) {
    if (std::find(columns.begin(), columns.end(), options.unit_column) == columns.end()) {
      std::string known;
      for (const auto& c : columns)
        known += (known.empty() ? "" : ", ") + c;
      throw ReportError("report.unknown_unit_column",
                        results.source + ": no indices by '" + options.unit_column +
                            "' (--unit-column); domain columns: " +
                            (known.empty() ? "none (run sipas analyze with --by)" : known));
    }
    unit_column = options.unit_column;
  } else if (!columns.empty()) {
    unit_column = columns.front();
  }

  if (in.par_index) {
    for (const auto& u : in.par_index->units) {
      if (!u.name.empty()) unit_names_[u.unit] = u.name;
    }
  }
  if (!unit_column.empty()) {
    std::set<std::string> seen;
    for (const auto& e : results.estimates) {
      if (!is_index(e.statistic) || e.domain.size() != 1 || e.domain[0].first != unit_column)
        continue;
      if (!seen.insert(e.domain[0].second).second) continue;
      RankedUnit u;
      u.level = e.domain[0].second;
      u.label = unit_label(u.level);
      u.overall = overall({{unit_column, u.level}});
      units.push_back(std::move(u));
    }
    auto value = [](const RankedUnit& u) {
      return u.overall && std::isfinite(u.overall->estimate) ? u.overall->estimate : absent;
    };
    std::stable_sort(units.begin(), units.end(), [&](const RankedUnit& a, const RankedUnit& b) {
      const double va = value(a), vb = value(b);
      if (std::isfinite(va) != std::isfinite(vb)) return std::isfinite(va);
      return std::isfinite(va) && va > vb;
    });
    // Competition ranking ("1, 2, 2, 4") on the value as printed.
    const double scale = std::pow(10.0, index_decimals);
    for (std::size_t i = 0; i < units.size(); ++i) {
      const double v = value(units[i]);
      if (!std::isfinite(v)) break;
      const bool tie = i > 0 && std::round(value(units[i - 1]) * scale) == std::round(v * scale);
      units[i].rank = tie ? units[i - 1].rank : static_cast<int>(i) + 1;
    }
  }
}

const ResultEstimate* Page::find(const std::string& statistic, const std::string& variable,
                                 const Domain& domain) const {
  auto it = by_key_.find({statistic, variable});
  if (it == by_key_.end()) return nullptr;
  for (const ResultEstimate* e : it->second) {
    if (e->domain == domain) return e;
  }
  return nullptr;
}

const ResultEstimate* Page::overall(const Domain& domain) const {
  return find("overall_index", "overall", domain);
}

std::string Page::text(const questionnaires::Text& t) const {
  if (t.empty() || !in.questionnaire) return "";
  const auto index = in.questionnaire->language_index(language_code(language));
  return t.in(index.value_or(0));
}

std::string Page::element_label(const std::string& id) const {
  if (in.questionnaire) {
    if (const auto* e = in.questionnaire->scoring().find_element(id)) {
      const std::string label = text(e->label);
      if (!label.empty()) return label;
    }
  }
  return id;
}

std::string Page::group_label(const std::string& id) const {
  if (in.questionnaire) {
    for (const auto& g : in.questionnaire->scoring().groups) {
      if (g.id == id && !text(g.label).empty()) return text(g.label);
    }
  }
  return id;
}

std::string Page::item_label(const std::string& id) const {
  if (in.questionnaire) {
    if (const auto* item = in.questionnaire->find(id)) {
      const std::string label = text(item->text);
      if (!label.empty()) return label;
    }
  }
  return id;
}

std::string Page::unit_label(const std::string& level) const {
  auto it = unit_names_.find(level);
  return it == unit_names_.end() ? level : it->second;
}

std::string section(const std::string& id, std::string_view title, const std::string& body) {
  std::string out = "<section id=\"" + io::escape_html(id) + "\"><h2>";
  io::append_html(out, title);
  out += "</h2>" + body + "</section>\n";
  return out;
}

std::string note(std::string_view text) {
  std::string out = "<p class=\"note\">";
  io::append_html(out, text);
  return out + "</p>";
}

std::string table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows,
                  const std::vector<std::string>& columns, const std::string& css_class) {
  auto cell_class = [&](std::size_t i) {
    return i < columns.size() && !columns[i].empty()
               ? " class=\"" + io::escape_html(columns[i]) + "\""
               : std::string();
  };
  std::string out = "<div class=\"table-wrap\"><table";
  if (!css_class.empty()) out += " class=\"" + io::escape_html(css_class) + "\"";
  out += "><thead><tr>";
  for (std::size_t i = 0; i < header.size(); ++i)
    out += "<th scope=\"col\"" + cell_class(i) + ">" + header[i] + "</th>";
  out += "</tr></thead><tbody>";
  for (const auto& row : rows) {
    out += "<tr>";
    for (std::size_t i = 0; i < row.size(); ++i)
      out += (i == 0 ? "<th scope=\"row\"" : "<td") + cell_class(i) + ">" + row[i] +
             (i == 0 ? "</th>" : "</td>");
    out += "</tr>";
  }
  return out + "</tbody></table></div>";
}

std::string details(std::string_view summary, const std::string& content) {
  std::string out = "<details><summary>";
  io::append_html(out, summary);
  return out + "</summary>" + content + "</details>";
}

std::string headline_section(const Page& p) {
  std::string body = "<div class=\"kpis\">";
  auto card = [&](const char* css, const std::string& label, const ResultEstimate* e, bool with_n) {
    std::string out = "<div class=\"kpi ";
    out += css;
    out += "\"";
    if (e) {
      out += " data-estimate=\"" + svg_number(e->estimate, 10) + "\" data-ci-low=\"" +
             svg_number(e->ci_low, 10) + "\" data-ci-high=\"" + svg_number(e->ci_high, 10) + "\"";
    }
    out += "><div class=\"kpi-label\">" + io::escape_html(label) + "</div>";
    out += "<div class=\"kpi-value\">" + io::escape_html(p.shown(e));
    if (e && std::isfinite(e->estimate) && !e->suppressed()) out += "<span class=\"pct\">%</span>";
    out += "</div><div class=\"kpi-ci\">" + io::escape_html(p.ci_short()) + ": " +
           io::escape_html(e ? p.interval(*e) : missing_value_text) + "</div>";
    if (with_n && e) {
      out += "<div class=\"kpi-n\">" + io::escape_html(fill(p.w.responses_n, {p.count(e->n)})) +
             "</div>";
    }
    return out + "</div>";
  };
  const ResultEstimate* overall = p.overall();
  if (overall) body += card("kpi-main", std::string(p.w.overall_index), overall, true);
  for (const auto& id : p.group_ids)
    body += card("kpi-group", p.group_label(id), p.find("group_index", id), false);
  if (p.in.progress) {
    const FieldworkRow& all = p.in.progress->overall;
    body += "<div class=\"kpi kpi-group kpi-rate\"><div class=\"kpi-label\">" +
            io::escape_html(std::string(p.w.response_rate)) + "</div><div class=\"kpi-value\">" +
            io::escape_html(format_number(all.response_rate * 100, 1, p.language));
    if (std::isfinite(all.response_rate)) body += "<span class=\"pct\">%</span>";
    body += "</div><div class=\"kpi-n\">" + io::escape_html(std::string(p.w.responded)) + ": " +
            io::escape_html(p.count(static_cast<double>(all.responded))) + " / " +
            io::escape_html(p.count(static_cast<double>(all.invited))) + "</div></div>";
  }
  body += "</div>";
  const ResultEstimate* base = overall ? overall : p.find("element_index", p.element_ids.front());
  std::string facts = "<p class=\"facts\">";
  facts += io::escape_html(std::string(p.w.weighted_n)) + ": " +
           io::escape_html(p.count(base ? base->weighted_n : absent)) + " · " +
           io::escape_html(std::string(p.w.rows)) + ": " +
           io::escape_html(p.count(p.in.results.design.rows)) + "</p>";
  body += facts + note(p.w.headline_note);
  return section("headline", p.w.sec_headline, body);
}

std::string elements_section(const Page& p) {
  if (p.element_ids.empty()) return "";
  BarChart chart;
  chart.frame.title = fill(p.w.elements_chart, {p.level_text});
  chart.frame.description = fill(p.w.elements_note, {p.level_text});
  chart.frame.language = p.language;
  chart.frame.decimals = chart_decimals;
  std::vector<std::vector<std::string>> rows;
  for (const auto& id : p.element_ids) {
    const ResultEstimate* e = p.find("element_index", id);
    const std::string label = p.element_label(id);
    chart.bars.push_back({label == id ? id : id + " · " + label, Page::charted(e),
                          e->suppressed() ? absent : e->ci_low,
                          e->suppressed() ? absent : e->ci_high, id});
    rows.push_back(
        {"<span class=\"code\">" + io::escape_html(id) + "</span> " + io::escape_html(label),
         io::escape_html(p.shown(e)), io::escape_html(p.interval(*e)),
         io::escape_html(format_number(e->se, index_decimals, p.language)),
         io::escape_html(p.count(e->n))});
  }
  if (const ResultEstimate* overall = p.overall(); overall && std::isfinite(overall->estimate)) {
    chart.reference = overall->estimate;
    chart.reference_label = std::string(p.w.overall_index) + " " +
                            format_number(overall->estimate, chart_decimals, p.language);
  }
  std::string body = "<figure class=\"chart-figure\" id=\"elements-chart\">" +
                     bar_chart_svg(chart) + "<figcaption>" +
                     io::escape_html(fill(p.w.elements_note, {p.level_text})) +
                     "</figcaption></figure>";
  body += table(
      {io::escape_html(std::string(p.w.element)), io::escape_html(std::string(p.w.index_percent)),
       io::escape_html(fill(p.w.ci_long, {p.level_text})), io::escape_html(std::string(p.w.se)),
       io::escape_html(std::string(p.w.n))},
      rows, {"", "num", "num", "num opt", "num opt"}, "elements-table");
  return section("elements", p.w.sec_elements, body);
}

}  // namespace page

std::string render_report(const ReportInputs& inputs, const ReportOptions& options) {
  const page::Page p(inputs, options);
  std::string title = options.title;
  if (title.empty() && inputs.questionnaire) title = p.text(inputs.questionnaire->title());
  if (title.empty()) title = p.w.default_title;

  struct Part {
    const char* id;
    std::string_view heading;
    std::string html;
  };
  std::vector<Part> parts = {
      {"headline", p.w.sec_headline, page::headline_section(p)},
      {"elements", p.w.sec_elements, page::elements_section(p)},
      {"ranking", p.w.sec_ranking, page::ranking_section(p)},
      {"profiles", p.w.sec_profiles, page::profiles_section(p)},
      {"comparisons", compare_words(p.language).sec_comparisons, page::comparisons_section(p)},
      {"small-areas", compare_words(p.language).sec_small_areas, page::small_areas_section(p)},
      {"rates", p.w.sec_rates, page::rates_section(p)},
      {"answers", p.w.sec_answers, page::answers_section(p)},
      {"par-index", p.w.sec_par, page::par_section(p)},
      {"methods", p.w.sec_methods, page::methods_section(p)},
  };

  // HTML5 that is also well-formed XML (void elements closed, every attribute
  // quoted, only XML's entities), so that any XML parser can check the page.
  std::string out = "<!DOCTYPE html>\n<html lang=\"" + std::string(p.w.lang) + "\">\n<head>\n";
  out += "<meta charset=\"utf-8\"/>\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  // Nothing outside the file is loaded, whatever an input holds.
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\"/>\n";
  out += "<title>" + io::escape_html(title) + "</title>\n<style>";
  out += page::report_css();
  out += "</style>\n</head>\n<body>\n<header class=\"page-header\"><div class=\"wrap\">";
  out += "<h1>" + io::escape_html(title) + "</h1>";
  if (const auto* q = page::input_of(inputs.results, "questionnaire"); q && !q->id.empty()) {
    out += "<p class=\"subtitle\">" + io::escape_html(q->id) +
           (q->version.empty() ? "" : " · " + io::escape_html(q->version)) + "</p>";
  }
  out +=
      "<nav aria-label=\"" + io::escape_html(std::string(p.w.contents)) + "\"><ul class=\"toc\">";
  for (const auto& part : parts) {
    if (part.html.empty()) continue;
    out += "<li><a href=\"#" + std::string(part.id) + "\">" +
           io::escape_html(std::string(part.heading)) + "</a></li>";
  }
  out += "</ul></nav></div></header>\n<main class=\"wrap\">\n";
  for (const auto& part : parts)
    out += part.html;
  out += "</main>\n<footer class=\"wrap\"><p>" + io::escape_html(std::string(p.w.generated_by)) +
         " " + io::escape_html(std::string(p.w.missing_note)) + "</p></footer>\n</body>\n</html>\n";
  return out;
}

}  // namespace sipas::reports
