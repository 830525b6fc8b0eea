// One page of the form (FormPage::pages): the progress bar, the answers of
// the other pages as hidden fields, the page's part of its section, and the
// buttons between pages (form_renderer.hpp).

#include <algorithm>

#include "io/html_escape.hpp"
#include "survey_server/form_renderer.hpp"
#include "texts/texts.hpp"

namespace sipas::survey_server {

namespace q = questionnaires;
using q::Item;
using q::ItemType;

void FormRenderer::progress() {
  const std::string number = std::to_string(page_.page + 1);
  const std::string count = std::to_string(page_.pages->size());
  out_ += "<div class=\"progress\"><p id=\"sipas-progress\">";
  io::append_html(out_, texts::fill(ui_.progress, {{"page", number}, {"pages", count}}));
  out_ += "</p><progress id=\"sipas-progress-bar\" data-page=\"" + number + "\" value=\"" + number +
          "\" max=\"" + count + "\" aria-labelledby=\"sipas-progress\"></progress></div>\n";
}

// The answers of the other pages: posted back (an open link keeps no draft)
// and read by the script's skip logic.
void FormRenderer::carried_answers() {
  if (!answers_) return;
  const auto on_page = page_.pages->slots(page_.page);
  for (const auto& item : q_.items()) {
    if (!item.answerable() ||
        std::find(on_page.begin(), on_page.end(), item.slot) != on_page.end()) {
      continue;
    }
    const q::RawAnswer* a = answer(item);
    if (!a) continue;
    const auto values = answer_values(*a);
    if (item.preload_invitation) {
      // Not posted (the server sets it); the script reads it from here.
      out_ += "<span hidden data-preload=\"";
      io::append_html(out_, item.id);
      out_ += "\" data-value=\"";
      if (!values.empty()) io::append_html(out_, values.front());
      out_ += "\"></span>\n";
      continue;
    }
    for (const auto& value : values) {
      out_ += "<input type=\"hidden\" name=\"";
      io::append_html(out_, item.id);
      out_ += "\" value=\"";
      io::append_html(out_, value);
      out_ += "\">\n";
    }
  }
}

void FormRenderer::render_page() {
  carried_answers();
  out_ +=
      "<input type=\"hidden\" name=\"_page\" value=\"" + std::to_string(page_.page + 1) + "\">\n";
  const q::Page& page = (*page_.pages)[page_.page];
  const q::Section& section = q_.sections()[page.section];
  open_section(section);
  const auto& slots = page.slots;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const Item& item = q_.items()[slots[i]];
    if (item.type != ItemType::Matrix) {
      if (!item.is_matrix_row()) render_item(item);
      continue;
    }
    // The matrix with its rows that are on this page (the rows follow it).
    std::size_t end = i + 1;
    while (end < slots.size() && q_.items()[slots[end]].parent == item.slot)
      ++end;
    matrix(item, std::span<const std::uint32_t>(slots).subspan(i + 1, end - i - 1));
    i = end - 1;
  }
  out_ += "</fieldset>\n";
  page_buttons();
}

void FormRenderer::button(std::string_view action, std::string_view label,
                          std::string_view classes) {
  out_ += "<button type=\"submit\" class=\"button ";
  out_ += classes;
  out_ += "\" name=\"_action\" value=\"";
  out_ += action;
  out_ += "\">";
  io::append_html(out_, label);
  out_ += "</button>\n";
}

// The first button is the one Enter presses: forward, never back.
void FormRenderer::page_buttons() {
  out_ += "<div class=\"actions\">\n";
  if (page_.last) {
    button("submit", ui_.submit, "button-primary");
  } else {
    button("next", ui_.next, "button-primary");
  }
  if (page_.back) button("back", ui_.back, "button-secondary button-back");
  slot(Slot::SaveButton);
  out_ += "</div>\n";
}

}  // namespace sipas::survey_server
