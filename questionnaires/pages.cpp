#include "questionnaires/pages.hpp"

#include <algorithm>

namespace sipas::questionnaires {

Pages::Pages(const Questionnaire& q) : q_(q), page_of_(q.items().size(), 0) {
  for (std::uint32_t s = 0; s < q.sections().size(); ++s) {
    Page page{s, {}, false};
    auto add = [&](const Item& item) {
      if (item.page_break && !page.slots.empty()) {
        pages_.push_back(std::move(page));
        page = Page{s, {}, true};
        // A matrix split here is shown again above the rest of its rows.
        if (item.is_matrix_row()) page.slots.push_back(item.parent);
      }
      page.slots.push_back(item.slot);
    };
    for (auto slot : q.sections()[s].items) {
      const Item& item = q.items()[slot];
      add(item);
      for (auto row : item.rows)
        add(q.items()[row]);
    }
    // A section without items is a page of its own title.
    pages_.push_back(std::move(page));
  }
  // An item's page is the first it is on (a split matrix's: where it starts).
  for (std::size_t p = pages_.size(); p-- > 0;) {
    for (auto slot : pages_[p].slots)
      page_of_[slot] = p;
  }
}

bool Pages::applies(std::size_t page, const Validator& v) const {
  for (auto slot : slots(page)) {
    const Item& item = q_.items()[slot];
    // A matrix applies through its rows on this page.
    if (item.type != ItemType::Calculate && item.type != ItemType::Matrix && v.relevant(slot))
      return true;
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
  // What the post says of itself wins: the form's id and version, the page's
  // language, the submission id.
  if (!posted.questionnaire.empty()) out.questionnaire = posted.questionnaire;
  if (!posted.version.empty()) out.version = posted.version;
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
