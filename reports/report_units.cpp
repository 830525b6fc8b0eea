// The units' sections: the ranking with CI whiskers and each unit's element
// profile against the province.

#include <cmath>

#include "reports/report_page.hpp"
#include "reports/svg_charts.hpp"

namespace sipas::reports::page {

std::string ranking_section(const Page& p) {
  bool any = false;
  for (const auto& u : p.units)
    any |= u.overall != nullptr;
  if (!any) return "";
  BarChart chart;
  chart.frame.title = fill(p.w.ranking_chart, {p.unit_column, p.level_text});
  chart.frame.description = fill(p.w.ranking_note, {p.level_text});
  chart.frame.language = p.language;
  chart.frame.decimals = chart_decimals;
  chart.ranked = true;
  std::vector<std::vector<std::string>> rows;
  for (const auto& u : p.units) {
    const ResultEstimate* e = u.overall;
    const bool drawn = e && !e->suppressed();
    chart.bars.push_back({u.label, Page::charted(e), drawn ? e->ci_low : absent,
                          drawn ? e->ci_high : absent, u.level});
    chart.ranks.push_back(u.rank);
    rows.push_back({u.rank > 0 ? std::to_string(u.rank) : missing_value_text,
                    io::escape_html(u.label), io::escape_html(p.shown(e)),
                    io::escape_html(e ? p.interval(*e) : missing_value_text),
                    io::escape_html(p.count(e ? e->n : absent))});
  }
  if (const ResultEstimate* overall = p.overall(); overall && std::isfinite(overall->estimate)) {
    chart.reference = overall->estimate;
    chart.reference_label = std::string(p.w.province) + " " +
                            format_number(overall->estimate, chart_decimals, p.language);
  }
  std::string body = "<figure class=\"chart-figure\" id=\"ranking-chart\">" + bar_chart_svg(chart) +
                     "<figcaption>" + io::escape_html(fill(p.w.ranking_note, {p.level_text})) +
                     " " + io::escape_html(fill(p.w.rank_note, {std::to_string(index_decimals)})) +
                     "</figcaption></figure>";
  body +=
      details(p.w.show_numbers,
              table({io::escape_html(std::string(p.w.rank)), io::escape_html(std::string(p.w.unit)),
                     io::escape_html(std::string(p.w.index_percent)),
                     io::escape_html(fill(p.w.ci_long, {p.level_text})),
                     io::escape_html(std::string(p.w.n))},
                    rows, {"num", "name", "num", "num", "num opt"}, "ranking-table"));
  return section("ranking", p.w.sec_ranking, body);
}

std::string profiles_section(const Page& p) {
  if (p.units.empty() || p.element_ids.empty()) return "";
  std::string body = "<ul class=\"legend\"><li><span class=\"swatch dot\"></span>" +
                     io::escape_html(fill(p.w.legend_unit, {p.level_text})) +
                     "</li><li><span class=\"swatch tick\"></span>" +
                     io::escape_html(std::string(p.w.legend_province)) + "</li></ul>";
  body += "<div class=\"multiples\">";
  for (const auto& u : p.units) {
    ProfileChart chart;
    chart.frame.title = fill(p.w.profile_chart, {u.label, p.level_text});
    chart.frame.description = fill(p.w.profile_note, {p.level_text});
    chart.frame.language = p.language;
    chart.frame.decimals = chart_decimals;
    const Domain domain = {{p.unit_column, u.level}};
    for (const auto& id : p.element_ids) {
      const ResultEstimate* e = p.find("element_index", id, domain);
      const ResultEstimate* province = p.find("element_index", id);
      const std::string label = p.element_label(id);
      const bool drawn = e && !e->suppressed();
      chart.rows.push_back({label == id ? id : id + " · " + label, Page::charted(e),
                            drawn ? e->ci_low : absent, drawn ? e->ci_high : absent,
                            Page::charted(province)});
    }
    body += "<figure class=\"chart-figure profile\" data-unit=\"" + io::escape_html(u.level) +
            "\"><figcaption class=\"profile-title\"><span class=\"profile-name\">" +
            io::escape_html(u.rank > 0 ? std::to_string(u.rank) + ". " + u.label : u.label) +
            "</span><span class=\"profile-value\">" + io::escape_html(p.shown(u.overall)) +
            "</span></figcaption>" + profile_chart_svg(chart) + "</figure>";
  }
  body += "</div>" + note(fill(p.w.profile_note, {p.level_text}));
  return section("profiles", p.w.sec_profiles, body);
}

}  // namespace sipas::reports::page
