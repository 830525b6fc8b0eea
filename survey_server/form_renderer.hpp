#pragma once

// What the form page's files share (form_page.cpp, form_renderer.cpp,
// form_items.cpp); not for users of the library: form_page.hpp is the
// interface.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "survey_server/form_page.hpp"
#include "survey_server/interface_texts.hpp"

namespace sipas::survey_server {

// The parts of a form page that change from one request to the next; the rest
// depends only on the questionnaire and the language (see FormTemplate).
enum class Slot : std::uint8_t { Action, SubmissionId, LanguageHref, Notice, SaveButton };

struct SlotAt {
  std::size_t offset;  // in the page rendered without it
  Slot slot;
  std::size_t language;  // of a LanguageHref
};

// The request's part `slot` of `page` (`language`: the link's, for a
// LanguageHref).
void write_slot(std::string& out, Slot slot, std::size_t language, const FormPage& page);

// The skip logic as the page's script reads it: the whole form's, or what one
// page needs.
std::string logic_json(const questionnaires::Questionnaire& q);
std::string logic_json(const questionnaires::Questionnaire& q, const questionnaires::Pages& pages,
                       std::size_t page);
// The same from the whole form's logic (form_logic_to_json), built once.
std::string logic_json(const questionnaires::Questionnaire& q, const nlohmann::json& whole,
                       const questionnaires::Pages& pages, std::size_t page);

// The values an answer holds, as the form writes them back into its fields.
std::vector<std::string> answer_values(const questionnaires::RawAnswer& a);

// A rating shown as a row of radio buttons rather than a number box.
bool rating_as_buttons(const questionnaires::Item& item);

// Renders one form page; used once per page.
class FormRenderer {
 public:
  // With `slots`, the request's own parts are left out and their offsets
  // recorded there instead. `script_data` is the skip logic's JSON when known.
  FormRenderer(const FormPage& page, const std::string* script_data = nullptr,
               std::vector<SlotAt>* slots = nullptr);

  std::string render();

 private:
  using Item = questionnaires::Item;

  // form_renderer.cpp: texts and page parts.
  const questionnaires::RawAnswer* answer(const Item& item) const;
  // How an answer reads inside a text: a choice's label, or the value.
  std::string display(const Item& item) const;
  // Calls on_text for literal runs and on_ref for each ${id} naming an item.
  template <typename OnText, typename OnRef>
  void split_refs(std::string_view t, OnText on_text, OnRef on_ref) const;
  // A questionnaire text, escaped, with ${id} shown as a live answer.
  void text(std::string_view t);
  // The same as plain text (for <title> and the error summary), unescaped.
  std::string plain(std::string_view t) const;
  void paragraphs(std::string_view t);
  void header();
  // The element a link to the item should focus: its first input.
  std::string anchor(const Item& item) const;
  void error_summary();
  // A section's fieldset and title, left open for its items.
  void open_section(const questionnaires::Section& section);
  void render_section(const questionnaires::Section& section);
  // form_pages.cpp: one page of the form.
  void progress();
  void carried_answers();
  void render_page();
  void page_buttons();
  // A submit button with _action=`action` (a fixed word, not escaped).
  void button(std::string_view action, std::string_view label, std::string_view classes);
  void slot(Slot which, std::size_t language = 0);

  // form_items.cpp: the items.
  struct Option {
    std::string value;
    std::string_view label;
    std::size_t index;  // in the element id
  };
  void render_item(const Item& item);
  void open_item(const Item& item, std::string_view element, std::string_view classes);
  void required_mark(const Item& item);
  void hint_and_error(const Item& item);
  // aria-describedby and aria-invalid for the item's inputs.
  void input_aria(const Item& item);
  std::vector<Option> options(const Item& item) const;
  void choices(const Item& item, std::string_view element, const std::string& classes,
               std::string_view legend_class);
  // A matrix with these of its rows (all, or a page's share of them).
  void matrix(const Item& item, std::span<const std::uint32_t> rows);
  // A Likert statement as one compact row of numbered buttons.
  void likert_row(const Item& item, bool own_legend_class);
  // The scale's two end labels, above a Likert matrix or item.
  void scale_ends(const Item& item);
  void note(const Item& item);
  // A value that comes from the invitation: shown, not editable, not posted.
  void preload(const Item& item);
  void field(const Item& item);

  const FormPage& page_;
  const std::string* logic_json_;
  std::vector<SlotAt>* slots_;
  const questionnaires::Questionnaire& q_;
  std::size_t lang_;
  const std::string& code_;
  const InterfaceTexts& ui_;
  const questionnaires::Response* answers_ = nullptr;
  std::vector<std::vector<const std::string*>> errors_;  // messages by slot
  std::string out_;
};

}  // namespace sipas::survey_server
