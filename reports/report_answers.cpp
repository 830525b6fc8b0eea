// Answer distributions: the weighted share of every answer code of every item
// (statistic "answer_share", variable "ITEM=CODE"), for the whole population,
// as stacked bars grouped by element.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "reports/report_page.hpp"
#include "reports/svg_charts.hpp"

namespace sipas::reports::page {
namespace {

namespace q = sipas::questionnaires;

struct ItemShares {
  std::string id;
  std::vector<std::pair<std::string, double>> codes;  // in results order
};

struct Category {
  std::string code, label;
  bool excluded = false;
};

bool is_number(const std::string& text, long long& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

// The categories of an item: its scale's choices when the questionnaire
// knows it, else the codes in the results (numeric codes in numeric order).
std::vector<Category> categories_of(const Page& p, const ItemShares& item) {
  std::vector<Category> out;
  const q::Item* qi = p.in.questionnaire ? p.in.questionnaire->find(item.id) : nullptr;
  if (qi && qi->scale) {
    for (std::size_t c = 0; c < qi->scale->choices.size(); ++c) {
      const auto& choice = qi->scale->choices[c];
      std::string label = p.text(choice.label);
      out.push_back({choice.code.to_string(), label.empty() ? choice.code.to_string() : label,
                     qi->scale->is_excluded(static_cast<std::uint16_t>(c))});
    }
    return out;
  }
  for (const auto& [code, share] : item.codes)
    out.push_back({code, code, false});
  long long a = 0, b = 0;
  const bool numeric =
      std::all_of(out.begin(), out.end(), [&](const Category& c) { return is_number(c.code, a); });
  if (numeric) {
    std::stable_sort(out.begin(), out.end(), [&](const Category& x, const Category& y) {
      is_number(x.code, a);
      is_number(y.code, b);
      return a < b;
    });
  }
  return out;
}

// Answers that run from bad to good (a Likert scale, or an item scored as
// satisfied) get red-to-blue colours; other lists shades of one colour.
bool runs_bad_to_good(const Page& p, const ItemShares& item) {
  const q::Item* qi = p.in.questionnaire ? p.in.questionnaire->find(item.id) : nullptr;
  if (!qi) return true;  // without the questionnaire: codes are assumed to be a scale
  return qi->type == q::ItemType::Likert || (qi->scoring && !qi->scoring->satisfied.empty());
}

std::vector<std::string> colors_for(const std::vector<Category>& categories, bool diverging) {
  std::size_t counted = 0;
  for (const auto& c : categories)
    counted += c.excluded ? 0 : 1;
  const auto ramp = diverging ? diverging_colors(counted) : sequential_colors(counted);
  std::vector<std::string> out;
  std::size_t k = 0;
  for (const auto& c : categories)
    out.push_back(c.excluded ? std::string(excluded_color) : ramp[k++]);
  return out;
}

std::string legend(const std::vector<Category>& categories,
                   const std::vector<std::string>& colors) {
  std::string out = "<ul class=\"legend\">";
  for (std::size_t i = 0; i < categories.size(); ++i) {
    out += "<li><span class=\"swatch\" style=\"background:" + io::escape_html(colors[i]) +
           "\"></span>" + io::escape_html(categories[i].label) + "</li>";
  }
  return out + "</ul>";
}

}  // namespace

std::string answers_section(const Page& p) {
  std::vector<ItemShares> items;
  std::map<std::string, std::size_t> item_index;
  for (const auto& e : p.in.results.estimates) {
    if (e.statistic != "answer_share" || !e.domain.empty()) continue;
    const auto eq = e.variable.find('=');
    if (eq == std::string::npos) continue;
    const std::string id = e.variable.substr(0, eq);
    auto [it, added] = item_index.emplace(id, items.size());
    if (added) items.push_back({id, {}});
    items[it->second].codes.emplace_back(e.variable.substr(eq + 1), e.estimate);
  }
  if (items.empty()) return "";

  // Groups: the elements in the results' order, then items feeding none.
  struct Group {
    std::string heading;
    std::string title;
    std::vector<const ItemShares*> items;
  };
  std::vector<Group> groups;
  const auto* form = p.in.questionnaire ? &*p.in.questionnaire : nullptr;
  if (form) {
    std::stable_sort(items.begin(), items.end(), [&](const ItemShares& a, const ItemShares& b) {
      const q::Item* x = form->find(a.id);
      const q::Item* y = form->find(b.id);
      if ((x != nullptr) != (y != nullptr)) return x != nullptr;
      return x && x->slot < y->slot;
    });
    std::vector<std::string> elements = p.element_ids;
    for (const auto& e : form->scoring().elements) {
      if (std::find(elements.begin(), elements.end(), e.id) == elements.end())
        elements.push_back(e.id);
    }
    for (const auto& element : elements) {
      Group g;
      const std::string label = p.element_label(element);
      g.heading = label == element ? element : element + " · " + label;
      g.title = fill(p.w.answers_chart, {g.heading});
      for (const auto& item : items) {
        const q::Item* qi = form->find(item.id);
        if (qi && qi->scoring && qi->scoring->element == element) g.items.push_back(&item);
      }
      if (!g.items.empty()) groups.push_back(std::move(g));
    }
    Group other;
    other.heading = other.title = p.w.other_items;
    for (const auto& item : items) {
      const q::Item* qi = form->find(item.id);
      if (!qi || !qi->scoring || qi->scoring->element.empty()) other.items.push_back(&item);
    }
    if (!other.items.empty()) groups.push_back(std::move(other));
  } else {
    Group all;
    all.title = p.w.sec_answers;
    for (const auto& item : items)
      all.items.push_back(&item);
    groups.push_back(std::move(all));
  }

  std::string body = note(p.w.answers_note);
  for (const auto& g : groups) {
    if (!g.heading.empty()) body += "<h3>" + io::escape_html(g.heading) + "</h3>";
    // One chart for each run of items with the same answers.
    std::size_t i = 0;
    while (i < g.items.size()) {
      const auto categories = categories_of(p, *g.items[i]);
      const bool diverging = runs_bad_to_good(p, *g.items[i]);
      StackedChart chart;
      chart.frame.title = g.title;
      chart.frame.description = p.w.answers_note;
      chart.frame.language = p.language;
      chart.frame.decimals = chart_decimals;
      for (const auto& c : categories)
        chart.categories.push_back(c.label);
      chart.colors = colors_for(categories, diverging);
      std::size_t j = i;
      for (; j < g.items.size(); ++j) {
        const auto next = categories_of(p, *g.items[j]);
        const bool same = runs_bad_to_good(p, *g.items[j]) == diverging &&
                          next.size() == categories.size() &&
                          std::equal(next.begin(), next.end(), categories.begin(),
                                     [](const Category& a, const Category& b) {
                                       return a.code == b.code && a.label == b.label;
                                     });
        if (!same) break;
        StackedRow row;
        row.label = p.item_label(g.items[j]->id);
        row.key = g.items[j]->id;
        for (const auto& c : categories) {
          double share = absent;
          for (const auto& [code, value] : g.items[j]->codes) {
            if (code == c.code) share = value;
          }
          row.shares.push_back(share);
        }
        chart.rows.push_back(std::move(row));
      }
      body += "<figure class=\"chart-figure answers\">" + legend(categories, chart.colors) +
              stacked_chart_svg(chart) + "</figure>";
      i = j;
    }
  }
  return section("answers", p.w.sec_answers, body);
}

}  // namespace sipas::reports::page
