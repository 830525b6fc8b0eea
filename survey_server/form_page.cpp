// render_form() and FormTemplate: the form page, in full or from the page of
// its language rendered once (form_renderer.hpp does the rendering).

#include "survey_server/form_page.hpp"

#include <stdexcept>

#include "survey_server/form_renderer.hpp"

namespace sipas::survey_server {

namespace q = questionnaires;

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

}  // namespace sipas::survey_server
