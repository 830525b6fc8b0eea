// The form's items: choices, matrices, notes, read-only preloads and text
// fields, each with its label, hint, error and ARIA ties (form_renderer.hpp).

#include <algorithm>
#include <charconv>

#include "io/html_escape.hpp"
#include "io/number_text.hpp"
#include "questionnaires/date.hpp"
#include "survey_server/form_renderer.hpp"

namespace sipas::survey_server {

namespace q = questionnaires;
using q::Item;
using q::ItemType;
using q::RawAnswer;

std::vector<std::string> answer_values(const RawAnswer& a) {
  switch (a.kind) {
    case RawAnswer::Kind::Integer:
      return {std::to_string(a.integer)};
    case RawAnswer::Kind::Number:
      return {io::shortest_decimal(a.number)};
    case RawAnswer::Kind::String:
      return {a.text};
    case RawAnswer::Kind::Array: {
      std::vector<std::string> values;
      for (const auto& c : a.codes) {
        if (c.kind == q::RawCode::Kind::Integer) values.push_back(std::to_string(c.integer));
        if (c.kind == q::RawCode::Kind::String) values.push_back(c.text);
      }
      return values;
    }
    default:
      return {};
  }
}

// At most this many values: a row of radio buttons.
constexpr double max_rating_buttons = 11;

bool rating_as_buttons(const Item& item) {
  return item.type == ItemType::Rating && item.min && item.max &&
         *item.max - *item.min + 1 <= max_rating_buttons;
}

// At most this many points (besides "don't know"): a compact row of buttons.
constexpr std::size_t max_compact_points = 7;
// At least this many: the buttons show numbers, the scale's ends are labelled
// above; fewer points show their own labels (yes / no).
constexpr std::size_t min_numbered_points = 4;

namespace {

std::size_t points(const q::Scale& scale) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < scale.choices.size(); ++i)
    n += scale.is_excluded(static_cast<std::uint16_t>(i)) ? 0 : 1;
  return n;
}

bool compact(const Item& item) {
  return item.scale && points(*item.scale) <= max_compact_points;
}

bool numbered(const Item& item) {
  if (!item.scale || points(*item.scale) < min_numbered_points) return false;
  for (const auto& choice : item.scale->choices) {
    if (choice.code.to_string().size() > 2) return false;
  }
  return true;
}

}  // namespace

void FormRenderer::render_item(const Item& item) {
  if (item.type == ItemType::Calculate) return;
  if (item.type == ItemType::Note) return note(item);
  if (item.type == ItemType::Matrix) return matrix(item, item.rows);
  if (item.preload_invitation) return preload(item);
  if (item.type == ItemType::Likert && compact(item)) return likert_row(item, false);
  switch (item.type) {
    case ItemType::Single:
    case ItemType::Likert:
    case ItemType::Multiple:
      return choices(item, "fieldset", "item item-" + std::string(q::to_string(item.type)),
                     "question");
    case ItemType::Rating:
      if (rating_as_buttons(item)) {
        return choices(item, "fieldset", "item item-rating", "question");
      }
      return field(item);
    default:
      return field(item);
  }
}

void FormRenderer::open_item(const Item& item, std::string_view element, std::string_view classes) {
  out_ += '<';
  out_ += element;
  out_ += " class=\"";
  out_ += classes;
  if (!errors_[item.slot].empty()) out_ += " has-error";
  out_ += "\" id=\"item-";
  io::append_html(out_, item.id);
  out_ += "\" data-item=\"";
  io::append_html(out_, item.id);
  out_ += "\">\n";
}

void FormRenderer::required_mark(const Item& item) {
  bool conditional = !item.required && item.required_if;
  if (!item.required && !conditional) return;
  if (item.is_matrix_row() && q_.items()[item.parent].required) return;  // marked on the matrix
  out_ += conditional ? "<span class=\"required-mark\" data-required-if hidden>"
                      : "<span class=\"required-mark\">";
  out_ += "<span aria-hidden=\"true\"> *</span><span class=\"visually-hidden\"> (";
  io::append_html(out_, ui_.required);
  out_ += ")</span></span>";
}

void FormRenderer::hint_and_error(const Item& item) {
  if (item.hint) {
    out_ += "<p class=\"hint\" id=\"hint-";
    io::append_html(out_, item.id);
    out_ += "\">";
    text(item.hint->in(lang_));
    out_ += "</p>\n";
  }
  if (!errors_[item.slot].empty()) {
    out_ += "<p class=\"error-message\" id=\"error-";
    io::append_html(out_, item.id);
    out_ += "\"><span class=\"visually-hidden\">";
    io::append_html(out_, ui_.error_prefix);
    out_ += "</span>";
    for (const auto* message : errors_[item.slot]) {
      out_ += "<span class=\"error-line\">";
      io::append_html(out_, *message);
      out_ += "</span>";
    }
    out_ += "</p>\n";
  }
}

// aria-describedby and aria-invalid for the item's inputs.
void FormRenderer::input_aria(const Item& item) {
  std::string ids;
  if (item.hint) ids += "hint-" + item.id;
  if (!errors_[item.slot].empty()) ids += (ids.empty() ? "error-" : " error-") + item.id;
  if (!ids.empty()) {
    out_ += " aria-describedby=\"";
    io::append_html(out_, ids);
    out_ += '"';
  }
  if (!errors_[item.slot].empty()) out_ += " aria-invalid=\"true\"";
}

std::vector<FormRenderer::Option> FormRenderer::options(const Item& item) const {
  std::vector<Option> list;
  if (item.type == ItemType::Rating) {
    auto low = static_cast<long long>(*item.min), high = static_cast<long long>(*item.max);
    for (long long v = low; v <= high; ++v) {
      list.push_back({std::to_string(v), {}, static_cast<std::size_t>(v - low)});
    }
    return list;
  }
  const auto& choices = item.scale->choices;
  for (std::size_t i = 0; i < choices.size(); ++i)
    list.push_back({choices[i].code.to_string(), choices[i].label.in(lang_), i});
  if (item.scale->descending) {
    // 5 down to 1, as the printed form; "don't know" codes stay last.
    std::vector<Option> ordered, excluded;
    for (auto& option : list) {
      bool dont_know = item.scale->is_excluded(static_cast<std::uint16_t>(option.index));
      (dont_know ? excluded : ordered).push_back(std::move(option));
    }
    std::reverse(ordered.begin(), ordered.end());
    for (auto& option : excluded)
      ordered.push_back(std::move(option));
    list = std::move(ordered);
  }
  return list;
}

void FormRenderer::choices(const Item& item, std::string_view element, const std::string& classes,
                           std::string_view legend_class) {
  open_item(item, element, classes);
  out_ += "<legend class=\"";
  out_ += legend_class;
  out_ += "\">";
  text(item.text.in(lang_));
  required_mark(item);
  out_ += "</legend>\n";
  hint_and_error(item);
  std::vector<std::string> chosen;
  if (const RawAnswer* a = answer(item)) chosen = answer_values(*a);
  const char* type = item.type == ItemType::Multiple ? "checkbox" : "radio";
  out_ += "<div class=\"choices\">\n";
  for (const auto& option : options(item)) {
    std::string id = "f-" + item.id + "-" + std::to_string(option.index);
    out_ += "<label class=\"choice\" for=\"";
    io::append_html(out_, id);
    out_ += "\"><input type=\"";
    out_ += type;
    out_ += "\" id=\"";
    io::append_html(out_, id);
    out_ += "\" name=\"";
    io::append_html(out_, item.id);
    out_ += "\" value=\"";
    io::append_html(out_, option.value);
    out_ += '"';
    if (std::find(chosen.begin(), chosen.end(), option.value) != chosen.end()) {
      out_ += " checked";
    }
    input_aria(item);
    out_ += "><span class=\"choice-label\">";
    if (option.label.empty()) {
      io::append_html(out_, option.value);
    } else {
      text(option.label);
    }
    out_ += "</span></label>\n";
  }
  out_ += "</div>\n</fieldset>\n";
}

void FormRenderer::matrix(const Item& item, std::span<const std::uint32_t> rows) {
  open_item(item, "fieldset", "item item-matrix");
  out_ += "<legend class=\"question\">";
  text(item.text.in(lang_));
  required_mark(item);
  out_ += "</legend>\n";
  hint_and_error(item);
  if (compact(item)) {
    scale_ends(item);
    for (auto row : rows)
      likert_row(q_.items()[row], true);
    out_ += "</fieldset>\n";
    return;
  }
  // Column headings for the table layout of wide screens; each radio keeps
  // its own label, so assistive technology does not need them.
  out_ += "<div class=\"matrix-head\" aria-hidden=\"true\"><span class=\"matrix-corner\"></span>";
  for (const auto& option : options(item)) {
    out_ += "<span class=\"matrix-column\">";
    text(option.label);
    out_ += "</span>";
  }
  out_ += "</div>\n";
  for (auto row : rows)
    choices(q_.items()[row], "fieldset", "item matrix-row", "row-text");
  out_ += "</fieldset>\n";
}

void FormRenderer::scale_ends(const Item& item) {
  if (!numbered(item)) return;
  const auto list = options(item);
  std::vector<const Option*> ends;
  for (const auto& option : list) {
    if (!item.scale->is_excluded(static_cast<std::uint16_t>(option.index))) ends.push_back(&option);
  }
  // Read by the buttons' own labels; this is for the eye.
  out_ += "<p class=\"scale-ends\" aria-hidden=\"true\">";
  for (const Option* end : {ends.front(), ends.back()}) {
    out_ += "<span>";
    io::append_html(out_, end->value);
    out_ += " = ";
    text(end->label);
    out_ += "</span>";
  }
  out_ += "</p>\n";
}

// The statement, then its choices in one row of large buttons: a number,
// named for the screen reader by its label ("5 Rất hài lòng"), or a short
// label; "don't know" apart. Lean markup: a page may hold 20 of these rows,
// and a page must stay small for a slow phone (bench/RESULTS.md).
void FormRenderer::likert_row(const Item& item, bool in_matrix) {
  open_item(item, "fieldset", in_matrix ? "item likert-row" : "item item-likert likert-row");
  out_ += in_matrix ? "<legend class=\"row-text\">" : "<legend class=\"question\">";
  text(item.text.in(lang_));
  required_mark(item);
  out_ += "</legend>\n";
  hint_and_error(item);
  if (!in_matrix) scale_ends(item);
  std::vector<std::string> chosen;
  if (const RawAnswer* a = answer(item)) chosen = answer_values(*a);
  const bool numbers = numbered(item);
  out_ += "<div class=\"scale\">";
  bool first = true;
  for (const auto& option : options(item)) {
    const bool dont_know = item.scale->is_excluded(static_cast<std::uint16_t>(option.index));
    out_ +=
        dont_know ? "<label class=\"dk\"><input type=\"radio\"" : "<label><input type=\"radio\"";
    if (first) {
      // The error summary's link lands here (anchor()).
      out_ += " id=\"f-";
      io::append_html(out_, item.id);
      out_ += '-' + std::to_string(option.index) + '"';
      first = false;
    }
    out_ += " name=\"";
    io::append_html(out_, item.id);
    out_ += "\" value=\"";
    io::append_html(out_, option.value);
    out_ += '"';
    if (std::find(chosen.begin(), chosen.end(), option.value) != chosen.end()) out_ += " checked";
    input_aria(item);
    out_ += "><span>";
    if (numbers && !dont_know && !option.label.empty()) {
      io::append_html(out_, option.value);
      out_ += "<span class=\"visually-hidden\"> ";
      text(option.label);
      out_ += "</span>";
    } else if (option.label.empty()) {
      io::append_html(out_, option.value);
    } else {
      text(option.label);
    }
    out_ += "</span></label>";
  }
  out_ += "</div>\n</fieldset>\n";
}

void FormRenderer::note(const Item& item) {
  open_item(item, "div", "item item-note");
  paragraphs(item.text.in(lang_));
  if (item.hint) {
    out_ += "<p class=\"hint\">";
    text(item.hint->in(lang_));
    out_ += "</p>\n";
  }
  out_ += "</div>\n";
}

// A value that comes from the invitation: shown, not editable, not posted.
void FormRenderer::preload(const Item& item) {
  open_item(item, "div", "item item-preload");
  out_ += "<p class=\"question\">";
  text(item.text.in(lang_));
  out_ += "</p>\n";
  hint_and_error(item);
  std::vector<std::string> values;
  if (const RawAnswer* a = answer(item)) values = answer_values(*a);
  out_ += "<p class=\"preload-value\" data-preload=\"";
  io::append_html(out_, item.id);
  out_ += "\" data-value=\"";
  if (!values.empty()) io::append_html(out_, values.front());
  out_ += "\">";
  std::string shown = display(item);
  io::append_html(out_, shown.empty() ? std::string_view("—") : std::string_view(shown));
  out_ += "</p>\n</div>\n";
}

void FormRenderer::field(const Item& item) {
  open_item(item, "div", "item item-" + std::string(q::to_string(item.type)));
  std::string id = "f-" + item.id;
  out_ += "<label class=\"question\" for=\"";
  io::append_html(out_, id);
  out_ += "\">";
  text(item.text.in(lang_));
  required_mark(item);
  out_ += "</label>\n";
  hint_and_error(item);
  std::string value;
  if (const RawAnswer* a = answer(item)) {
    auto values = answer_values(*a);
    if (!values.empty()) value = values.front();
  }
  bool non_negative = item.min && *item.min >= 0;
  if (item.type == ItemType::LongText) {
    out_ += "<textarea class=\"input\" rows=\"5\" id=\"";
  } else {
    out_ += "<input class=\"input input-";
    out_ += q::to_string(item.type);
    out_ += "\" id=\"";
  }
  io::append_html(out_, id);
  out_ += "\" name=\"";
  io::append_html(out_, item.id);
  out_ += '"';
  switch (item.type) {
    case ItemType::Rating:
    case ItemType::Integer:
      // Not type=number: a browser empties a number box it cannot read,
      // and the server could then only say "required" instead of "not a
      // whole number".
      out_ += non_negative ? " type=\"text\" inputmode=\"numeric\"" : " type=\"text\"";
      out_ += " autocomplete=\"off\"";
      break;
    case ItemType::Decimal:
      out_ += non_negative ? " type=\"text\" inputmode=\"decimal\"" : " type=\"text\"";
      out_ += " autocomplete=\"off\"";
      break;
    case ItemType::Date:
      out_ += " type=\"date\"";
      if (item.min_day) out_ += " min=\"" + q::format_date(*item.min_day) + '"';
      if (item.max_day) out_ += " max=\"" + q::format_date(*item.max_day) + '"';
      break;
    case ItemType::Text:
      out_ += " type=\"text\" maxlength=\"" + std::to_string(item.max_length) + '"';
      break;
    case ItemType::LongText:
      out_ += " maxlength=\"" + std::to_string(item.max_length) + '"';
      break;
    default:
      out_ += " type=\"text\"";
      break;
  }
  input_aria(item);
  if (item.type == ItemType::LongText) {
    // The parser drops one newline right after <textarea>: this one, so a
    // value that starts with a newline keeps it.
    out_ += ">\n";
    io::append_html(out_, value);
    out_ += "</textarea>\n";
  } else {
    out_ += " value=\"";
    io::append_html(out_, value);
    out_ += "\">\n";
  }
  out_ += "</div>\n";
}

}  // namespace sipas::survey_server
