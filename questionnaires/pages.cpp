#include "questionnaires/pages.hpp"

#include <algorithm>

namespace sipas::questionnaires {

Pages::Pages(const Questionnaire& q) : q_(q), page_of_(q.items().size(), 0) {
  for (std::uint32_t s = 0; s < q.sections().size(); ++s) {
    const auto& items = q.sections()[s].items;
    std::uint32_t first = 0;
    for (std::uint32_t i = 1; i <= items.size(); ++i) {
      if (i == items.size() || q.items()[items[i]].page_break) {
        pages_.push_back({s, first, i});
        first = i;
      }
    }
    // A section without items is a page of its own title.
    if (items.empty()) pages_.push_back({s, 0, 0});
  }
  for (std::size_t p = 0; p < pages_.size(); ++p) {
    slot_starts_.push_back(slots_.size());
    const auto& items = q.sections()[pages_[p].section].items;
    for (auto i = pages_[p].first; i < pages_[p].end; ++i) {
      const Item& item = q.items()[items[i]];
      slots_.push_back(item.slot);
      page_of_[item.slot] = p;
      for (auto row : item.rows) {
        slots_.push_back(row);
        page_of_[row] = p;
      }
    }
  }
  slot_starts_.push_back(slots_.size());
}

std::span<const std::uint32_t> Pages::slots(std::size_t page) const {
  return std::span<const std::uint32_t>(slots_).subspan(
      slot_starts_.at(page), slot_starts_.at(page + 1) - slot_starts_[page]);
}

bool Pages::applies(std::size_t page, const Validator& v) const {
  for (auto slot : slots(page)) {
    const Item& item = q_.items()[slot];
    if (item.type != ItemType::Calculate && v.relevant(slot)) return true;
  }
  return false;
}

std::optional<std::size_t> Pages::next(std::size_t page, const Validator& v) const {
  for (std::size_t p = page + 1; p < pages_.size(); ++p) {
    if (applies(p, v)) return p;
  }
  return std::nullopt;
}

std::optional<std::size_t> Pages::previous(std::size_t page, const Validator& v) const {
  for (std::size_t p = std::min(page, pages_.size()); p-- > 0;) {
    if (applies(p, v)) return p;
  }
  return std::nullopt;
}

ValidationResult Pages::issues_on(std::size_t page, const ValidationResult& all) const {
  ValidationResult out;
  for (const auto& issue : all.issues) {
    const Item* item = q_.find(issue.item);
    if (item && page_of_[item->slot] == page) out.issues.push_back(issue);
  }
  return out;
}

std::optional<std::size_t> Pages::first_with_issues(const ValidationResult& all) const {
  std::optional<std::size_t> first;
  for (const auto& issue : all.issues) {
    const Item* item = q_.find(issue.item);
    if (item && (!first || page_of_[item->slot] < *first)) first = page_of_[item->slot];
  }
  return first;
}

std::size_t Pages::resume(std::size_t reached, const Validator& v,
                          const ValidationResult& all) const {
  if (pages_.empty()) return 0;
  reached = std::min(reached, pages_.size() - 1);
  if (auto bad = first_with_issues(all); bad && *bad < reached && applies(*bad, v)) return *bad;
  if (applies(reached, v)) return reached;
  if (auto before = previous(reached, v)) return *before;
  return next(reached, v).value_or(0);
}

Response Pages::merge(std::size_t page, const Response& base, const Response& posted) const {
  Response out = base;
  if (out.answers.size() != q_.items().size()) out.answers.resize(q_.items().size());
  for (auto slot : slots(page)) {
    out.answers[slot] = slot < posted.answers.size() ? posted.answers[slot] : RawAnswer{};
  }
  out.language = posted.language.empty() ? out.language : posted.language;
  out.submission_id = posted.submission_id;
  for (const auto& name : posted.unknown_items) {
    if (std::find(out.unknown_items.begin(), out.unknown_items.end(), name) ==
        out.unknown_items.end()) {
      out.unknown_items.push_back(name);
    }
  }
  return out;
}

}  // namespace sipas::questionnaires
