#include "survey_server/console_survey_pages.hpp"

#include "io/html_escape.hpp"
#include "io/percent_encoding.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/scale.hpp"
#include "survey_server/console_html.hpp"
#include "texts/texts.hpp"

namespace sipas::survey_server {

using namespace console_html;

namespace {

std::string_view review_key(store::ReviewState state) {
  switch (state) {
    case store::ReviewState::Received:
      return "console.review.received";
    case store::ReviewState::Approved:
      return "console.review.approved";
    case store::ReviewState::Rejected:
      return "console.review.rejected";
  }
  return "console.review.received";
}

// The label of a choice code in the language, or the code itself.
std::string choice_text(const questionnaires::Item& item, std::size_t language,
                        const questionnaires::RawCode& code) {
  std::optional<std::uint16_t> index;
  std::string shown;
  if (code.kind == questionnaires::RawCode::Kind::Integer) {
    if (item.scale) index = item.scale->find(code.integer);
    shown = std::to_string(code.integer);
  } else {
    if (item.scale) index = item.scale->find(std::string_view(code.text));
    shown = code.text;
  }
  if (!index) return shown;
  return item.scale->choices[*index].label.in(language) + " (" + shown + ")";
}

std::string answer_text(const questionnaires::Item& item, std::size_t language,
                        const questionnaires::RawAnswer& answer) {
  using Kind = questionnaires::RawAnswer::Kind;
  switch (answer.kind) {
    case Kind::Integer:
      if (item.scale) {
        return choice_text(item, language,
                           {questionnaires::RawCode::Kind::Integer, answer.integer, ""});
      }
      return std::to_string(answer.integer);
    case Kind::Number: {
      std::string text = std::to_string(answer.number);
      while (text.find('.') != std::string::npos && (text.back() == '0' || text.back() == '.')) {
        const bool dot = text.back() == '.';
        text.pop_back();
        if (dot) break;
      }
      return text;
    }
    case Kind::String:
      if (item.scale && item.scale->find(std::string_view(answer.text))) {
        return choice_text(item, language, {questionnaires::RawCode::Kind::String, 0, answer.text});
      }
      return answer.text;
    case Kind::Array: {
      std::string text;
      for (const auto& code : answer.codes)
        text += (text.empty() ? "" : "; ") + choice_text(item, language, code);
      return text;
    }
    case Kind::Boolean:
      return "true";
    case Kind::Object:
    case Kind::Absent:
      break;
  }
  return "";
}

}  // namespace

void append_create_survey_form(std::string& out, const ConsoleFrame& frame,
                               const CreateSurveyForm& form) {
  const auto lang = frame.lang;
  out += "<h2 id=\"create\">";
  append_text(out, lang, "console.create_survey");
  out += "</h2>\n";
  if (!form.problems.empty())
    append_error_summary(out, lang, "console.create_refused", form.problems);
  open_post_form(out, lang, "/admin/surveys", frame.csrf, true);
  out += "<div class=\"item\">";
  append_label(out, lang, "survey-id", "console.survey_id");
  append_hint(out, lang, "survey-id-hint", "console.survey_id_hint");
  out +=
      "<input class=\"input\" id=\"survey-id\" name=\"id\" type=\"text\" required "
      "autocapitalize=\"none\" spellcheck=\"false\" aria-describedby=\"survey-id-hint\" value=\"";
  io::append_html(out, form.id);
  out += "\"></div>\n<div class=\"item\">";
  append_label(out, lang, "standard", "console.standard_form");
  out += "<select class=\"input\" id=\"standard\" name=\"standard\"><option value=\"\">";
  append_text(out, lang, "console.standard_none");
  out += "</option>";
  for (const auto& name : form.standards) {
    out += "<option value=\"";
    io::append_html(out, name);
    out += "\"";
    if (name == form.standard) out += " selected";
    out += ">";
    io::append_html(out, name);
    out += "</option>";
  }
  out += "</select></div>\n<div class=\"item\">";
  append_label(out, lang, "questionnaire-file", "console.questionnaire_file");
  append_hint(out, lang, "questionnaire-file-hint", "console.questionnaire_file_hint");
  out +=
      "<input class=\"input\" id=\"questionnaire-file\" name=\"questionnaire\" type=\"file\" "
      "accept=\".json,application/json\" aria-describedby=\"questionnaire-file-hint\"></div>\n"
      "<div class=\"item\"><div class=\"choice\"><input id=\"open-link\" name=\"open_link\" "
      "type=\"checkbox\" value=\"on\"";
  if (form.open_link) out += " checked";
  out += "> <label for=\"open-link\">";
  append_text(out, lang, "console.open_link");
  out +=
      "</label></div></div>\n<div class=\"actions\"><button class=\"button button-primary\" "
      "type=\"submit\">";
  append_text(out, lang, "console.create_button");
  out += "</button></div>\n</form>\n";
}

std::string render_sample_page(const ConsoleFrame& frame, const SampleForm& form) {
  const auto lang = frame.lang;
  std::string out;
  open_console_page(out, frame);
  if (!form.problems.empty())
    append_error_summary(out, lang, "console.sample_refused", form.problems);
  out += "<p>";
  append_text(out, lang, "console.sample_explained");
  out += "</p>\n<p>";
  append_text(out, lang, "console.links_once");
  out += "</p>\n";
  open_post_form(out, lang, survey_path(form.survey, "/sample"), frame.csrf, true);
  out += "<div class=\"item\">";
  append_label(out, lang, "sample-file", "console.sample_file");
  out +=
      "<input class=\"input\" id=\"sample-file\" name=\"sample\" type=\"file\" required "
      "accept=\".csv,text/csv\"></div>\n<div class=\"item\">";
  append_label(out, lang, "contacts", "console.contact_columns");
  append_hint(out, lang, "contacts-hint", "console.contact_columns_hint");
  out +=
      "<input class=\"input\" id=\"contacts\" name=\"contact\" type=\"text\" "
      "autocapitalize=\"none\" "
      "spellcheck=\"false\" aria-describedby=\"contacts-hint\" value=\"";
  io::append_html(out, form.contacts);
  out +=
      "\"></div>\n<div class=\"actions\"><button class=\"button button-primary\" "
      "type=\"submit\">";
  append_text(out, lang, "console.sample_button");
  out += "</button></div>\n</form>\n";
  append_link(out, lang, survey_path(form.survey), "console.back_to_survey");
  close_console_page(out);
  return out;
}

std::string render_review_queue(const ConsoleFrame& frame, const ReviewQueueView& view) {
  const auto lang = frame.lang;
  std::string out;
  open_console_page(out, frame);
  // The states as links, the current one marked.
  out += "<nav aria-label=\"";
  append_text(out, lang, "console.review_states");
  out += "\"><ul class=\"tabs\">";
  for (auto state :
       {store::ReviewState::Received, store::ReviewState::Approved, store::ReviewState::Rejected}) {
    out += "<li><a href=\"";
    io::append_html(out, survey_path(view.survey, "/review"));
    out += "?lang=";
    io::append_html(out, lang);
    out += "&amp;state=";
    io::append_html(out, store::to_string(state));
    out += "\"";
    if (state == view.state) out += " aria-current=\"page\"";
    out += ">";
    append_text(out, lang, review_key(state));
    out += "</a></li>";
  }
  out += "</ul></nav>\n";
  if (view.rows.empty()) {
    out += "<p>";
    append_text(out, lang, "console.review_none");
    out += "</p>\n";
  } else {
    open_table_scroll(out, lang);
    out += "<table class=\"console-table\">\n<thead><tr>";
    for (auto key : {"console.response", "console.received_at", "console.respondent",
                     "console.stratum", "console.review_state"})
      append_th(out, lang, key);
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& row : view.rows) {
      out += "<tr><td><a href=\"";
      io::append_html(out, survey_path(view.survey, "/responses/" + std::to_string(row.seq)));
      out += "?lang=";
      io::append_html(out, lang);
      out += "\">";
      io::append_html(
          out, texts::format(lang, "console.response_number", {{"seq", std::to_string(row.seq)}}));
      out += "</a></td><td>";
      io::append_html(out, utc_time(row.received_at));
      out += "</td><td>";
      if (row.open_link) {
        append_text(out, lang, "console.open_link_answer");
      } else {
        io::append_html(out, row.respondent_id.value_or(""));
      }
      out += "</td><td>";
      io::append_html(out, row.stratum.value_or(""));
      out += "</td><td>";
      append_text(out, lang, review_key(row.review));
      out += "</td></tr>\n";
    }
    out += "</tbody></table></div>\n";
  }
  if (view.next_after) {
    out += "<p><a href=\"";
    io::append_html(out, survey_path(view.survey, "/review"));
    out += "?lang=";
    io::append_html(out, lang);
    out += "&amp;state=";
    io::append_html(out, store::to_string(view.state));
    out += "&amp;after=" + std::to_string(*view.next_after) + "\">";
    append_text(out, lang, "console.next_page");
    out += "</a></p>\n";
  }
  close_console_page(out);
  return out;
}

std::string render_response_page(const ConsoleFrame& frame, const ResponseView& view) {
  const auto lang = frame.lang;
  const auto& q = *view.questionnaire;
  const auto& r = view.response;
  const std::size_t language = q.language_index(lang).value_or(0);
  std::string out;
  open_console_page(out, frame);
  out += "<dl class=\"summary\">\n<dt>";
  append_text(out, lang, "console.received_at");
  out += "</dt><dd>";
  io::append_html(out, utc_time(r.received_at));
  out += "</dd>\n<dt>";
  append_text(out, lang, "console.respondent");
  out += "</dt><dd>";
  if (r.open_link) {
    append_text(out, lang, "console.open_link_answer");
  } else {
    io::append_html(out, r.respondent_id.value_or("") + " · " + r.stratum.value_or(""));
  }
  out += "</dd>\n<dt>";
  append_text(out, lang, "console.review_state");
  out += "</dt><dd>";
  append_text(out, lang, review_key(r.review));
  out += "</dd>\n</dl>\n";
  if (view.can_review) {
    out += "<h2>";
    append_text(out, lang, "console.review");
    out += "</h2>\n";
    open_post_form(out, lang,
                   survey_path(view.survey, "/responses/" + std::to_string(r.seq) + "/review"),
                   frame.csrf);
    out += "<div class=\"item\">";
    append_label(out, lang, "comment", "console.review_comment");
    append_hint(out, lang, "comment-hint", "console.review_comment_hint");
    out +=
        "<textarea class=\"input\" id=\"comment\" name=\"comment\" rows=\"3\" maxlength=\"500\" "
        "aria-describedby=\"comment-hint\"></textarea></div>\n<div class=\"actions\">"
        "<button class=\"button button-primary\" type=\"submit\" name=\"state\" "
        "value=\"approved\">";
    append_text(out, lang, "console.approve");
    out +=
        "</button> <button class=\"button button-warning\" type=\"submit\" name=\"state\" "
        "value=\"rejected\">";
    append_text(out, lang, "console.reject");
    out += "</button></div>\n</form>\n";
  }
  if (!view.history.empty()) {
    out += "<h2>";
    append_text(out, lang, "console.review_history");
    out += "</h2>\n<ul>\n";
    for (const auto& entry : view.history) {
      out += "<li>";
      io::append_html(out, utc_time(entry.at) + " · " + entry.actor + " · " +
                               entry.before_json.value_or("") + " → " +
                               entry.after_json.value_or(""));
      if (entry.note) {
        out += "<br><q>";
        io::append_html(out, *entry.note);
        out += "</q>";
      }
      out += "</li>\n";
    }
    out += "</ul>\n";
  }
  out += "<h2>";
  append_text(out, lang, "console.answers");
  out += "</h2>\n";
  questionnaires::Response parsed;
  try {
    parsed = questionnaires::parse_response(q, r.answers_json);
  } catch (const std::exception&) {
    // Stored answers were checked when they came; a document that no longer
    // reads is shown as stored.
    out += "<pre>";
    io::append_html(out, r.answers_json);
    out += "</pre>\n";
    close_console_page(out);
    return out;
  }
  out += "<dl class=\"answers\">\n";
  for (const auto& item : q.items()) {
    if (!item.answerable()) continue;
    const auto& answer = parsed.answers[item.slot];
    if (answer.absent()) continue;
    out += "<dt>";
    if (item.is_matrix_row()) {
      io::append_html(out, q.items()[item.parent].text.in(language));
      out += " — ";
    }
    io::append_html(out, item.text.in(language));
    out += " <small>(";
    io::append_html(out, item.id);
    out += ")</small></dt><dd>";
    io::append_html(out, answer_text(item, language, answer));
    out += "</dd>\n";
  }
  out += "</dl>\n";
  append_link(out, lang, survey_path(view.survey, "/review"), "console.back_to_review");
  close_console_page(out);
  return out;
}

}  // namespace sipas::survey_server
