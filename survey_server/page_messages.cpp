#include "survey_server/page_messages.hpp"

#include "texts/texts.hpp"

namespace sipas::survey_server {
namespace {

// The catalogue's "page.<key>" (texts/), in Vietnamese or else in English.
std::string page_text(std::string_view language, std::string_view key) {
  return texts::text(texts::language_or_english(language), "page." + std::string(key));
}

}  // namespace

std::string closed_message(std::string_view language) {
  return page_text(language, "closed");
}

std::string invalid_token_message(std::string_view language) {
  return page_text(language, "invalid_token");
}

std::string answered_message(std::string_view language) {
  return page_text(language, "answered");
}

std::string invitation_required_title(std::string_view language) {
  return page_text(language, "invitation_required_title");
}

std::string invitation_required_message(std::string_view language) {
  return page_text(language, "invitation_required");
}

std::string store_unavailable_message(std::string_view language) {
  return page_text(language, "store_unavailable");
}

std::string public_page_message(std::string_view code, int status, std::string_view language,
                                std::string_view detail) {
  if (code == "request.rate_limited") return page_text(language, "rate_limited");
  if (code == "request.cross_site") return page_text(language, "cross_site");
  if (code == "survey.not_found" || code == "request.not_found" || status == 404) {
    return page_text(language, "not_found");
  }
  if (code == "invitation.invalid_token" || code == "invitation.inactive") {
    return invalid_token_message(language);
  }
  if (detail.find("UTF-8") != std::string_view::npos) return page_text(language, "not_utf8");
  if (status == 400 || status == 413 || status == 415 || status == 422) {
    return page_text(language, "unreadable");
  }
  if (status == 401 || status == 403) return page_text(language, "forbidden");
  if (status == 409 || status == 410) return closed_message(language);
  return page_text(language, "server_error");
}

}  // namespace sipas::survey_server
