// Response rates by stratum, from the admin API's progress document.

#include <cmath>

#include "reports/report_page.hpp"
#include "reports/svg_charts.hpp"

namespace sipas::reports::page {
namespace {

constexpr int rate_decimals = 1;

std::string rate_text(const Page& p, double rate) {
  return format_percent(std::isfinite(rate) ? rate * 100 : absent, rate_decimals, p.language);
}

std::vector<std::string> rate_row(const Page& p, const std::string& label, const FieldworkRow& r,
                                  bool reserves) {
  return {io::escape_html(label),
          io::escape_html(p.count(static_cast<double>(r.invited))),
          io::escape_html(p.count(static_cast<double>(r.opened))),
          io::escape_html(p.count(static_cast<double>(r.responded))),
          io::escape_html(rate_text(p, r.response_rate)),
          io::escape_html(rate_text(p, r.open_rate)),
          reserves ? io::escape_html(p.count(static_cast<double>(r.reserves_waiting))) : ""};
}

}  // namespace

std::string rates_section(const Page& p) {
  if (!p.in.progress) return "";
  const FieldworkProgress& progress = *p.in.progress;
  RateChart chart;
  chart.frame.title = p.w.rates_chart;
  chart.frame.description = p.w.rates_note;
  chart.frame.language = p.language;
  chart.frame.decimals = rate_decimals;
  chart.frame.suffix = "%";
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : progress.strata) {
    chart.bars.push_back({s.stratum,
                          std::isfinite(s.response_rate) ? s.response_rate * 100 : absent,
                          std::isfinite(s.open_rate) ? s.open_rate * 100 : absent,
                          static_cast<double>(s.responded), static_cast<double>(s.invited)});
    rows.push_back(rate_row(p, s.stratum, s, true));
  }
  rows.push_back(rate_row(p, std::string(p.w.total), progress.overall, false));
  if (std::isfinite(progress.overall.response_rate)) {
    chart.reference = progress.overall.response_rate * 100;
    chart.reference_label =
        std::string(p.w.total) + " " + rate_text(p, progress.overall.response_rate);
  }
  std::string body;
  if (!progress.strata.empty()) {
    body += "<figure class=\"chart-figure\" id=\"rates-chart\">" + rate_chart_svg(chart) +
            "<figcaption>" + io::escape_html(std::string(p.w.rates_note)) +
            "</figcaption></figure>";
  }
  body += table(
      {io::escape_html(std::string(p.w.stratum)), io::escape_html(std::string(p.w.invited)),
       io::escape_html(std::string(p.w.opened)), io::escape_html(std::string(p.w.responded)),
       io::escape_html(std::string(p.w.response_rate)), io::escape_html(std::string(p.w.open_rate)),
       io::escape_html(std::string(p.w.reserves_waiting))},
      rows, {"name", "num", "num opt", "num", "num", "num opt", "num opt"}, "rates-table");
  if (progress.open_link_responses > 0) {
    body += "<p class=\"facts\">" + io::escape_html(std::string(p.w.open_link_responses)) + ": " +
            io::escape_html(p.count(static_cast<double>(progress.open_link_responses))) + "</p>";
  }
  return section("rates", p.w.sec_rates, body);
}

}  // namespace sipas::reports::page
