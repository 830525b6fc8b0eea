#include "survey_server/form_page.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <vector>

#include "questionnaires/date.hpp"
#include "questionnaires/expression_json.hpp"
#include "survey_server/html.hpp"

namespace sipas::survey_server {
namespace {

namespace q = questionnaires;
using q::Item;
using q::ItemType;
using q::RawAnswer;

// ------------------------------------------------------------ interface texts

struct InterfaceTexts {
  std::string_view required;
  std::string_view submit;
  std::string_view save;
  std::string_view summary_title;
  std::string_view draft_saved;
  std::string_view languages;
  std::string_view required_note;
  std::string_view thanks_default;
  std::string_view error_prefix;
};

constexpr InterfaceTexts vietnamese = {
    "bắt buộc",
    "Gửi phiếu",
    "Lưu lại, trả lời tiếp sau",
    "Vui lòng kiểm tra lại các câu trả lời sau",
    "Đã lưu các câu trả lời của Ông/Bà. Ông/Bà có thể mở lại đường dẫn trong thư mời để trả "
    "lời tiếp.",
    "Ngôn ngữ",
    "Các câu hỏi có dấu * là bắt buộc.",
    "Câu trả lời của Ông/Bà đã được ghi nhận. Xin cảm ơn!",
    "Lỗi: ",
};

constexpr InterfaceTexts english = {
    "required",
    "Submit",
    "Save and continue later",
    "Please check the following answers",
    "Your answers are saved. Open the link in your invitation again to continue.",
    "Language",
    "Questions marked * are required.",
    "Your answers have been recorded. Thank you!",
    "Error: ",
};

const InterfaceTexts& interface_texts(std::string_view lang) {
  return lang == "vi" ? vietnamese : english;
}

std::string_view language_name(std::string_view code) {
  if (code == "vi") return "Tiếng Việt";
  if (code == "en") return "English";
  return code;
}

std::string_view status_title(int status, std::string_view lang) {
  bool vi = lang == "vi";
  switch (status) {
    case 400:
      return vi ? "Yêu cầu không hợp lệ" : "Bad request";
    case 403:
      return vi ? "Đường dẫn không hợp lệ" : "Invalid link";
    case 404:
      return vi ? "Không tìm thấy" : "Not found";
    case 409:
      return vi ? "Phiếu đã được trả lời" : "Already answered";
    case 410:
      return vi ? "Khảo sát đã kết thúc" : "Survey closed";
    case 413:
      return vi ? "Dữ liệu gửi quá lớn" : "Too much data";
    case 429:
      return vi ? "Gửi quá nhiều lần, xin thử lại sau" : "Too many requests";
    case 503:
      return vi ? "Tạm ngừng phục vụ" : "Service unavailable";
    default:
      if (status >= 500) return vi ? "Lỗi hệ thống" : "Server error";
      return vi ? "Có lỗi xảy ra" : "Something went wrong";
  }
}

// ------------------------------------------------------------ page shell

void open_page(std::string& out, std::string_view lang, std::string_view title,
               std::string_view asset_base) {
  out += "<!DOCTYPE html>\n<html lang=\"";
  append_html(out, lang);
  out +=
      "\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      // store::Invitation links carry a token: keep it out of other sites' Referer
      // headers (same-origin keeps the form's own posts' Origin) and out of
      // search engines.
      "<meta name=\"referrer\" content=\"same-origin\">\n"
      "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>";
  append_html(out, title);
  out += "</title>\n<link rel=\"stylesheet\" href=\"";
  append_html(out, asset_base);
  out += "form.css\">\n</head>\n<body>\n";
}

void close_page(std::string& out) {
  out += "</body>\n</html>\n";
}

// Each non-blank line of `text` as a paragraph.
void append_paragraphs(std::string& out, std::string_view text) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
      out += "<p>";
      append_html(out, line);
      out += "</p>\n";
    }
    start = end + 1;
  }
}

// The skip logic as the page's script reads it.
std::string logic_json(const q::Questionnaire& q) {
  return escape_script_json(q::form_logic_to_json(q).dump());
}

std::string number_text(double n) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, n);
  return ec == std::errc() ? std::string(buffer, end) : std::string();
}

// The values an answer holds, as the form writes them back into its fields.
std::vector<std::string> answer_values(const RawAnswer& a) {
  switch (a.kind) {
    case RawAnswer::Kind::Integer:
      return {std::to_string(a.integer)};
    case RawAnswer::Kind::Number:
      return {number_text(a.number)};
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

bool is_item_id(std::string_view id) {
  if (id.empty() || id.size() > q::QuestionnaireLimits::max_id_length) return false;
  auto word = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  };
  return std::all_of(id.begin(), id.end(), word) && !(id[0] >= '0' && id[0] <= '9');
}

// A rating shown as a row of radio buttons rather than a number box.
constexpr double max_rating_buttons = 11;

bool rating_as_buttons(const Item& item) {
  return item.type == ItemType::Rating && item.min && item.max &&
         *item.max - *item.min + 1 <= max_rating_buttons;
}

// ------------------------------------------------------------ the form

// The parts of a form page that change from one request to the next; the rest
// depends only on the questionnaire and the language (see FormTemplate).
enum class Slot : std::uint8_t { Action, SubmissionId, LanguageHref, Notice, SaveButton };

struct SlotAt {
  std::size_t offset;  // in the page rendered without it
  Slot slot;
  std::size_t language;  // of a LanguageHref
};

void write_slot(std::string& out, Slot slot, std::size_t language, const FormPage& page) {
  const auto& languages = page.questionnaire->languages();
  const auto& ui = interface_texts(languages.at(page.language));
  switch (slot) {
    case Slot::Action:
      append_html(out, page.action);
      return;
    case Slot::SubmissionId:
      append_html(out, page.submission_id);
      return;
    case Slot::LanguageHref: {
      const std::string& base =
          page.language_switch_base.empty() ? page.action : page.language_switch_base;
      const char* joiner = base.find('?') == std::string::npos ? "?" : "&";
      append_html(out, base + joiner + "lang=" + languages.at(language));
      return;
    }
    case Slot::Notice:
      if (page.draft_saved) {
        out += "<div class=\"notice\" role=\"status\"><p>";
        append_html(out, ui.draft_saved);
        out += "</p></div>\n";
      }
      return;
    case Slot::SaveButton:
      if (page.can_save_draft) {
        out += "<button type=\"submit\" class=\"button button-secondary\" name=\"_action\" ";
        out += "value=\"save\">";
        append_html(out, ui.save);
        out += "</button>\n";
      }
      return;
  }
}

class FormRenderer {
 public:
  // With `slots`, the request's own parts are left out and their offsets
  // recorded there instead. `script_data` is the skip logic's JSON when known.
  FormRenderer(const FormPage& page, const std::string* script_data = nullptr,
               std::vector<SlotAt>* slots = nullptr)
      : page_(page),
        logic_json_(script_data),
        slots_(slots),
        q_(*page.questionnaire),
        lang_(page.language),
        code_(q_.languages().at(page.language)),
        ui_(interface_texts(code_)),
        errors_(q_.items().size()) {
    if (page.answers && page.answers->answers.size() == q_.items().size()) {
      answers_ = page.answers;
    }
    if (page.errors) {
      for (const auto& issue : page.errors->issues) {
        if (const Item* item = q_.find(issue.item)) errors_[item->slot].push_back(&issue.message);
      }
    }
  }

  std::string render() {
    out_.reserve(64 * 1024);
    bool has_errors = page_.errors && !page_.errors->issues.empty();
    std::string title = has_errors ? std::string(ui_.error_prefix) : std::string();
    title += plain(q_.title().in(lang_));
    open_page(out_, code_, title, page_.asset_base);
    header();
    out_ += "<main class=\"wrap\" id=\"sipas-main\">\n";
    slot(Slot::Notice);
    if (has_errors) error_summary();
    if (q_.intro()) {
      out_ += "<div class=\"intro\">\n";
      paragraphs(q_.intro()->in(lang_));
      out_ += "</div>\n";
    }
    out_ += "<p class=\"required-note\">";
    append_html(out_, ui_.required_note);
    out_ += "</p>\n<form id=\"sipas-form\" class=\"survey\" method=\"post\" action=\"";
    slot(Slot::Action);
    out_ +=
        "\" novalidate accept-charset=\"UTF-8\">\n"
        "<input type=\"hidden\" name=\"_submission\" value=\"";
    slot(Slot::SubmissionId);
    out_ += "\">\n<input type=\"hidden\" name=\"_lang\" value=\"";
    append_html(out_, code_);
    out_ += "\">\n";
    for (const auto& section : q_.sections())
      render_section(section);
    out_ += "<div class=\"actions\">\n<button type=\"submit\" class=\"button button-primary\" ";
    out_ += "name=\"_action\" value=\"submit\">";
    append_html(out_, ui_.submit);
    out_ += "</button>\n";
    slot(Slot::SaveButton);
    out_ += "</div>\n</form>\n</main>\n<script type=\"application/json\" id=\"sipas-logic\">";
    out_ += logic_json_ ? *logic_json_ : logic_json(q_);
    out_ += "</script>\n<script src=\"";
    append_html(out_, page_.asset_base);
    out_ += "form.js\" defer></script>\n";
    close_page(out_);
    return std::move(out_);
  }

 private:
  // ---------------------------------------------------------- texts

  const RawAnswer* answer(const Item& item) const {
    if (!answers_) return nullptr;
    const RawAnswer& a = answers_->answers[item.slot];
    return a.absent() ? nullptr : &a;
  }

  // How an answer reads inside a text: a choice's label, or the value.
  std::string display(const Item& item) const {
    const RawAnswer* a = answer(item);
    if (!a) return {};
    std::string shown;
    for (const auto& value : answer_values(*a)) {
      if (!shown.empty()) shown += ", ";
      std::string label = value;
      if (item.scale) {
        for (const auto& choice : item.scale->choices) {
          if (choice.code.to_string() == value) label = choice.label.in(lang_);
        }
      }
      shown += label;
    }
    return shown;
  }

  // Calls on_text for literal runs and on_ref for each ${id} naming an item.
  template <typename OnText, typename OnRef>
  void split_refs(std::string_view t, OnText on_text, OnRef on_ref) const {
    std::size_t i = 0;
    for (;;) {
      std::size_t open = t.find("${", i);
      std::size_t close = open == std::string_view::npos ? open : t.find('}', open + 2);
      if (close == std::string_view::npos) {
        on_text(t.substr(i));
        return;
      }
      std::string_view id = t.substr(open + 2, close - open - 2);
      const Item* item = is_item_id(id) ? q_.find(id) : nullptr;
      if (item) {
        on_text(t.substr(i, open - i));
        on_ref(*item);
      } else {
        on_text(t.substr(i, close + 1 - i));
      }
      i = close + 1;
    }
  }

  // A questionnaire text, escaped, with ${id} shown as a live answer.
  void text(std::string_view t) {
    split_refs(
        t, [&](std::string_view s) { append_html(out_, s); },
        [&](const Item& item) {
          out_ += "<span class=\"ref\" data-ref=\"";
          append_html(out_, item.id);
          out_ += "\">";
          append_html(out_, display(item));
          out_ += "</span>";
        });
  }

  // The same as plain text (for <title> and the error summary), unescaped.
  std::string plain(std::string_view t) const {
    std::string s;
    split_refs(
        t, [&](std::string_view part) { s += part; },
        [&](const Item& item) { s += display(item); });
    return s;
  }

  void paragraphs(std::string_view t) {
    std::size_t start = 0;
    while (start <= t.size()) {
      std::size_t end = t.find('\n', start);
      if (end == std::string_view::npos) end = t.size();
      std::string_view line = t.substr(start, end - start);
      if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
        out_ += "<p>";
        text(line);
        out_ += "</p>\n";
      }
      start = end + 1;
    }
  }

  // ---------------------------------------------------------- page parts

  void header() {
    out_ += "<header class=\"masthead\">\n<div class=\"wrap\">\n";
    const auto& languages = q_.languages();
    if (languages.size() > 1) {
      out_ += "<nav class=\"languages\" aria-label=\"";
      append_html(out_, ui_.languages);
      out_ += "\"><ul>\n";
      for (std::size_t i = 0; i < languages.size(); ++i) {
        out_ += "<li><a href=\"";
        slot(Slot::LanguageHref, i);
        out_ += "\" hreflang=\"";
        append_html(out_, languages[i]);
        out_ += "\" lang=\"";
        append_html(out_, languages[i]);
        out_ += i == lang_ ? "\" aria-current=\"true\">" : "\">";
        append_html(out_, language_name(languages[i]));
        out_ += "</a></li>\n";
      }
      out_ += "</ul></nav>\n";
    }
    out_ += "<h1>";
    text(q_.title().in(lang_));
    out_ += "</h1>\n</div>\n</header>\n";
  }

  // The element a link to the item should focus: its first input.
  std::string anchor(const Item& item) const {
    if (item.preload_invitation) return "item-" + item.id;
    switch (item.type) {
      case ItemType::Single:
      case ItemType::Multiple:
      case ItemType::Likert:
        return "f-" + item.id + "-" + std::to_string(options(item).front().index);
      case ItemType::Rating:
        return rating_as_buttons(item) ? "f-" + item.id + "-0" : "f-" + item.id;
      case ItemType::Integer:
      case ItemType::Decimal:
      case ItemType::Date:
      case ItemType::Text:
      case ItemType::LongText:
        return "f-" + item.id;
      default:
        return "item-" + item.id;
    }
  }

  void error_summary() {
    out_ +=
        "<div class=\"error-summary\" id=\"sipas-error-summary\" role=\"alert\" tabindex=\"-1\" "
        "aria-labelledby=\"sipas-error-summary-title\">\n"
        "<h2 id=\"sipas-error-summary-title\">";
    append_html(out_, ui_.summary_title);
    out_ += "</h2>\n<ul>\n";
    for (const auto& issue : page_.errors->issues) {
      const Item* item = q_.find(issue.item);
      out_ += "<li>";
      if (item) {
        out_ += "<a href=\"#";
        append_html(out_, anchor(*item));
        out_ += "\">";
        if (!item->text.empty()) {
          append_html(out_, plain(item->text.in(lang_)));
          out_ += ": ";
        }
        append_html(out_, issue.message);
        out_ += "</a>";
      } else {
        append_html(out_, issue.message);
      }
      out_ += "</li>\n";
    }
    out_ += "</ul>\n</div>\n";
  }

  void render_section(const q::Section& section) {
    out_ += "<fieldset class=\"section\" id=\"section-";
    append_html(out_, section.id);
    out_ += "\" data-section=\"";
    append_html(out_, section.id);
    out_ += "\">\n<legend class=\"section-title\"><h2>";
    text(section.title.in(lang_));
    out_ += "</h2></legend>\n";
    for (auto slot : section.items)
      render_item(q_.items()[slot]);
    out_ += "</fieldset>\n";
  }

  // ---------------------------------------------------------- items

  void render_item(const Item& item) {
    if (item.type == ItemType::Calculate) return;
    if (item.type == ItemType::Note) return note(item);
    if (item.type == ItemType::Matrix) return matrix(item);
    if (item.preload_invitation) return preload(item);
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

  void open_item(const Item& item, std::string_view element, std::string_view classes) {
    out_ += '<';
    out_ += element;
    out_ += " class=\"";
    out_ += classes;
    if (!errors_[item.slot].empty()) out_ += " has-error";
    out_ += "\" id=\"item-";
    append_html(out_, item.id);
    out_ += "\" data-item=\"";
    append_html(out_, item.id);
    out_ += "\">\n";
  }

  void required_mark(const Item& item) {
    bool conditional = !item.required && item.required_if;
    if (!item.required && !conditional) return;
    if (item.is_matrix_row() && q_.items()[item.parent].required) return;  // marked on the matrix
    out_ += conditional ? "<span class=\"required-mark\" data-required-if hidden>"
                        : "<span class=\"required-mark\">";
    out_ += "<span aria-hidden=\"true\"> *</span><span class=\"visually-hidden\"> (";
    append_html(out_, ui_.required);
    out_ += ")</span></span>";
  }

  void hint_and_error(const Item& item) {
    if (item.hint) {
      out_ += "<p class=\"hint\" id=\"hint-";
      append_html(out_, item.id);
      out_ += "\">";
      text(item.hint->in(lang_));
      out_ += "</p>\n";
    }
    if (!errors_[item.slot].empty()) {
      out_ += "<p class=\"error-message\" id=\"error-";
      append_html(out_, item.id);
      out_ += "\"><span class=\"visually-hidden\">";
      append_html(out_, ui_.error_prefix);
      out_ += "</span>";
      for (const auto* message : errors_[item.slot]) {
        out_ += "<span class=\"error-line\">";
        append_html(out_, *message);
        out_ += "</span>";
      }
      out_ += "</p>\n";
    }
  }

  // aria-describedby and aria-invalid for the item's inputs.
  void input_aria(const Item& item) {
    std::string ids;
    if (item.hint) ids += "hint-" + item.id;
    if (!errors_[item.slot].empty()) ids += (ids.empty() ? "error-" : " error-") + item.id;
    if (!ids.empty()) {
      out_ += " aria-describedby=\"";
      append_html(out_, ids);
      out_ += '"';
    }
    if (!errors_[item.slot].empty()) out_ += " aria-invalid=\"true\"";
  }

  struct Option {
    std::string value;
    std::string_view label;
    std::size_t index;  // in the element id
  };

  std::vector<Option> options(const Item& item) const {
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

  void choices(const Item& item, std::string_view element, const std::string& classes,
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
      append_html(out_, id);
      out_ += "\"><input type=\"";
      out_ += type;
      out_ += "\" id=\"";
      append_html(out_, id);
      out_ += "\" name=\"";
      append_html(out_, item.id);
      out_ += "\" value=\"";
      append_html(out_, option.value);
      out_ += '"';
      if (std::find(chosen.begin(), chosen.end(), option.value) != chosen.end()) {
        out_ += " checked";
      }
      input_aria(item);
      out_ += "><span class=\"choice-label\">";
      if (option.label.empty()) {
        append_html(out_, option.value);
      } else {
        text(option.label);
      }
      out_ += "</span></label>\n";
    }
    out_ += "</div>\n</fieldset>\n";
  }

  void matrix(const Item& item) {
    open_item(item, "fieldset", "item item-matrix");
    out_ += "<legend class=\"question\">";
    text(item.text.in(lang_));
    required_mark(item);
    out_ += "</legend>\n";
    hint_and_error(item);
    // Column headings for the table layout of wide screens; each radio keeps
    // its own label, so assistive technology does not need them.
    out_ += "<div class=\"matrix-head\" aria-hidden=\"true\"><span class=\"matrix-corner\"></span>";
    for (const auto& option : options(item)) {
      out_ += "<span class=\"matrix-column\">";
      text(option.label);
      out_ += "</span>";
    }
    out_ += "</div>\n";
    for (auto row : item.rows)
      choices(q_.items()[row], "fieldset", "item matrix-row", "row-text");
    out_ += "</fieldset>\n";
  }

  void note(const Item& item) {
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
  void preload(const Item& item) {
    open_item(item, "div", "item item-preload");
    out_ += "<p class=\"question\">";
    text(item.text.in(lang_));
    out_ += "</p>\n";
    hint_and_error(item);
    std::vector<std::string> values;
    if (const RawAnswer* a = answer(item)) values = answer_values(*a);
    out_ += "<p class=\"preload-value\" data-preload=\"";
    append_html(out_, item.id);
    out_ += "\" data-value=\"";
    if (!values.empty()) append_html(out_, values.front());
    out_ += "\">";
    std::string shown = display(item);
    append_html(out_, shown.empty() ? std::string_view("—") : std::string_view(shown));
    out_ += "</p>\n</div>\n";
  }

  void field(const Item& item) {
    open_item(item, "div", "item item-" + std::string(q::to_string(item.type)));
    std::string id = "f-" + item.id;
    out_ += "<label class=\"question\" for=\"";
    append_html(out_, id);
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
    append_html(out_, id);
    out_ += "\" name=\"";
    append_html(out_, item.id);
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
      append_html(out_, value);
      out_ += "</textarea>\n";
    } else {
      out_ += " value=\"";
      append_html(out_, value);
      out_ += "\">\n";
    }
    out_ += "</div>\n";
  }

  void slot(Slot which, std::size_t language = 0) {
    if (slots_) {
      slots_->push_back({out_.size(), which, language});
    } else {
      write_slot(out_, which, language, page_);
    }
  }

  const FormPage& page_;
  const std::string* logic_json_;
  std::vector<SlotAt>* slots_;
  const q::Questionnaire& q_;
  std::size_t lang_;
  const std::string& code_;
  const InterfaceTexts& ui_;
  const q::Response* answers_ = nullptr;
  std::vector<std::vector<const std::string*>> errors_;  // messages by slot
  std::string out_;
};

}  // namespace

std::string render_form(const FormPage& page) {
  if (!page.questionnaire) throw std::invalid_argument("render_form: no questionnaire");
  return FormRenderer(page).render();
}

struct FormTemplate::Language {
  std::vector<std::string> texts;  // texts.size() == slots.size() + 1
  std::vector<SlotAt> slots;
};

FormTemplate::FormTemplate(const q::Questionnaire& q, std::string_view asset_base)
    : q_(q), asset_base_(asset_base), logic_json_(logic_json(q)) {
  for (std::size_t language = 0; language < q.languages().size(); ++language) {
    FormPage blank;
    blank.questionnaire = &q;
    blank.language = language;
    blank.asset_base = asset_base_;
    Language compiled;
    std::string page = FormRenderer(blank, &logic_json_, &compiled.slots).render();
    std::size_t start = 0;
    for (const auto& at : compiled.slots) {
      compiled.texts.push_back(page.substr(start, at.offset - start));
      start = at.offset;
    }
    compiled.texts.push_back(page.substr(start));
    languages_.push_back(std::move(compiled));
  }
}

FormTemplate::~FormTemplate() = default;

std::string FormTemplate::render(const FormPage& page) const {
  FormPage own = page;
  own.questionnaire = &q_;
  bool blank = !page.answers && (!page.errors || page.errors->ok()) &&
               page.asset_base == asset_base_ && page.language < languages_.size();
  if (!blank) return FormRenderer(own, &logic_json_).render();
  const Language& compiled = languages_[page.language];
  std::string out;
  std::size_t size = page.action.size() * (compiled.slots.size() + 1) + 1024;
  for (const auto& text : compiled.texts)
    size += text.size();
  out.reserve(size);
  for (std::size_t i = 0; i < compiled.slots.size(); ++i) {
    out += compiled.texts[i];
    write_slot(out, compiled.slots[i].slot, compiled.slots[i].language, own);
  }
  out += compiled.texts.back();
  return out;
}

std::string render_thanks(const q::Questionnaire& q, std::size_t language,
                          std::string_view asset_base) {
  const std::string& lang = q.languages().at(language);
  const auto& ui = interface_texts(lang);
  std::string out;
  open_page(out, lang, q.title().in(language), asset_base);
  out += "<main class=\"wrap page-message\" id=\"sipas-main\">\n<h1>";
  append_html(out, q.title().in(language));
  out += "</h1>\n<div class=\"closing\" role=\"status\">\n";
  append_paragraphs(out,
                    q.closing() ? std::string_view(q.closing()->in(language)) : ui.thanks_default);
  out += "</div>\n</main>\n";
  close_page(out);
  return out;
}

std::string render_message(std::string_view title, std::string_view message, std::string_view lang,
                           std::string_view asset_base) {
  std::string out;
  open_page(out, lang, title, asset_base);
  out += "<main class=\"wrap page-message\" id=\"sipas-main\">\n<h1>";
  append_html(out, title);
  out += "</h1>\n";
  append_paragraphs(out, message);
  out += "</main>\n";
  close_page(out);
  return out;
}

std::string render_message(int status, std::string_view message, std::string_view lang,
                           std::string_view asset_base) {
  return render_message(status_title(status, lang), message, lang, asset_base);
}

}  // namespace sipas::survey_server
