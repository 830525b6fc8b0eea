// The form page's frame: the page, its header and language links, the error
// summary, sections, the questionnaire's texts with their ${id} references,
// and the parts that change per request (slots). The items are in
// form_items.cpp.

#include "survey_server/form_renderer.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "io/html_escape.hpp"
#include "questionnaires/expression_json.hpp"
#include "survey_server/page_shell.hpp"

namespace sipas::survey_server {

namespace q = questionnaires;
using q::Item;
using q::ItemType;
using q::RawAnswer;

namespace {

bool is_item_id(std::string_view id) {
  if (id.empty() || id.size() > q::QuestionnaireLimits::max_id_length) return false;
  auto word = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  };
  return std::all_of(id.begin(), id.end(), word) && !(id[0] >= '0' && id[0] <= '9');
}

}  // namespace

// The skip logic as the page's script reads it.
std::string logic_json(const q::Questionnaire& q) {
  return io::escape_script_json(q::form_logic_to_json(q).dump());
}

// The same for one page: its items and those whose values they read (their
// answers come as hidden fields), so that a page carries a few hundred bytes
// of logic rather than the whole questionnaire's.
std::string logic_json(const q::Questionnaire& q, const q::Pages& pages, std::size_t page) {
  return logic_json(q, q::form_logic_to_json(q), pages, page);
}

std::string logic_json(const q::Questionnaire& q, const nlohmann::json& whole,
                       const q::Pages& pages, std::size_t page) {
  std::vector<bool> needed(q.items().size(), false);
  std::vector<std::uint32_t> queue(pages.slots(page).begin(), pages.slots(page).end());
  while (!queue.empty()) {
    const std::uint32_t slot = queue.back();
    queue.pop_back();
    if (needed[slot]) continue;
    needed[slot] = true;
    const Item& item = q.items()[slot];
    for (auto dep : q.value_dependencies(slot))
      queue.push_back(dep);
    if (item.required_if) {
      for (auto dep : item.required_if->references())
        queue.push_back(dep);
    }
    if (item.is_matrix_row()) queue.push_back(item.parent);
  }
  std::vector<bool> sections(q.sections().size(), false);
  for (const auto& item : q.items()) {
    if (needed[item.slot]) sections[item.section] = true;
  }
  nlohmann::json logic = whole;
  nlohmann::json items = nlohmann::json::array();
  for (const auto& j : whole["items"]) {
    if (needed[q.find(j["id"].get<std::string>())->slot]) items.push_back(j);
  }
  nlohmann::json kept = nlohmann::json::array();
  for (std::size_t s = 0; s < q.sections().size(); ++s) {
    if (sections[s]) kept.push_back(whole["sections"][s]);
  }
  logic["items"] = std::move(items);
  logic["sections"] = std::move(kept);
  return io::escape_script_json(logic.dump());
}

void write_slot(std::string& out, Slot slot, std::size_t language, const FormPage& page) {
  const auto& languages = page.questionnaire->languages();
  switch (slot) {
    case Slot::Action:
      io::append_html(out, page.action);
      return;
    case Slot::SubmissionId:
      io::append_html(out, page.submission_id);
      return;
    case Slot::LanguageHref: {
      const std::string& base =
          page.language_switch_base.empty() ? page.action : page.language_switch_base;
      const char* joiner = base.find('?') == std::string::npos ? "?" : "&";
      io::append_html(out, base + joiner + "lang=" + languages.at(language));
      return;
    }
    case Slot::Notice:
      if (page.draft_saved) {
        out += "<div class=\"notice\" role=\"status\"><p>";
        io::append_html(out, interface_texts(languages.at(page.language)).draft_saved);
        out += "</p></div>\n";
      }
      return;
    case Slot::SaveButton:
      if (page.can_save_draft) {
        out += "<button type=\"submit\" class=\"button button-secondary\" name=\"_action\" ";
        out += "value=\"save\">";
        io::append_html(out, interface_texts(languages.at(page.language)).save);
        out += "</button>\n";
      }
      return;
  }
}

FormRenderer::FormRenderer(const FormPage& page, const std::string* script_data,
                           std::vector<SlotAt>* slots)
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

std::string FormRenderer::render() {
  out_.reserve(64 * 1024);
  const bool paged = page_.pages != nullptr;
  bool has_errors = page_.errors && !page_.errors->issues.empty();
  std::string title = has_errors ? std::string(ui_.error_prefix) : std::string();
  title += plain(q_.title().in(lang_));
  open_page(out_, code_, title, page_.asset_base);
  header();
  out_ += "<main class=\"wrap\" id=\"sipas-main\">\n";
  if (paged) progress();
  slot(Slot::Notice);
  if (has_errors) error_summary();
  if (q_.intro() && (!paged || page_.page == 0)) {
    out_ += "<div class=\"intro\">\n";
    paragraphs(q_.intro()->in(lang_));
    out_ += "</div>\n";
  }
  out_ += "<p class=\"required-note\">";
  io::append_html(out_, ui_.required_note);
  out_ += "</p>\n<form id=\"sipas-form\" class=\"survey\" method=\"post\" action=\"";
  slot(Slot::Action);
  out_ +=
      "\" novalidate accept-charset=\"UTF-8\">\n"
      "<input type=\"hidden\" name=\"_submission\" value=\"";
  slot(Slot::SubmissionId);
  out_ += "\">\n<input type=\"hidden\" name=\"_lang\" value=\"";
  io::append_html(out_, code_);
  out_ += "\">\n";
  if (paged) {
    render_page();
  } else {
    for (const auto& section : q_.sections())
      render_section(section);
    out_ += "<div class=\"actions\">\n";
    button("submit", ui_.submit, "button-primary");
    slot(Slot::SaveButton);
    out_ += "</div>\n";
  }
  out_ += "</form>\n</main>\n<script type=\"application/json\" id=\"sipas-logic\">";
  if (logic_json_) {
    out_ += *logic_json_;
  } else {
    out_ += paged ? logic_json(q_, *page_.pages, page_.page) : logic_json(q_);
  }
  out_ += "</script>\n<script src=\"";
  io::append_html(out_, page_.asset_base);
  out_ += "form.js\" defer></script>\n";
  close_page(out_);
  return std::move(out_);
}

void FormRenderer::slot(Slot which, std::size_t language) {
  if (slots_) {
    slots_->push_back({out_.size(), which, language});
  } else {
    write_slot(out_, which, language, page_);
  }
}

const RawAnswer* FormRenderer::answer(const Item& item) const {
  if (!answers_) return nullptr;
  const RawAnswer& a = answers_->answers[item.slot];
  return a.absent() ? nullptr : &a;
}

// How an answer reads inside a text: a choice's label, or the value.
std::string FormRenderer::display(const Item& item) const {
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
void FormRenderer::split_refs(std::string_view t, OnText on_text, OnRef on_ref) const {
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
void FormRenderer::text(std::string_view t) {
  split_refs(
      t, [&](std::string_view s) { io::append_html(out_, s); },
      [&](const Item& item) {
        out_ += "<span class=\"ref\" data-ref=\"";
        io::append_html(out_, item.id);
        out_ += "\">";
        io::append_html(out_, display(item));
        out_ += "</span>";
      });
}

// The same as plain text (for <title> and the error summary), unescaped.
std::string FormRenderer::plain(std::string_view t) const {
  std::string s;
  split_refs(
      t, [&](std::string_view part) { s += part; }, [&](const Item& item) { s += display(item); });
  return s;
}

void FormRenderer::paragraphs(std::string_view t) {
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

void FormRenderer::header() {
  out_ += "<header class=\"masthead\">\n<div class=\"wrap\">\n";
  const auto& languages = q_.languages();
  if (languages.size() > 1) {
    out_ += "<nav class=\"languages\" aria-label=\"";
    io::append_html(out_, ui_.languages);
    out_ += "\"><ul>\n";
    for (std::size_t i = 0; i < languages.size(); ++i) {
      out_ += "<li><a href=\"";
      slot(Slot::LanguageHref, i);
      out_ += "\" hreflang=\"";
      io::append_html(out_, languages[i]);
      out_ += "\" lang=\"";
      io::append_html(out_, languages[i]);
      out_ += i == lang_ ? "\" aria-current=\"true\">" : "\">";
      io::append_html(out_, language_name(languages[i]));
      out_ += "</a></li>\n";
    }
    out_ += "</ul></nav>\n";
  }
  out_ += "<h1>";
  text(q_.title().in(lang_));
  out_ += "</h1>\n</div>\n</header>\n";
}

// The element a link to the item should focus: its first input.
std::string FormRenderer::anchor(const Item& item) const {
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

void FormRenderer::error_summary() {
  out_ +=
      "<div class=\"error-summary\" id=\"sipas-error-summary\" role=\"alert\" tabindex=\"-1\" "
      "aria-labelledby=\"sipas-error-summary-title\">\n"
      "<h2 id=\"sipas-error-summary-title\">";
  io::append_html(out_, ui_.error_summary_title);
  out_ += "</h2>\n";
  if (page_.issues_elsewhere) {
    out_ += "<p>";
    io::append_html(out_, ui_.page_issues_elsewhere);
    out_ += "</p>\n";
  }
  out_ += "<ul>\n";
  for (const auto& issue : page_.errors->issues) {
    const Item* item = q_.find(issue.item);
    out_ += "<li>";
    if (item) {
      out_ += "<a href=\"#";
      io::append_html(out_, anchor(*item));
      out_ += "\">";
      if (!item->text.empty()) {
        io::append_html(out_, plain(item->text.in(lang_)));
        out_ += ": ";
      }
      io::append_html(out_, issue.message);
      out_ += "</a>";
    } else {
      io::append_html(out_, issue.message);
    }
    out_ += "</li>\n";
  }
  out_ += "</ul>\n</div>\n";
}

void FormRenderer::open_section(const q::Section& section) {
  out_ += "<fieldset class=\"section\" id=\"section-";
  io::append_html(out_, section.id);
  out_ += "\" data-section=\"";
  io::append_html(out_, section.id);
  out_ += "\">\n<legend class=\"section-title\"><h2>";
  text(section.title.in(lang_));
  out_ += "</h2></legend>\n";
}

void FormRenderer::render_section(const q::Section& section) {
  open_section(section);
  for (auto slot : section.items)
    render_item(q_.items()[slot]);
  out_ += "</fieldset>\n";
}

}  // namespace sipas::survey_server
