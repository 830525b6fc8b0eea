// render_form() and FormTemplate: the form page, in full or from the page of
// its language rendered once (form_renderer.hpp does the rendering).

#include "survey_server/form_page.hpp"

#include <stdexcept>

#include "questionnaires/expression_json.hpp"
#include "questionnaires/validation.hpp"
#include "survey_server/form_renderer.hpp"

namespace sipas::survey_server {

namespace q = questionnaires;

std::string render_form(const FormPage& page) {
  if (!page.questionnaire) throw std::invalid_argument("render_form: no questionnaire");
  return FormRenderer(page).render();
}

struct FormTemplate::Compiled {
  std::vector<std::string> texts;  // texts.size() == slots.size() + 1
  std::vector<SlotAt> slots;
};

namespace {

// The buttons a page shows when nothing has been answered yet.
void default_buttons(FormPage& page) {
  page.back = page.pages && page.page > 0;
  page.last = !page.pages || page.page + 1 == page.pages->size();
}

}  // namespace

FormTemplate::FormTemplate(const q::Questionnaire& q, std::string_view asset_base)
    : q_(q), pages_(q), asset_base_(asset_base) {
  {
    q::Validator v(q);
    v.validate(q::Response::empty_for(q));
    for (std::size_t p = 0; p < pages_.size(); ++p) {
      blank_.applies.push_back(pages_.applies(p, v));
      blank_.back.push_back(pages_.previous(p, v).has_value());
      blank_.next.push_back(pages_.next(p, v).has_value());
    }
    if (pages_.size() > 0 && !blank_.applies[0]) blank_.first = pages_.next(0, v).value_or(0);
  }
  const std::size_t views = pages_.size() + 1;
  const nlohmann::json logic = q::form_logic_to_json(q);
  for (std::size_t view = 0; view < pages_.size(); ++view)
    logic_json_.push_back(logic_json(q, logic, pages_, view));
  logic_json_.push_back(logic_json(q));
  for (std::size_t language = 0; language < q.languages().size(); ++language) {
    std::vector<Compiled> by_view;
    for (std::size_t view = 0; view < views; ++view) {
      FormPage blank;
      blank.questionnaire = &q;
      blank.language = language;
      blank.asset_base = asset_base_;
      if (view < pages_.size()) {
        blank.pages = &pages_;
        blank.page = view;
      }
      default_buttons(blank);
      Compiled compiled;
      std::string page = FormRenderer(blank, &logic_json_[view], &compiled.slots).render();
      std::size_t start = 0;
      for (const auto& at : compiled.slots) {
        compiled.texts.push_back(page.substr(start, at.offset - start));
        start = at.offset;
      }
      compiled.texts.push_back(page.substr(start));
      by_view.push_back(std::move(compiled));
    }
    languages_.push_back(std::move(by_view));
  }
}

FormTemplate::~FormTemplate() = default;

std::string FormTemplate::render(const FormPage& page) const {
  FormPage own = page;
  own.questionnaire = &q_;
  own.pages = page.pages ? &pages_ : nullptr;
  const bool paged = own.pages != nullptr;
  if (paged && own.page >= pages_.size()) throw std::out_of_range("FormTemplate: no such page");
  const std::size_t view = paged ? own.page : pages_.size();
  FormPage defaults = own;
  default_buttons(defaults);
  bool blank = !page.answers && (!page.errors || page.errors->ok()) &&
               page.asset_base == asset_base_ && page.language < languages_.size() &&
               !page.issues_elsewhere && own.back == defaults.back && own.last == defaults.last;
  if (!blank) return FormRenderer(own, &logic_json_[view]).render();
  const Compiled& compiled = languages_[page.language][view];
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

}  // namespace sipas::survey_server
