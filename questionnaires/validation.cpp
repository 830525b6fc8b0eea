#include "questionnaires/validation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include "io/number_text.hpp"
#include "io/utf8.hpp"
#include "questionnaires/date.hpp"
#include "questionnaires/error.hpp"
#include "questionnaires/messages.hpp"

namespace sipas::questionnaires {
namespace {

std::string day_text(std::int32_t days) {
  std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

std::string code_text(const RawCode& code) {
  switch (code.kind) {
    case RawCode::Kind::Integer:
      return std::to_string(code.integer);
    case RawCode::Kind::String:
      return std::string(shorten(code.text, 64));
    default:
      return "?";
  }
}

}  // namespace

Validator::Validator(const Questionnaire& q, ValidationOptions options)
    : q_(q),
      values_(q.items().size()),
      relevance_(q.items().size()),
      section_relevance_(q.sections().size()),
      choice_(q.items().size(), -1),
      selections_(q.items().size()),
      tainted_(q.items().size()),
      undetermined_(q.items().size()),
      budget_(options.max_steps) {}

bool Validator::reads_tainted(const std::vector<std::uint32_t>& slots) const {
  for (auto slot : slots) {
    if (tainted_[slot]) return true;
  }
  return false;
}

std::string Validator::text(std::string_view key) const {
  return q_.message(language_, key);
}

void Validator::add(const Item* item, const char* id, std::string message) {
  if (result_.issues.size() >= max_issues) {
    truncated_ = true;
    return;
  }
  result_.issues.push_back({item ? item->id : std::string(), id, std::move(message)});
  issue_slots_.push_back(item ? item->slot : 0);
}

bool Validator::section_relevant(std::uint32_t s) {
  if (section_relevance_[s] == State::Unknown) {
    const auto& section = q_.sections()[s];
    bool yes = !section.relevant || section.relevant->holds(environment());
    section_relevance_[s] = yes ? State::Yes : State::No;
  }
  return section_relevance_[s] == State::Yes;
}

bool Validator::matrix_relevant(std::uint32_t m) {
  if (relevance_[m] == State::Unknown) {
    const Item& matrix = q_.items()[m];
    bool yes = section_relevant(matrix.section) &&
               (!matrix.relevant || matrix.relevant->holds(environment()));
    relevance_[m] = yes ? State::Yes : State::No;
  }
  return relevance_[m] == State::Yes;
}

// Relevance reads only values computed earlier in the evaluation order.
bool Validator::item_relevant(const Item& item) {
  if (item.type == ItemType::Matrix) return matrix_relevant(item.slot);
  bool yes = section_relevant(item.section);
  if (yes && item.is_matrix_row()) yes = matrix_relevant(item.parent);
  if (yes && item.relevant) yes = item.relevant->holds(environment());
  relevance_[item.slot] = yes ? State::Yes : State::No;
  return yes;
}

const ValidationResult& Validator::validate(const Response& response) {
  budget_.reset();
  try {
    check(response);
  } catch (const StepLimitExceeded& e) {
    throw ResponseError("response.too_complex",
                        "the response takes too much work to check: the questionnaire's "
                        "expressions need more than " +
                            std::to_string(e.limit) +
                            " steps for these answers (reached at item '" +
                            q_.items()[checking_].id + "')");
  }
  return result_;
}

void Validator::check(const Response& response) {
  result_.issues.clear();
  issue_slots_.clear();
  truncated_ = false;
  std::fill(values_.begin(), values_.end(), Value::empty());
  std::fill(relevance_.begin(), relevance_.end(), State::Unknown);
  std::fill(section_relevance_.begin(), section_relevance_.end(), State::Unknown);
  std::fill(choice_.begin(), choice_.end(), -1);
  std::fill(tainted_.begin(), tainted_.end(), false);
  std::fill(undetermined_.begin(), undetermined_.end(), false);

  language_ = 0;
  if (!response.language.empty()) {
    if (auto index = q_.language_index(response.language)) {
      language_ = *index;
    } else {
      add(nullptr, "response.unknown_language",
          format_message(text("unknown_language"), {{"language", shorten(response.language, 16)}}));
    }
  }
  if ((!response.questionnaire.empty() && response.questionnaire != q_.id()) ||
      (!response.version.empty() && response.version != q_.version())) {
    add(nullptr, "response.questionnaire_mismatch",
        format_message(text("questionnaire_mismatch"),
                       {{"got", std::string(shorten(response.questionnaire, 64)) + " " +
                                    std::string(shorten(response.version, 64))},
                        {"expected", q_.id() + " " + q_.version()}}));
  }
  if (response.answers.size() != q_.items().size()) {
    throw ResponseError("response.malformed",
                        "the response was not built for questionnaire " + q_.id());
  }

  const auto& items = q_.items();
  for (auto slot : q_.evaluation_order()) {
    const Item& item = items[slot];
    checking_ = slot;
    bool relevant = item_relevant(item);
    if (reads_tainted(q_.value_dependencies(slot))) {
      undetermined_[slot] = true;
      tainted_[slot] = true;
    }
    const RawAnswer& raw = response.answers[slot];
    if (item.type == ItemType::Calculate) {
      if (relevant && !undetermined_[slot]) {
        values_[slot] = item.calculation->evaluate(environment());
      }
    }
    if (!item.answerable()) {
      if (!raw.absent()) add(&item, "response.not_answerable", text("not_answerable"));
      continue;
    }
    if (raw.absent()) continue;
    if (undetermined_[slot]) {
      // Still report what is wrong with the answer itself.
      check_answer(item, raw);
      values_[slot] = Value::empty();
      continue;
    }
    if (!relevant) {
      add(&item, "response.not_relevant", text("not_relevant"));
      continue;
    }
    if (!check_answer(item, raw)) tainted_[slot] = true;
  }

  // Required answers and constraints read the final values of every item.
  for (const Item& item : items) {
    if (!item.answerable() || relevance_[item.slot] != State::Yes || undetermined_[item.slot]) {
      continue;
    }
    checking_ = item.slot;
    const RawAnswer& raw = response.answers[item.slot];
    if (raw.absent()) {
      bool required = item.required || (item.required_if && !reads_tainted(item.required_if) &&
                                        item.required_if->holds(environment()));
      if (required) add(&item, "response.required_missing", text("required_missing"));
      continue;
    }
    if (item.constraint && !values_[item.slot].is_empty() && !reads_tainted(item.constraint) &&
        !item.constraint->holds(environment(values_[item.slot]))) {
      add(&item, "response.constraint_failed",
          item.constraint_message ? item.constraint_message->in(language_)
                                  : text("constraint_failed"));
    }
  }

  for (const auto& id : response.unknown_items) {
    if (result_.issues.size() >= max_issues) {  // past the cap: no message to build
      truncated_ = true;
      break;
    }
    add(nullptr, "response.unknown_item",
        format_message(text("unknown_item"), {{"item", shorten(id, 64)}}));
    if (!truncated_) {
      result_.issues.back().item = shorten(id, 64);
      issue_slots_.back() = std::numeric_limits<std::uint32_t>::max();  // after the form's items
    }
  }

  // Report in the order of the form, whatever order the checks ran in.
  if (result_.issues.size() > 1) {
    std::vector<std::size_t> order(result_.issues.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      bool a_item = result_.issues[a].item.empty(), b_item = result_.issues[b].item.empty();
      if (a_item != b_item) return a_item;  // response-level issues first
      return issue_slots_[a] < issue_slots_[b];
    });
    std::vector<ValidationIssue> sorted;
    sorted.reserve(order.size());
    for (auto i : order)
      sorted.push_back(std::move(result_.issues[i]));
    result_.issues = std::move(sorted);
  }
  if (truncated_) {
    result_.issues.push_back(
        {"", "response.too_many_errors",
         format_message(text("too_many_errors"), {{"max", std::to_string(max_issues)}})});
  }
}

bool Validator::check_answer(const Item& item, const RawAnswer& raw) {
  const std::uint32_t slot = item.slot;
  auto wrong_type = [&](const char* expected) {
    add(&item, "response.wrong_type",
        format_message(text("wrong_type"), {{"expected", text(expected)}}));
  };
  switch (item.type) {
    case ItemType::Single:
    case ItemType::Likert: {
      std::optional<std::uint16_t> index;
      std::string shown;
      if ((raw.kind == RawAnswer::Kind::Integer && !item.scale->has_number_codes()) ||
          (raw.kind == RawAnswer::Kind::String && !item.scale->has_string_codes())) {
        wrong_type("type.choice");
        return false;
      }
      if (raw.kind == RawAnswer::Kind::Integer) {
        index = item.scale->find(raw.integer);
        shown = std::to_string(raw.integer);
      } else if (raw.kind == RawAnswer::Kind::String) {
        index = item.scale->find(raw.text);
        shown = shorten(raw.text, 64);
      } else {
        wrong_type("type.choice");
        return false;
      }
      if (!index) {
        add(&item, "response.unknown_code",
            format_message(text("unknown_code"), {{"code", shown}}));
        return false;
      }
      choice_[slot] = *index;
      const auto& code = item.scale->choices[*index].code;
      values_[slot] = code.is_number ? Value::of_number(static_cast<double>(code.number))
                                     : Value::of_string(code.text);
      return true;
    }
    case ItemType::Multiple: {
      if (raw.kind != RawAnswer::Kind::Array) {
        wrong_type("type.choices");
        return false;
      }
      auto& chosen = selections_[slot];
      chosen.clear();
      bool ok = true;
      for (const auto& c : raw.codes) {
        std::optional<std::uint16_t> index;
        if (c.kind == RawCode::Kind::Integer) index = item.scale->find(c.integer);
        if (c.kind == RawCode::Kind::String) index = item.scale->find(c.text);
        if (c.kind == RawCode::Kind::Other ||
            (c.kind == RawCode::Kind::Integer && !item.scale->has_number_codes()) ||
            (c.kind == RawCode::Kind::String && !item.scale->has_string_codes())) {
          wrong_type("type.choices");
          ok = false;
          continue;
        }
        if (!index) {
          add(&item, "response.unknown_code",
              format_message(text("unknown_code"), {{"code", code_text(c)}}));
          ok = false;
          continue;
        }
        if (std::find(chosen.begin(), chosen.end(), *index) != chosen.end()) {
          add(&item, "response.duplicate_selection",
              format_message(text("duplicate_selection"), {{"code", code_text(c)}}));
          ok = false;
          continue;
        }
        chosen.push_back(*index);
      }
      if (!ok) return false;
      if (chosen.size() < item.min_selections) {
        add(&item, "response.too_few_selections",
            format_message(text("too_few_selections"),
                           {{"min", std::to_string(item.min_selections)}}));
        return false;
      }
      if (chosen.size() > item.max_selections) {
        add(&item, "response.too_many_selections",
            format_message(text("too_many_selections"),
                           {{"max", std::to_string(item.max_selections)}}));
        return false;
      }
      values_[slot] = Value::of_selection(chosen);
      return true;
    }
    case ItemType::Rating:
    case ItemType::Integer:
    case ItemType::Decimal: {
      double v;
      bool integral_type = item.type != ItemType::Decimal;
      if (raw.kind == RawAnswer::Kind::Integer) {
        v = static_cast<double>(raw.integer);
      } else if (raw.kind == RawAnswer::Kind::Number && std::isfinite(raw.number) &&
                 (!integral_type || raw.number == std::trunc(raw.number))) {
        v = raw.number;
      } else {
        wrong_type(integral_type ? "type.integer" : "type.number");
        return false;
      }
      if (item.min && v < *item.min) {
        add(&item, "response.out_of_range",
            format_message(text("out_of_range_min"), {{"min", io::shortest_decimal(*item.min)}}));
        return false;
      }
      if (item.max && v > *item.max) {
        add(&item, "response.out_of_range",
            format_message(text("out_of_range_max"), {{"max", io::shortest_decimal(*item.max)}}));
        return false;
      }
      values_[slot] = Value::of_number(v);
      return true;
    }
    case ItemType::Date: {
      if (raw.kind != RawAnswer::Kind::String) {
        wrong_type("type.date");
        return false;
      }
      auto day = parse_date(raw.text);
      if (!day) {
        add(&item, "response.invalid_date", text("invalid_date"));
        return false;
      }
      if (item.min_day && *day < *item.min_day) {
        add(&item, "response.out_of_range",
            format_message(text("out_of_range_min"), {{"min", day_text(*item.min_day)}}));
        return false;
      }
      if (item.max_day && *day > *item.max_day) {
        add(&item, "response.out_of_range",
            format_message(text("out_of_range_max"), {{"max", day_text(*item.max_day)}}));
        return false;
      }
      values_[slot] = Value::of_string(raw.text);
      return true;
    }
    case ItemType::Text:
    case ItemType::LongText: {
      if (raw.kind != RawAnswer::Kind::String) {
        wrong_type("type.text");
        return false;
      }
      auto length = io::utf8_length(raw.text);
      if (!length) {
        add(&item, "response.invalid_utf8", text("invalid_utf8"));
        return false;
      }
      if (*length > item.max_length) {
        add(&item, "response.too_long",
            format_message(text("too_long"), {{"max", std::to_string(item.max_length)}}));
        return false;
      }
      values_[slot] = Value::of_string(raw.text);
      return true;
    }
    case ItemType::Note:
    case ItemType::Matrix:
    case ItemType::Calculate:
      return true;
  }
  return true;
}

ValidationResult validate(const Questionnaire& q, const Response& response,
                          ValidationOptions options) {
  Validator validator(q, options);
  return validator.validate(response);
}

}  // namespace sipas::questionnaires
