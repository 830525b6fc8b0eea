// The PAR index table: units by rank with points, maximum, index, group and
// flags, the group thresholds, and the points by area.

#include <algorithm>
#include <cmath>

#include "reports/report_page.hpp"

namespace sipas::reports::page {
namespace {

// Badge colours go by the group's place in the thresholds (first = best), so
// any group names work.
std::string group_badge(const ParIndexResult& par, const std::optional<std::string>& group) {
  if (!group) return missing_value_text;
  std::size_t place = 0;
  for (std::size_t i = 0; i < par.thresholds.size(); ++i) {
    if (par.thresholds[i].group == *group) place = i + 1;
  }
  return "<span class=\"badge badge-" + std::to_string(std::min<std::size_t>(place, 4)) + "\">" +
         io::escape_html(*group) + "</span>";
}

std::string in_language(const Page& p, const BilingualText& t) {
  return p.language == Language::Vi ? t.vi : t.en;
}

// The areas: the top-level nodes, or the children of a single root.
std::vector<const ParNode*> areas_of(const ParIndexResult& par) {
  std::vector<const ParNode*> top;
  for (const auto& n : par.nodes) {
    const bool has_parent =
        !n.parent.empty() && std::any_of(par.nodes.begin(), par.nodes.end(),
                                         [&](const ParNode& m) { return m.id == n.parent; });
    if (!has_parent) top.push_back(&n);
  }
  if (top.size() == 1) {
    std::vector<const ParNode*> children;
    for (const auto& n : par.nodes) {
      if (n.parent == top[0]->id) children.push_back(&n);
    }
    if (!children.empty()) return children;
  }
  return top;
}

// Leaves listed in a "survey points missing" flag before it is cut short.
constexpr std::size_t max_listed = 6;

}  // namespace

std::string par_section(const Page& p) {
  if (!p.in.par_index) return "";
  const ParIndexResult& par = *p.in.par_index;
  const int decimals = par.precision;
  auto points = [&](double x) { return io::escape_html(format_number(x, decimals, p.language)); };

  std::string body = "<p class=\"facts\">" + io::escape_html(std::string(p.w.par_scheme)) + ": ";
  const std::string title = in_language(p, par.title);
  body += io::escape_html(title.empty() ? par.scheme_id : title);
  std::string detail = par.scheme_id;
  for (const auto* part : {&par.decision, &par.year, &par.level}) {
    if (!part->empty()) detail += " · " + *part;
  }
  if (!title.empty()) body += " (" + io::escape_html(detail) + ")";
  if (std::isfinite(par.survey_max)) {
    body += " · " + io::escape_html(std::string(p.w.survey_max)) + ": " + points(par.survey_max);
  }
  body += "</p>";
  if (!par.thresholds.empty()) {
    body += "<p class=\"facts thresholds\">" + io::escape_html(std::string(p.w.thresholds)) + ": ";
    for (std::size_t i = 0; i < par.thresholds.size(); ++i) {
      if (i > 0) body += "; ";
      body += group_badge(par, par.thresholds[i].group) + " " +
              io::escape_html(fill(p.w.threshold_item,
                                   {par.thresholds[i].group,
                                    format_number(par.thresholds[i].min, decimals, p.language)}));
    }
    body += "</p>";
  }

  std::vector<const ParUnit*> order;
  for (const auto& u : par.units)
    order.push_back(&u);
  std::stable_sort(order.begin(), order.end(), [](const ParUnit* a, const ParUnit* b) {
    if (a->rank.has_value() != b->rank.has_value()) return a->rank.has_value();
    if (a->rank && *a->rank != *b->rank) return *a->rank < *b->rank;
    const bool fa = std::isfinite(a->index), fb = std::isfinite(b->index);
    if (fa != fb) return fa;
    return fa && a->index > b->index;
  });
  std::vector<std::vector<std::string>> rows;
  for (const ParUnit* u : order) {
    std::vector<std::string> flags;
    if (u->rescaled) flags.push_back(std::string(p.w.rescaled));
    if (!u->ranked) flags.push_back(std::string(p.w.not_ranked));
    std::string full_list;  // in the flag's title when the shown list is cut
    if (!u->survey_missing.empty()) {
      std::string list;
      for (std::size_t i = 0; i < u->survey_missing.size(); ++i) {
        full_list += (i == 0 ? "" : ", ") + u->survey_missing[i];
        if (i < max_listed) list += (i == 0 ? "" : ", ") + u->survey_missing[i];
      }
      if (u->survey_missing.size() > max_listed)
        list += ", \xE2\x80\xA6 (" + std::to_string(u->survey_missing.size()) + ")";
      else
        full_list.clear();
      flags.push_back(fill(p.w.survey_missing, {list}));
    }
    std::string flag_html;
    for (std::size_t i = 0; i < flags.size(); ++i) {
      const bool cut = i + 1 == flags.size() && !full_list.empty();
      flag_html += "<span class=\"flag\"" +
                   (cut ? " title=\"" + io::escape_html(full_list) + "\"" : std::string()) + ">" +
                   io::escape_html(flags[i]) + "</span>";
    }
    if (!flag_html.empty()) flag_html = "<div class=\"flag-list\">" + flag_html + "</div>";
    // Index and group first: on a phone they are what shows before scrolling.
    rows.push_back({u->rank ? std::to_string(*u->rank) : missing_value_text,
                    io::escape_html(u->name.empty() ? u->unit : u->name), points(u->index),
                    group_badge(par, u->group), points(u->points), points(u->max_points),
                    flag_html});
  }
  body +=
      table({io::escape_html(std::string(p.w.rank)), io::escape_html(std::string(p.w.unit)),
             io::escape_html(std::string(p.w.par_index)), io::escape_html(std::string(p.w.group)),
             io::escape_html(std::string(p.w.points)), io::escape_html(std::string(p.w.max_points)),
             io::escape_html(std::string(p.w.notes))},
            rows, {"num", "name", "num", "group", "num", "num", "flags"}, "par-table");

  const auto areas = areas_of(par);
  if (!areas.empty()) {
    std::vector<std::string> header = {io::escape_html(std::string(p.w.unit))};
    std::vector<std::string> numeric = {"name"};
    std::string key = "<dl class=\"area-key\">";
    for (const ParNode* a : areas) {
      const std::string label = in_language(p, a->label);
      header.push_back("<abbr title=\"" + io::escape_html(label) + "\">" + io::escape_html(a->id) +
                       "</abbr>");
      numeric.push_back("num");
      key += "<div><dt>" + io::escape_html(a->id) + "</dt><dd>" + io::escape_html(label) +
             (std::isfinite(a->max_points) ? " (" + points(a->max_points) + ")" : "") +
             "</dd></div>";
    }
    key += "</dl>";
    std::vector<std::vector<std::string>> area_rows;
    for (const ParUnit* u : order) {
      std::vector<std::string> row = {io::escape_html(u->name.empty() ? u->unit : u->name)};
      for (const ParNode* a : areas) {
        auto it = u->nodes.find(a->id);
        row.push_back(it == u->nodes.end() ? missing_value_text : points(it->second.points));
      }
      area_rows.push_back(std::move(row));
    }
    body += "<h3>" + io::escape_html(std::string(p.w.par_areas)) + "</h3>" +
            table(header, area_rows, numeric, "par-areas") + key;
  }
  return section("par-index", p.w.sec_par, body);
}

}  // namespace sipas::reports::page
