// The thank-you page and the message pages of form_page.hpp.

#include "io/html_escape.hpp"
#include "survey_server/form_page.hpp"
#include "survey_server/interface_texts.hpp"
#include "survey_server/page_shell.hpp"

namespace sipas::survey_server {

namespace q = questionnaires;

// In the form's own style: its masthead, then the thanks in a box.
std::string render_thanks(const q::Questionnaire& q, std::size_t language,
                          std::string_view asset_base) {
  const std::string& lang = q.languages().at(language);
  const auto& ui = interface_texts(lang);
  std::string out;
  open_page(out, lang, std::string(ui.thanks_title) + " " + q.title().in(language), asset_base);
  out += "<header class=\"masthead\">\n<div class=\"wrap\">\n<p class=\"survey-name\">";
  io::append_html(out, q.title().in(language));
  out += "</p>\n</div>\n</header>\n<main class=\"wrap\" id=\"sipas-main\">\n";
  out += "<div class=\"thanks\" role=\"status\">\n<h1>";
  io::append_html(out, ui.thanks_title);
  out += "</h1>\n";
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
  io::append_html(out, title);
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
