#pragma once

// The words of the form and the message pages (buttons, notices, titles by
// HTTP status), from the catalogues of texts/ ("form.*", "status.*",
// "language_name.*"). A language without a catalogue gets English.

#include <string_view>

namespace sipas::survey_server {

// The form's words in one language, looked up once (the form's GET, rendered
// per request, must not search the catalogue).
struct InterfaceTexts {
  std::string_view required;
  std::string_view submit;
  std::string_view save;
  std::string_view error_summary_title;
  std::string_view draft_saved;
  std::string_view languages;
  std::string_view required_note;
  std::string_view thanks_default;
  std::string_view error_prefix;
  std::string_view next;
  std::string_view back;
  std::string_view progress;  // "{page}" and "{pages}" to fill
  std::string_view progress_label;
  std::string_view thanks_title;
  std::string_view page_issues_elsewhere;
};

const InterfaceTexts& interface_texts(std::string_view lang);

// A language's own name ("Tiếng Việt", "English"), else its code.
std::string_view language_name(std::string_view code);

// A message page's title for an HTTP status (404 "Không tìm thấy" / "Not
// found", ...; any other 5xx "Lỗi hệ thống" / "Server error").
std::string_view status_title(int status, std::string_view lang);

}  // namespace sipas::survey_server
