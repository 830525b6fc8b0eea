#pragma once

// The pages of a questionnaire as the web form shows it, one at a time: each
// section starts a page, and a top-level item with `page_break` starts another
// within its section (FORMAT.md). A matrix and its rows are on one page.
//
// What the page flow needs from the answers comes from a Validator that has
// just validated them: which pages apply (a page none of whose items is
// relevant is skipped), the problems on one page, and where a person who
// comes back should carry on.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/validation.hpp"

namespace sipas::questionnaires {

struct Page {
  std::uint32_t section = 0;
  std::uint32_t first = 0, end = 0;  // positions in sections()[section].items
};

class Pages {
 public:
  explicit Pages(const Questionnaire& q);

  std::size_t size() const { return pages_.size(); }
  const Page& operator[](std::size_t page) const { return pages_.at(page); }
  // Whether `page` starts its section (else it continues it after a break).
  bool starts_section(std::size_t page) const { return pages_.at(page).first == 0; }

  // The page an item is on (a matrix row: its matrix's).
  std::size_t page_of(std::uint32_t slot) const { return page_of_.at(slot); }
  // Every slot on the page: its top-level items and their matrix rows.
  std::span<const std::uint32_t> slots(std::size_t page) const;

  // After v.validate(response): whether an item on the page applies.
  bool applies(std::size_t page, const Validator& v) const;
  // The nearest page after (before) `page` that applies, if any.
  std::optional<std::size_t> next(std::size_t page, const Validator& v) const;
  std::optional<std::size_t> previous(std::size_t page, const Validator& v) const;
  // The problems of `all` that belong to items on the page.
  ValidationResult issues_on(std::size_t page, const ValidationResult& all) const;
  // The first page that has a problem in `all`, if any.
  std::optional<std::size_t> first_with_issues(const ValidationResult& all) const;
  // Where a person carries on: the first page before `reached` that applies
  // and has a problem, else `reached` (or the nearest page before it that
  // applies, when it no longer does).
  std::size_t resume(std::size_t reached, const Validator& v, const ValidationResult& all) const;

  // `base` with the answers of the page's items replaced by `posted`'s (an
  // answer left empty on the page clears the earlier one).
  Response merge(std::size_t page, const Response& base, const Response& posted) const;

 private:
  const Questionnaire& q_;
  std::vector<Page> pages_;
  std::vector<std::size_t> page_of_;
  std::vector<std::uint32_t> slots_;       // by page, in document order
  std::vector<std::size_t> slot_starts_;  // page i: slots_[starts[i], starts[i+1])
};

}  // namespace sipas::questionnaires
