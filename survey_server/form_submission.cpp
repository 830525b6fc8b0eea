#include "survey_server/form_submission.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

#include "questionnaires/validation.hpp"

namespace sipas::survey_server {
namespace {

namespace q = questionnaires;
using q::ItemType;
using q::RawAnswer;
using q::RawCode;

// Room for the control fields and a few stray ones (a browser extension's).
constexpr std::size_t control_field_slack = 16;
// No questionnaire has more pages than items.
constexpr std::size_t max_pages = q::QuestionnaireLimits::max_items;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::int64_t> strict_integer(std::string_view s) {
  std::string_view digits = s.starts_with('-') ? s.substr(1) : s;
  if (!all_digits(digits)) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// -?[0-9]+.[0-9]+
std::optional<double> strict_decimal(std::string_view s) {
  std::string_view body = s.starts_with('-') ? s.substr(1) : s;
  auto dot = body.find('.');
  if (dot == std::string_view::npos || !all_digits(body.substr(0, dot)) ||
      !all_digits(body.substr(dot + 1))) {
    return std::nullopt;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

RawCode code_of(const q::Item& item, std::string_view value) {
  RawCode code;
  value = trim(value);
  if (item.scale->has_number_codes()) {
    if (auto n = strict_integer(value)) {
      code.kind = RawCode::Kind::Integer;
      code.integer = *n;
      return code;
    }
  }
  code.kind = RawCode::Kind::String;
  code.text = std::string(value);
  return code;
}

RawAnswer number_of(std::string_view value) {
  value = trim(value);
  if (auto n = strict_integer(value)) return RawAnswer::of_integer(*n);
  if (auto d = strict_decimal(value)) return RawAnswer::of_number(*d);
  return RawAnswer::of_string(std::string(value));
}

std::string normalize_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

bool is_choice(const q::Item& item) {
  return item.type == ItemType::Single || item.type == ItemType::Likert;
}

// One answer from one value, typed per the item.
RawAnswer answer_of(const q::Item& item, std::string_view value) {
  switch (item.type) {
    case ItemType::Single:
    case ItemType::Likert: {
      RawCode code = code_of(item, value);
      return code.kind == RawCode::Kind::Integer ? RawAnswer::of_integer(code.integer)
                                                 : RawAnswer::of_string(std::move(code.text));
    }
    case ItemType::Rating:
    case ItemType::Integer:
    case ItemType::Decimal:
      return number_of(value);
    case ItemType::Date:
      return RawAnswer::of_string(std::string(trim(value)));
    case ItemType::Text:
    case ItemType::LongText:
      return RawAnswer::of_string(normalize_newlines(value));
    default:
      return RawAnswer::of_string(std::string(value));
  }
}

// A value that counts as an answer (see parse_form: empty is none).
bool is_empty_value(const q::Item& item, std::string_view value) {
  bool trimmed = is_choice(item) || item.type == ItemType::Multiple ||
                 item.type == ItemType::Rating || item.type == ItemType::Integer ||
                 item.type == ItemType::Decimal || item.type == ItemType::Date;
  return (trimmed ? trim(value) : value).empty();
}

}  // namespace

std::size_t max_form_fields(const q::Questionnaire& questionnaire) {
  std::size_t count = control_field_slack;
  for (const auto& item : questionnaire.items()) {
    if (item.type == ItemType::Multiple) {
      count += item.scale->choices.size();
    } else if (item.answerable()) {
      ++count;
    }
  }
  return count;
}

FormSubmission parse_form(const q::Questionnaire& questionnaire, std::string_view body) {
  return parse_form(questionnaire, parse_urlencoded(body, max_form_fields(questionnaire)));
}

FormSubmission parse_form(const q::Questionnaire& questionnaire, const FormFields& fields) {
  FormSubmission out;
  out.response = q::Response::empty_for(questionnaire);
  out.response.questionnaire = questionnaire.id();
  out.response.version = questionnaire.version();
  // The values of each item, in the order sent; typed once all are read.
  std::vector<std::vector<std::string_view>> values(questionnaire.items().size());
  bool action_seen = false;
  for (const auto& [name, value] : fields) {
    const q::Item* item = questionnaire.find(name);
    if (!item && name.starts_with('_')) {
      if (name == "_submission") {
        if (out.submission_id.empty()) out.submission_id = value;
      } else if (name == "_lang") {
        if (out.response.language.empty()) out.response.language = value;
      } else if (name == "_action" && !action_seen) {
        action_seen = true;
        if (value == "save" || value == "next" || value == "back") {
          out.action = value;
        } else if (value != "submit" && !value.empty()) {
          throw FormError("form.malformed", "_action must be 'submit', 'save', 'next' or 'back'");
        }
      } else if (name == "_page" && !out.page) {
        auto number = strict_integer(trim(value));
        if (!number || *number < 1 || *number > static_cast<std::int64_t>(max_pages)) {
          throw FormError("form.malformed", "_page must be a page number from 1");
        }
        out.page = static_cast<std::size_t>(*number);
      }
      continue;
    }
    if (!item) {
      auto& unknown = out.response.unknown_items;
      if (std::find(unknown.begin(), unknown.end(), name) == unknown.end()) {
        unknown.push_back(name);
      }
      continue;
    }
    if (item->preload_invitation || is_empty_value(*item, value)) continue;
    values[item->slot].push_back(value);
  }
  out.response.submission_id = out.submission_id;

  for (const auto& item : questionnaire.items()) {
    const auto& sent = values[item.slot];
    if (sent.empty()) continue;
    RawAnswer& answer = out.response.answers[item.slot];
    if (item.type == ItemType::Multiple) {
      std::vector<RawCode> codes;
      codes.reserve(sent.size());
      for (auto v : sent)
        codes.push_back(code_of(item, v));
      answer = RawAnswer::of_codes(std::move(codes));
    } else if (sent.size() == 1) {
      answer = answer_of(item, sent.front());
    } else {
      // Two values for one answer: a list, which validation calls the wrong type.
      std::vector<RawCode> codes;
      for (auto v : sent) {
        RawCode code;
        code.kind = RawCode::Kind::String;
        code.text = std::string(v);
        codes.push_back(std::move(code));
      }
      answer = RawAnswer::of_codes(std::move(codes));
    }
  }
  return out;
}

}  // namespace sipas::survey_server
