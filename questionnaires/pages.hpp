#pragma once

// The pages of a questionnaire as the web form shows it, one at a time: each
// section starts a page, and an item or matrix row with `page_break` starts
// another within its section (FORMAT.md). A matrix whose rows are split over
// pages is shown again, with the rest of its rows, on the next page.
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
  // The page's items in document order: top-level items and matrix rows; the
  // matrix of a row that continues it from the page before comes first.
  std::vector<std::uint32_t> slots;
  bool continues_section = false;  // the section started on an earlier page
};

class Pages {
 public:
  explicit Pages(const Questionnaire& q);

  std::size_t size() const { return pages_.size(); }
  const Page& operator[](std::size_t page) const { return pages_.at(page); }

  // The page an item is on (a matrix row: its matrix's).
  std::size_t page_of(std::uint32_t slot) const { return page_of_.at(slot); }
  // Every slot on the page: its top-level items and their matrix rows.
  std::span<const std::uint32_t> slots(std::size_t page) const { return pages_.at(page).slots; }

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
};

}  // namespace sipas::questionnaires
