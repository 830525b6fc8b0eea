#include "analysis/indices.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "analysis/error.hpp"

namespace sipas::analysis {
namespace q = sipas::questionnaires;

namespace {

constexpr double percent = 100;

// The choice index of every level of the item's column (-1 for the empty
// level, a missing answer).
std::vector<int> level_choices(const Table& data, const q::Item& item) {
  const Column& column = data.column(item.id);
  constexpr int unknown = -2;
  std::vector<int> by_level(column.levels().size(), -1);
  bool any_unknown = false;
  for (std::size_t l = 0; l < column.levels().size(); ++l) {
    const std::string& text = column.levels()[l];
    if (text.empty()) continue;
    std::optional<std::uint16_t> found = item.scale->find(text);
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (!found && ec == std::errc() && end == text.data() + text.size())
      found = item.scale->find(number);
    by_level[l] = found ? *found : unknown;
    any_unknown |= !found;
  }
  if (any_unknown) {
    // The code that comes first in the file, at its line.
    const std::size_t row =
        data.first_in_file([&](std::size_t i) { return by_level[column.code(i)] == unknown; });
    throw AnalysisError("data.unknown_code", data.source() + ":" +
                                                 std::to_string(data.line_of(row)) + ": item '" +
                                                 item.id + "': '" + column.text(row).substr(0, 40) +
                                                 "' is not one of its codes");
  }
  return by_level;
}

bool contains(const std::vector<std::uint16_t>& list, int choice) {
  return std::find(list.begin(), list.end(), static_cast<std::uint16_t>(choice)) != list.end();
}

// Share of rows whose answer is in `counted`, among rows with a valid answer
// (answered, not an excluded code), as a ratio of the item's column.
CodedRatio share_ratio(const Column& column, const std::vector<int>& choices, const q::Item& item,
                       const std::vector<std::uint16_t>& counted,
                       const std::vector<std::uint16_t>& excluded) {
  CodedRatio r{&column, std::vector<double>(choices.size()), std::vector<double>(choices.size())};
  for (std::size_t l = 0; l < choices.size(); ++l) {
    const int c = choices[l];
    if (c < 0 || item.scale->is_excluded(static_cast<std::uint16_t>(c)) || contains(excluded, c)) {
      r.numerator[l] = r.denominator[l] = std::nan("");
      continue;
    }
    r.numerator[l] = contains(counted, c) ? 1 : 0;
    r.denominator[l] = 1;
  }
  return r;
}

// Share of one answer code among the answers given (excluded codes included).
CodedRatio code_ratio(const Column& column, const std::vector<int>& choices, int code) {
  CodedRatio r{&column, std::vector<double>(choices.size()), std::vector<double>(choices.size())};
  for (std::size_t l = 0; l < choices.size(); ++l) {
    if (choices[l] < 0) {
      r.numerator[l] = r.denominator[l] = std::nan("");
    } else {
      r.numerator[l] = choices[l] == code ? 1 : 0;
      r.denominator[l] = 1;
    }
  }
  return r;
}

class Builder {
 public:
  Builder(const Engine& engine, const IndexOptions& options, const Domain& domain,
          std::vector<Estimate>& out)
      : engine_(engine), options_(options), domain_(domain), out_(out) {}

  // Emits a share (a piece on the 0-1 scale) in percent.
  void emit(const Piece& piece, const std::string& statistic, const std::string& variable) {
    Estimate e = engine_.estimate(piece, statistic, variable);
    e.domain = domain_.labels;
    e.df = engine_.degrees_of_freedom();
    if (std::isfinite(e.estimate) && e.estimate >= 0 && e.estimate <= 1 && e.se > 0) {
      add_interval(e, options_.interval, options_.level, static_cast<double>(engine_.rows()));
    } else {
      add_interval(e, IntervalMethod::Wald, options_.level, static_cast<double>(engine_.rows()));
    }
    for (double* v : {&e.estimate, &e.se, &e.ci_low, &e.ci_high})
      *v *= percent;
    e.deff = e.deff_replace = not_available;  // a design effect of a composite is not defined here
    out_.push_back(std::move(e));
  }

  // An index that cannot be estimated in this domain (no valid answer to one
  // of its items): reported as missing, never silently redefined.
  void emit_missing(const std::string& statistic, const std::string& variable) {
    Estimate e;
    e.statistic = statistic;
    e.variable = variable;
    e.domain = domain_.labels;
    e.df = engine_.degrees_of_freedom();
    out_.push_back(std::move(e));
  }

 private:
  const Engine& engine_;
  const IndexOptions& options_;
  const Domain& domain_;
  std::vector<Estimate>& out_;
};

}  // namespace

std::vector<Domain> domains_of(const Table& data, const std::vector<std::string>& by,
                               std::vector<std::int32_t>* row_domain) {
  std::vector<Domain> out(1);
  if (row_domain) row_domain->assign(data.rows(), -1);
  if (by.empty()) return out;
  // Each column's levels ranked by their text (missing: none), so that rank
  // tuples sort as the level texts do.
  constexpr std::uint32_t missing = std::numeric_limits<std::uint32_t>::max();
  std::vector<const Column*> columns;
  std::vector<std::vector<std::uint32_t>> rank;
  std::vector<std::vector<std::size_t>> level_of_rank;
  double combinations = 1;
  for (const auto& name : by) {
    const Column& c = data.column(name);
    std::vector<std::size_t> order;
    for (std::size_t l = 0; l < c.levels().size(); ++l) {
      if (!c.levels()[l].empty()) order.push_back(l);
    }
    std::sort(order.begin(), order.end(),
              [&](std::size_t x, std::size_t y) { return c.levels()[x] < c.levels()[y]; });
    std::vector<std::uint32_t> r(c.levels().size(), missing);
    for (std::size_t k = 0; k < order.size(); ++k)
      r[order[k]] = static_cast<std::uint32_t>(k);
    columns.push_back(&c);
    rank.push_back(std::move(r));
    combinations *= static_cast<double>(std::max<std::size_t>(1, order.size()));
    level_of_rank.push_back(std::move(order));
  }
  // The rows of every combination present, keyed by its rank tuple, with the
  // order in which it was first met (each row's, for row_domain).
  struct Group {
    RowMask rows;
    std::int32_t met = 0;
  };
  std::map<std::vector<std::uint32_t>, Group> groups;
  std::vector<std::int32_t> met_of_row(row_domain ? data.rows() : 0, -1);
  std::vector<std::uint32_t> key(by.size());
  // With few combinations, a table from the tuple's mixed-radix number.
  constexpr double dense_limit = 1 << 20;
  std::vector<Group*> dense(combinations <= dense_limit ? static_cast<std::size_t>(combinations)
                                                        : 0);
  for (std::size_t i = 0; i < data.rows(); ++i) {
    bool absent = false;
    std::size_t number = 0;
    for (std::size_t k = 0; k < columns.size(); ++k) {
      key[k] = rank[k][columns[k]->code(i)];
      absent |= key[k] == missing;
      number = number * level_of_rank[k].size() + key[k];
    }
    if (absent) continue;
    Group* group = dense.empty() ? nullptr : dense[number];
    if (!group) {
      group = &groups[key];
      if (group->rows.empty()) {
        group->rows.assign(data.rows(), false);
        group->met = static_cast<std::int32_t>(groups.size() - 1);
      }
      if (!dense.empty()) dense[number] = group;
    }
    group->rows[i] = true;
    if (row_domain) met_of_row[i] = group->met;
  }
  std::vector<std::int32_t> domain_of_met(groups.size());
  for (auto& [ranks, group] : groups) {
    Domain d;
    for (std::size_t k = 0; k < by.size(); ++k)
      d.labels.emplace_back(by[k], columns[k]->levels()[level_of_rank[k][ranks[k]]]);
    d.rows = std::move(group.rows);
    domain_of_met[static_cast<std::size_t>(group.met)] = static_cast<std::int32_t>(out.size());
    out.push_back(std::move(d));
  }
  if (row_domain) {
    for (std::size_t i = 0; i < met_of_row.size(); ++i) {
      if (met_of_row[i] >= 0)
        (*row_domain)[i] = domain_of_met[static_cast<std::size_t>(met_of_row[i])];
    }
  }
  return out;
}

std::vector<Estimate> satisfaction_indices(const Engine& engine, const Table& data,
                                           const q::Questionnaire& form,
                                           const std::vector<Domain>& domains,
                                           const IndexOptions& options) {
  const auto& scoring = form.scoring();
  if (scoring.elements.empty()) {
    throw AnalysisError("index.no_scoring",
                        "questionnaire '" + form.id() + "' has no scoring elements");
  }
  // Every share the indices need, as ratios of coded columns, estimated for
  // all domains together (Engine::ratios); `slot` is the ratio's index.
  std::vector<CodedRatio> ratios;
  auto add = [&](CodedRatio r) {
    ratios.push_back(std::move(r));
    return ratios.size() - 1;
  };
  // Per scored item: its answers' choice indices by level, read once.
  struct ScoredItem {
    const q::Item* item = nullptr;
    std::vector<int> choices;
    std::size_t satisfied = 0, expectation = 0, indicator = 0;
    std::vector<std::size_t> codes;  // answer distribution, per choice
  };
  std::vector<ScoredItem> scored;
  std::vector<ScoredItem> others;  // expectation and indicator items
  for (const auto& item : form.items()) {
    if (!item.scoring) continue;
    if (!data.has(item.id)) {
      if (!item.scoring->element.empty()) {
        throw AnalysisError("index.missing_item",
                            data.source() + ": no column for scored item '" + item.id + "'");
      }
      continue;
    }
    ScoredItem s;
    s.item = &item;
    s.choices = level_choices(data, item);
    const Column& column = data.column(item.id);
    if (!item.scoring->element.empty()) {
      s.satisfied = add(
          share_ratio(column, s.choices, item, item.scoring->satisfied, item.scoring->excluded));
      scored.push_back(std::move(s));
    } else {
      const auto& sc = *item.scoring;
      if (!sc.expectation.empty())
        s.expectation = add(share_ratio(column, s.choices, item, sc.expectation, sc.excluded));
      if (sc.indicator)
        s.indicator = add(share_ratio(column, s.choices, item, sc.indicator->choices, sc.excluded));
      others.push_back(std::move(s));
    }
  }
  std::optional<std::size_t> overall_item;
  if (scoring.overall && scoring.overall->method == q::Overall::Method::Item) {
    const q::Item* item = form.find(scoring.overall->item);
    if (item && data.has(item->id)) {
      const auto& codes = item->scoring->satisfied.empty() ? item->scoring->indicator->choices
                                                           : item->scoring->satisfied;
      overall_item = add(share_ratio(data.column(item->id), level_choices(data, *item), *item,
                                     codes, item->scoring->excluded));
    }
  }
  if (options.distributions) {
    for (auto* list : {&scored, &others}) {
      for (auto& s : *list) {
        const Column& column = data.column(s.item->id);
        for (std::uint16_t c = 0; c < s.item->scale->choices.size(); ++c)
          s.codes.push_back(add(code_ratio(column, s.choices, c)));
      }
    }
  }

  std::vector<const RowMask*> masks;
  for (const auto& domain : domains)
    masks.push_back(&domain.rows);
  std::vector<Estimate> out;
  engine.ratios(ratios, masks, [&](std::size_t d, RatioPieces& shares) {
    const Domain& domain = domains[d];
    Builder emit(engine, options, domain, out);
    std::map<std::string, Piece> item_pieces;
    std::map<std::string, std::vector<std::pair<double, std::string>>>
        element_items;  // element -> (weight, item)
    for (const auto& s : scored) {
      element_items[s.item->scoring->element].emplace_back(s.item->scoring->weight, s.item->id);
      auto& p = shares[s.satisfied];
      if (!p) {
        emit.emit_missing("item_index", s.item->id);
        continue;
      }
      emit.emit(*p, "item_index", s.item->id);
      item_pieces.emplace(s.item->id, std::move(*p));
    }
    std::map<std::string, Piece> element_pieces;
    for (const auto& element : scoring.elements) {
      std::vector<std::pair<double, const Piece*>> terms;
      bool complete = true;
      if (element.method == q::Element::Method::Item) {
        auto it = item_pieces.find(element.item);
        complete = it != item_pieces.end();
        if (complete) terms.emplace_back(1.0, &it->second);
      } else {
        const auto& members = element_items[element.id];
        if (members.empty()) continue;  // fed only by external inputs (PAR points)
        double total_weight = 0;
        for (const auto& [w, id] : members)
          total_weight += element.method == q::Element::Method::WeightedItems ? w : 1;
        for (const auto& [w, id] : members) {
          const double a =
              (element.method == q::Element::Method::WeightedItems ? w : 1) / total_weight;
          auto it = item_pieces.find(id);
          if (it == item_pieces.end()) {
            complete = false;
            break;
          }
          terms.emplace_back(a, &it->second);
        }
      }
      if (!complete) {
        emit.emit_missing("element_index", element.id);
        continue;
      }
      Piece p = combine(terms);
      emit.emit(p, "element_index", element.id);
      element_pieces.emplace(element.id, std::move(p));
    }
    auto mean_of = [](const std::vector<const Piece*>& pieces) {
      std::vector<std::pair<double, const Piece*>> terms;
      for (const auto* p : pieces)
        terms.emplace_back(1.0 / static_cast<double>(pieces.size()), p);
      return combine(terms);
    };
    std::map<std::string, Piece> group_pieces;
    for (const auto& group : scoring.groups) {
      std::vector<const Piece*> members;
      for (const auto& e : group.elements) {
        if (element_pieces.contains(e)) members.push_back(&element_pieces.at(e));
      }
      if (members.size() != group.elements.size()) {
        emit.emit_missing("group_index", group.id);
        continue;
      }
      Piece p = mean_of(members);
      emit.emit(p, "group_index", group.id);
      group_pieces.emplace(group.id, std::move(p));
    }
    if (scoring.overall) {
      const auto& o = *scoring.overall;
      std::vector<const Piece*> members;
      std::optional<Piece> overall;
      switch (o.method) {
        case q::Overall::Method::MeanOfElements:
          for (const auto& e : scoring.elements) {
            bool listed = o.elements.empty() ||
                          std::find(o.elements.begin(), o.elements.end(), e.id) != o.elements.end();
            if (listed && element_pieces.contains(e.id))
              members.push_back(&element_pieces.at(e.id));
          }
          if (!members.empty()) overall = mean_of(members);
          break;
        case q::Overall::Method::MeanOfGroups:
          for (const auto& g : scoring.groups) {
            bool listed = o.groups.empty() ||
                          std::find(o.groups.begin(), o.groups.end(), g.id) != o.groups.end();
            if (listed && group_pieces.contains(g.id)) members.push_back(&group_pieces.at(g.id));
          }
          if (!members.empty()) overall = mean_of(members);
          break;
        case q::Overall::Method::MeanOfItems:
          for (const auto& [id, p] : item_pieces)
            members.push_back(&p);
          if (!members.empty()) overall = mean_of(members);
          break;
        case q::Overall::Method::Weighted: {
          std::vector<std::pair<double, const Piece*>> terms;
          for (const auto& [element, w] : o.weights) {
            if (element_pieces.contains(element))
              terms.emplace_back(w, &element_pieces.at(element));
          }
          if (!terms.empty()) overall = combine(terms);
          break;
        }
        case q::Overall::Method::Item:
          if (overall_item) overall = std::move(shares[*overall_item]);
          break;
      }
      if (overall) {
        emit.emit(*overall, "overall_index", "overall");
      } else {
        emit.emit_missing("overall_index", "overall");
      }
    }
    for (const auto& s : others) {
      const auto& sc = *s.item->scoring;
      if (!sc.expectation.empty()) {
        const auto& p = shares[s.expectation];
        if (p) emit.emit(*p, "expectation_share", s.item->id);
        if (!p) emit.emit_missing("expectation_share", s.item->id);
      }
      if (sc.indicator) {
        const auto& p = shares[s.indicator];
        if (p) emit.emit(*p, "indicator_share", sc.indicator->id);
        if (!p) emit.emit_missing("indicator_share", sc.indicator->id);
      }
    }
    if (options.distributions) {
      for (const auto* list : {&scored, &others}) {
        for (const auto& s : *list) {
          for (std::uint16_t c = 0; c < s.item->scale->choices.size(); ++c) {
            const std::string variable =
                s.item->id + "=" + s.item->scale->choices[c].code.to_string();
            const auto& p = shares[s.codes[c]];
            if (p) emit.emit(*p, "answer_share", variable);
            if (!p) emit.emit_missing("answer_share", variable);
          }
        }
      }
    }
  });
  return out;
}

}  // namespace sipas::analysis
