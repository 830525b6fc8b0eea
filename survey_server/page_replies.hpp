#pragma once

// What the public pages' routes share (public_routes.cpp, form_routes.cpp):
// an HTML reply with the headers a page of personal answers needs, a
// redirect, the form's URL, the page's language.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "questionnaires/questionnaire.hpp"
#include "survey_server/http_types.hpp"
#include "survey_server/service_internal.hpp"

namespace sipas::survey_server {

// A page that holds personal answers: never cached by a shared proxy, and a
// Content-Security-Policy that allows the server's own files only.
HttpResponse html(int status, std::string body);
HttpResponse redirect(const std::string& location);

// The language a page is shown in: `requested` (else ?lang=) when the
// questionnaire has it, else its first (Vietnamese for the standard forms).
std::size_t page_language(const questionnaires::Questionnaire& questionnaire,
                          const SurveyService::Call& call,
                          std::optional<std::string> requested = std::nullopt);

// /s/{survey}, with ?t=TOKEN when there is one.
std::string form_url(const std::string& survey, const std::optional<std::string>& token);

// The page for a token-less request to a survey whose open link is off.
HttpResponse invitation_required_page(std::string_view lang);

}  // namespace sipas::survey_server
