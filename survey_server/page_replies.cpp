#include "survey_server/page_replies.hpp"

#include "io/percent_encoding.hpp"
#include "survey_server/form_page.hpp"
#include "survey_server/page_messages.hpp"

namespace sipas::survey_server {

namespace q = questionnaires;

HttpResponse html(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body = std::move(body);
  // Forms hold personal answers: never cached by a shared proxy.
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'none'; style-src 'self'; script-src 'self'; "
                                "img-src 'self'; connect-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

HttpResponse redirect(const std::string& location) {
  HttpResponse response;
  response.status = 303;
  response.content_type = "text/plain";
  response.headers.emplace_back("Location", location);
  return response;
}

std::size_t page_language(const q::Questionnaire& questionnaire, const SurveyService::Call& call,
                          std::optional<std::string> requested) {
  if (!requested) requested = call.query_value("lang");
  if (requested) {
    if (auto index = questionnaire.language_index(*requested)) return *index;
  }
  return 0;
}

std::string form_url(const std::string& survey, const std::optional<std::string>& token) {
  std::string url = "/s/" + io::percent_encode(survey);
  if (token) url += "?t=" + io::percent_encode(*token);
  return url;
}

// The page for a token-less request to a survey whose open link is off.
HttpResponse invitation_required_page(std::string_view lang) {
  return html(403, render_message(invitation_required_title(lang),
                                  invitation_required_message(lang), lang));
}

}  // namespace sipas::survey_server
