// The scales' quality in the methods section: per scale its alphas, per item
// its item–rest correlation, alpha if dropped and shares of "don't know" and
// blank answers, all read from the results file's "scales".

#include <algorithm>

#include "reports/report_page.hpp"

namespace sipas::reports::page {
namespace {

constexpr int coefficient_decimals = 3;
constexpr int share_decimals = 1;

std::string name_cell(const std::string& id, const std::string& label) {
  std::string out = "<code>" + io::escape_html(id) + "</code>";
  if (!label.empty() && label != id) out += " " + io::escape_html(label);
  return out;
}

}  // namespace

std::string scales_table(const Page& p) {
  const auto& scales = p.in.results.scales;
  if (scales.empty()) return "";
  auto coefficient = [&](double x) {
    return io::escape_html(format_number(x, coefficient_decimals, p.language));
  };
  auto percent = [&](double share) {
    return io::escape_html(format_number(share * 100, share_decimals, p.language));
  };
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : scales) {
    const std::string label = s.source == "element" ? p.element_label(s.name) : s.name;
    rows.push_back({"<strong>" + name_cell(s.name, label) + "</strong>", coefficient(s.alpha),
                    coefficient(s.std_alpha), coefficient(s.alpha_weighted), "", "", "", ""});
    // With two items left, dropping one leaves a single item, which has no
    // alpha (results.json keeps psych's number for it).
    const std::size_t kept = s.items.size() - std::min(s.items.size(), s.no_variance.size());
    for (std::size_t j = 0; j < s.items.size(); ++j) {
      const std::string& item = s.items[j];
      rows.push_back({name_cell(item, p.item_label(item)), "", "", "", coefficient(s.item_rest[j]),
                      kept > 2 ? coefficient(s.alpha_if_dropped[j]) : missing_value_text,
                      percent(s.dont_know_share[j]), percent(s.missing_share[j])});
    }
  }
  const auto& w = p.w;
  std::vector<std::string> header;
  for (auto word : {w.scale_item, w.alpha, w.std_alpha, w.alpha_weighted, w.item_rest,
                    w.alpha_if_dropped, w.dont_know_percent, w.missing_percent})
    header.push_back(io::escape_html(std::string(word)));
  return "<h3>" + io::escape_html(std::string(w.scales)) + "</h3>" +
         table(header, rows, {"", "num", "num", "num", "num", "num", "num", "num"},
               "scales-table") +
         note(w.scales_note);
}

}  // namespace sipas::reports::page
