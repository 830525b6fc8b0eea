#include "survey_server/console_html.hpp"

#include <ctime>

#include "io/html_escape.hpp"
#include "io/percent_encoding.hpp"
#include "reports/html_format.hpp"
#include "texts/texts.hpp"

namespace sipas::survey_server::console_html {

namespace {

reports::Language report_language(std::string_view lang) {
  return lang == "vi" ? reports::Language::Vi : reports::Language::En;
}

}  // namespace

const std::string& t(std::string_view lang, std::string_view key) {
  return texts::text(lang, key);
}

void append_text(std::string& out, std::string_view lang, std::string_view key) {
  io::append_html(out, t(lang, key));
}

void append_hidden(std::string& out, std::string_view name, std::string_view value) {
  out += "<input type=\"hidden\" name=\"";
  io::append_html(out, name);
  out += "\" value=\"";
  io::append_html(out, value);
  out += "\">\n";
}

void append_th(std::string& out, std::string_view lang, std::string_view key) {
  out += "<th scope=\"col\">";
  append_text(out, lang, key);
  out += "</th>";
}

void append_unit_link(std::string& out, std::string_view lang, const store::UnitRecord& unit) {
  out += "<a href=\"/admin/units/";
  io::append_html(out, io::percent_encode(unit.id));
  out += "?lang=";
  io::append_html(out, lang);
  out += "\">";
  io::append_html(out, unit.name);
  out += "</a> <small>(";
  io::append_html(out, unit.id);
  out += ")</small>";
}

std::string count_text(std::string_view lang, std::int64_t n) {
  return reports::format_count(static_cast<double>(n), report_language(lang));
}

std::string percent_text(std::string_view lang, double percent) {
  return reports::format_percent(percent, 1, report_language(lang));
}

std::string_view state_key(store::SurveyState state) {
  switch (state) {
    case store::SurveyState::Draft:
      return "console.state.draft";
    case store::SurveyState::Open:
      return "console.state.open";
    case store::SurveyState::Closed:
      return "console.state.closed";
  }
  return "console.state.draft";
}

std::string utc_time(store::Timestamp at) {
  const auto seconds = static_cast<std::time_t>(at);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buffer;
}

std::string survey_path(std::string_view survey, std::string_view rest) {
  return "/admin/surveys/" + io::percent_encode(survey) + std::string(rest);
}

void open_post_form(std::string& out, std::string_view lang, std::string_view path,
                    std::string_view csrf, bool multipart) {
  out += "<form method=\"post\" action=\"";
  io::append_html(out, path);
  out += "?lang=";
  io::append_html(out, lang);
  out += "\"";
  if (multipart) out += " enctype=\"multipart/form-data\"";
  out += ">\n";
  append_hidden(out, "_csrf", csrf);
}

void append_error_summary(std::string& out, std::string_view lang, std::string_view heading_key,
                          const std::vector<std::string>& problems) {
  out += "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>";
  append_text(out, lang, heading_key);
  out += "</h2>\n";
  if (!problems.empty()) {
    out += "<ul class=\"problems\">\n";
    for (const auto& problem : problems) {
      out += "<li>";
      io::append_html(out, problem);
      out += "</li>\n";
    }
    out += "</ul>\n";
  }
  out += "</div>\n";
}

void append_label(std::string& out, std::string_view lang, std::string_view id,
                  std::string_view key) {
  out += "<label class=\"question\" for=\"";
  io::append_html(out, id);
  out += "\">";
  append_text(out, lang, key);
  out += "</label>\n";
}

void append_hint(std::string& out, std::string_view lang, std::string_view id,
                 std::string_view key) {
  out += "<p class=\"hint\" id=\"";
  io::append_html(out, id);
  out += "\">";
  append_text(out, lang, key);
  out += "</p>\n";
}

void open_table_scroll(std::string& out, std::string_view lang) {
  out += "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"";
  append_text(out, lang, "console.table");
  out += "\">";
}

void append_link(std::string& out, std::string_view lang, std::string_view path,
                 std::string_view key) {
  out += "<p><a href=\"";
  io::append_html(out, path);
  out += "?lang=";
  io::append_html(out, lang);
  out += "\">";
  append_text(out, lang, key);
  out += "</a></p>\n";
}

void append_notice(std::string& out, std::string_view text) {
  out += "<div class=\"notice\" role=\"status\"><p>";
  io::append_html(out, text);
  out += "</p></div>\n";
}

}  // namespace sipas::survey_server::console_html
