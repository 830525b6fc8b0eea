#pragma once

#include <string>

namespace sipas::reports {

// The language of labels in exports and of the report's words.
enum class Language { Vi, En };

// "vi" or "en"; anything else is ReportError reports.invalid_language.
Language parse_language(const std::string& code);
std::string language_code(Language language);

}  // namespace sipas::reports
