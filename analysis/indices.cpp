#include "analysis/indices.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "analysis/error.hpp"

namespace sipas::analysis {
namespace q = sipas::questionnaires;

namespace {

constexpr double percent = 100;

// The choice index of every row's answer to `item` (-1 when missing).
std::vector<int> choices_of(const Table& data, const q::Item& item) {
  const Column& column = data.column(item.id);
  std::vector<int> by_level(column.levels().size(), -1);
  for (std::size_t l = 0; l < column.levels().size(); ++l) {
    const std::string& text = column.levels()[l];
    if (text.empty()) continue;
    std::optional<std::uint16_t> found = item.scale->find(text);
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (!found && ec == std::errc() && end == text.data() + text.size())
      found = item.scale->find(number);
    if (!found) {
      std::size_t row = 0;
      while (row < column.size() && column.code(row) != l)
        ++row;
      throw AnalysisError("data.unknown_code",
                          data.source() + ":" + std::to_string(data.line_of(row)) + ": item '" +
                              item.id + "': '" + text.substr(0, 40) + "' is not one of its codes");
    }
    by_level[l] = *found;
  }
  std::vector<int> out(column.size());
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = by_level[column.code(i)];
  return out;
}

bool contains(const std::vector<std::uint16_t>& list, int choice) {
  return std::find(list.begin(), list.end(), static_cast<std::uint16_t>(choice)) != list.end();
}

// Share of rows whose answer is in `counted`, among rows with a valid answer
// (answered, not an excluded code): numerator and denominator columns.
struct ShareColumns {
  std::vector<double> numerator, denominator;
};

ShareColumns share_columns(const std::vector<int>& choices, const q::Item& item,
                           const std::vector<std::uint16_t>& counted,
                           const std::vector<std::uint16_t>& excluded) {
  ShareColumns s;
  s.numerator.resize(choices.size());
  s.denominator.resize(choices.size());
  for (std::size_t i = 0; i < choices.size(); ++i) {
    const int c = choices[i];
    if (c < 0 || item.scale->is_excluded(static_cast<std::uint16_t>(c)) || contains(excluded, c)) {
      s.numerator[i] = s.denominator[i] = std::nan("");
      continue;
    }
    s.numerator[i] = contains(counted, c) ? 1 : 0;
    s.denominator[i] = 1;
  }
  return s;
}

// The share as a ratio piece, or nothing when the domain has no valid answer.
std::optional<Piece> share(const Engine& engine, const ShareColumns& columns, const RowMask& rows) {
  bool any = false;
  for (std::size_t i = 0; i < columns.denominator.size() && !any; ++i) {
    any = columns.denominator[i] > 0 && (rows.empty() || rows[i]);
  }
  if (!any) return std::nullopt;
  return engine.ratio(columns.numerator, columns.denominator, rows);
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

std::vector<Domain> domains_of(const Table& data, const std::vector<std::string>& by) {
  std::vector<Domain> out(1);
  if (by.empty()) return out;
  std::vector<const Column*> columns;
  for (const auto& name : by)
    columns.push_back(&data.column(name));
  std::map<std::vector<std::string>, RowMask> groups;
  for (std::size_t i = 0; i < data.rows(); ++i) {
    std::vector<std::string> key;
    bool missing = false;
    for (const auto* c : columns) {
      missing |= c->is_missing(i);
      key.push_back(c->text(i));
    }
    if (missing) continue;
    auto& mask = groups[key];
    if (mask.empty()) mask.assign(data.rows(), false);
    mask[i] = true;
  }
  for (auto& [key, mask] : groups) {
    Domain d;
    for (std::size_t k = 0; k < by.size(); ++k)
      d.labels.emplace_back(by[k], key[k]);
    d.rows = std::move(mask);
    out.push_back(std::move(d));
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
  // Per scored item: its answers as choice indices, read once.
  struct ScoredItem {
    const q::Item* item;
    std::vector<int> choices;
    ShareColumns satisfied;
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
    ScoredItem s{&item, choices_of(data, item), {}};
    if (!item.scoring->element.empty()) {
      s.satisfied = share_columns(s.choices, item, item.scoring->satisfied, item.scoring->excluded);
      scored.push_back(std::move(s));
    } else {
      others.push_back(std::move(s));
    }
  }

  std::vector<Estimate> out;
  for (const auto& domain : domains) {
    Builder emit(engine, options, domain, out);
    std::map<std::string, Piece> item_pieces;
    std::map<std::string, std::vector<std::pair<double, std::string>>>
        element_items;  // element -> (weight, item)
    for (const auto& s : scored) {
      element_items[s.item->scoring->element].emplace_back(s.item->scoring->weight, s.item->id);
      auto p = share(engine, s.satisfied, domain.rows);
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
        case q::Overall::Method::Item: {
          const q::Item* item = form.find(o.item);
          if (item && data.has(item->id)) {
            auto choices = choices_of(data, *item);
            const auto& codes = item->scoring->satisfied.empty() ? item->scoring->indicator->choices
                                                                 : item->scoring->satisfied;
            overall = share(engine, share_columns(choices, *item, codes, item->scoring->excluded),
                            domain.rows);
          }
          break;
        }
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
        auto p = share(engine, share_columns(s.choices, *s.item, sc.expectation, sc.excluded),
                       domain.rows);
        if (p) emit.emit(*p, "expectation_share", s.item->id);
        if (!p) emit.emit_missing("expectation_share", s.item->id);
      }
      if (sc.indicator) {
        auto p =
            share(engine, share_columns(s.choices, *s.item, sc.indicator->choices, sc.excluded),
                  domain.rows);
        if (p) emit.emit(*p, "indicator_share", sc.indicator->id);
        if (!p) emit.emit_missing("indicator_share", sc.indicator->id);
      }
    }
    if (options.distributions) {
      for (const auto* list : {&scored, &others}) {
        for (const auto& s : *list) {
          // Every code's share among the answers given (excluded codes included).
          for (std::uint16_t c = 0; c < s.item->scale->choices.size(); ++c) {
            std::vector<double> numerator(s.choices.size()), denominator(s.choices.size());
            for (std::size_t i = 0; i < s.choices.size(); ++i) {
              if (s.choices[i] < 0) {
                numerator[i] = denominator[i] = std::nan("");
              } else {
                numerator[i] = s.choices[i] == c ? 1 : 0;
                denominator[i] = 1;
              }
            }
            const std::string variable =
                s.item->id + "=" + s.item->scale->choices[c].code.to_string();
            auto p = share(engine, ShareColumns{std::move(numerator), std::move(denominator)},
                           domain.rows);
            if (p) emit.emit(*p, "answer_share", variable);
            if (!p) emit.emit_missing("answer_share", variable);
          }
        }
      }
    }
  }
  return out;
}

}  // namespace sipas::analysis
