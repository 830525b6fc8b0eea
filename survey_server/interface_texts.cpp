#include "survey_server/interface_texts.hpp"

#include <functional>
#include <map>
#include <string>

#include "texts/texts.hpp"

namespace sipas::survey_server {
namespace {

// Every field is the catalogue's "form.<field>"; designated initializers in
// order, so -Wmissing-field-initializers stops the build when one is left out.
#define WORD(field) .field = texts::text(code, "form." #field)
InterfaceTexts words_in(std::string_view code) {
  return InterfaceTexts{
      WORD(required),
      WORD(submit),
      WORD(save),
      WORD(error_summary_title),
      WORD(draft_saved),
      WORD(languages),
      WORD(required_note),
      WORD(thanks_default),
      WORD(error_prefix),
      WORD(next),
      WORD(back),
      WORD(progress),
      WORD(progress_label),
      WORD(thanks_title),
      WORD(page_issues_elsewhere),
  };
}
#undef WORD

}  // namespace

const InterfaceTexts& interface_texts(std::string_view lang) {
  static const auto by_language = [] {
    std::map<std::string, InterfaceTexts, std::less<>> all;
    for (const auto& code : texts::languages())
      all.emplace(code, words_in(code));
    return all;
  }();
  return by_language.find(texts::language_or_english(lang))->second;
}

std::string_view language_name(std::string_view code) {
  // Each name is written in its own language, whatever the page's.
  const std::string* name = texts::find("en", "language_name." + std::string(code));
  return name ? std::string_view(*name) : code;
}

std::string_view status_title(int status, std::string_view lang) {
  const std::string_view code = texts::language_or_english(lang);
  if (const std::string* title = texts::find(code, "status." + std::to_string(status))) {
    return *title;
  }
  return texts::text(code, status >= 500 ? "status.server_error" : "status.other");
}

}  // namespace sipas::survey_server
