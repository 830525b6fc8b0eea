#pragma once

#include <string>
#include <string_view>

namespace sipas::survey_server {

// The server's own sentences on public pages, in Vietnamese or English (any
// other language gets English): the catalogues' "page.*" keys (texts/).
// Questionnaire texts come from the questionnaire itself.
std::string closed_message(std::string_view language);
std::string invalid_token_message(std::string_view language);
std::string answered_message(std::string_view language);
// The survey's open link is off: only invitation links are taken (a title
// and the sentence).
std::string invitation_required_title(std::string_view language);
std::string invitation_required_message(std::string_view language);
// The database cannot be written (disk full, I/O error, read-only, damaged).
std::string store_unavailable_message(std::string_view language);
// The sentence of an error page for an error id (request.rate_limited,
// request.cross_site, survey.not_found, ...), else one for its status;
// `detail` (the error's own message) says when the cause was text that is
// not UTF-8.
std::string public_page_message(std::string_view code, int status, std::string_view language,
                                std::string_view detail = {});

}  // namespace sipas::survey_server
