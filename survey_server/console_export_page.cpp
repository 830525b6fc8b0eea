#include "survey_server/console_export_page.hpp"

#include "app/survey_exports.hpp"
#include "io/html_escape.hpp"
#include "survey_server/console_html.hpp"

namespace sipas::survey_server {

using console_html::append_text;
using console_html::append_th;

std::string render_exports_page(const ConsoleFrame& frame, std::string_view survey) {
  const auto lang = frame.lang;
  std::string out;
  open_console_page(out, frame);
  for (auto key : {"console.exports_intro", "console.exports_rule", "console.exports_personal"}) {
    out += "<p>";
    append_text(out, lang, key);
    out += "</p>\n";
  }
  out += "<p class=\"hint\">";
  append_text(out, lang, "console.exports_language");
  out += "</p>\n<table class=\"console-table\">\n<thead><tr>";
  append_th(out, lang, "console.export_download");
  append_th(out, lang, "console.export_contents");
  out += "</tr></thead>\n<tbody>\n";
  for (auto format : app::export_formats) {
    const std::string name(app::export_format_name(format));
    out += "<tr><td><a href=\"";
    io::append_html(
        out, console_html::survey_path(survey, "/exports/" + name) + "?lang=" + std::string(lang));
    // No download attribute: the file comes as an attachment, and a refusal
    // (no answers yet) shows as a page instead of a cancelled download.
    out += "\">";
    append_text(out, lang, "console.export." + name);
    out += "</a><br><span class=\"hint\">";
    io::append_html(out, app::export_file_name(std::string(survey), format));
    out += "</span></td><td>";
    append_text(out, lang, "console.export." + name + "_about");
    out += "</td></tr>\n";
  }
  out += "</tbody></table>\n";
  close_console_page(out);
  return out;
}

}  // namespace sipas::survey_server
