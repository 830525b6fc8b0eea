#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/value.hpp"

namespace sipas::questionnaires {

// One problem with a response: the item it concerns (empty for the response as
// a whole), a stable error id (response.required_missing, ...) and a message
// in the respondent's language.
struct ValidationIssue {
  std::string item;
  std::string id;
  std::string message;
};

struct ValidationResult {
  std::vector<ValidationIssue> issues;
  bool ok() const { return issues.empty(); }
};

struct ValidationOptions {
  // The work one validation may do in the questionnaire's expressions (steps
  // of a StepBudget, expression.hpp): past it, validate() throws ResponseError
  // response.too_complex. About 40 ms of one core at most
  // (bench/worst_submission/README.md); a response to a shipped form takes a
  // few hundred steps.
  static constexpr std::uint64_t default_max_steps = 20'000'000;
  std::uint64_t max_steps = default_max_steps;
};

// Checks responses against one questionnaire and reports every problem at once
// (up to max_issues). Keeps its working buffers between calls, so validating
// many responses allocates almost nothing. Not thread-safe: use one Validator
// per thread; the Questionnaire itself may be shared.
class Validator {
 public:
  static constexpr std::size_t max_issues = 1000;

  explicit Validator(const Questionnaire& q, ValidationOptions options = {});

  // The result stays valid until the next call. `response` must outlive the
  // use of values(). Throws ResponseError response.malformed when the response
  // was built for another questionnaire, and response.too_complex when
  // checking it takes more than options.max_steps.
  const ValidationResult& validate(const Response& response);

  // After validate(): the steps it took.
  std::uint64_t steps() const { return budget_.used(); }

  // After validate(): each item's checked value (empty when unanswered,
  // irrelevant or invalid) and whether it was relevant.
  std::span<const Value> values() const { return values_; }
  bool relevant(std::uint32_t slot) const { return relevance_[slot] == State::Yes; }
  // The chosen choice index of a single/likert answer, or -1.
  int choice(std::uint32_t slot) const { return choice_[slot]; }

 private:
  enum class State : std::uint8_t { Unknown, Yes, No };

  bool section_relevant(std::uint32_t section);
  bool matrix_relevant(std::uint32_t matrix);
  bool item_relevant(const Item& item);
  // False when the answer is invalid (and an issue was added).
  bool check_answer(const Item& item, const RawAnswer& raw);
  bool reads_tainted(const std::vector<std::uint32_t>& slots) const;
  bool reads_tainted(const std::optional<Expression>& e) const {
    return e && reads_tainted(e->references());
  }
  void check(const Response& response);
  // What expressions read: the values so far, `.`, and this validation's budget.
  Environment environment(Value self = {}) { return {values_, self, &budget_}; }
  void add(const Item* item, const char* id, std::string message);
  std::string text(std::string_view key) const;

  const Questionnaire& q_;
  std::size_t language_ = 0;
  ValidationResult result_;
  std::vector<Value> values_;
  std::vector<State> relevance_;
  std::vector<State> section_relevance_;
  std::vector<int> choice_;
  std::vector<std::vector<std::uint16_t>> selections_;
  std::vector<std::uint32_t> issue_slots_;
  // An item is tainted when its answer was invalid or its relevance could not
  // be decided; conditions that read a tainted item are not judged, so one
  // wrong answer does not cascade into spurious errors on the items after it.
  std::vector<bool> tainted_;
  std::vector<bool> undetermined_;
  bool truncated_ = false;
  StepBudget budget_;
  std::uint32_t checking_ = 0;  // the slot whose conditions are being evaluated
};

// Validates one response (a convenience for one-off checks).
ValidationResult validate(const Questionnaire& q, const Response& response,
                          ValidationOptions options = {});

}  // namespace sipas::questionnaires
