#pragma once

// The frame every public page shares (the form, the thank-you and message
// pages): the document's head with its stylesheet, and its end.

#include <string>
#include <string_view>

namespace sipas::survey_server {

void open_page(std::string& out, std::string_view lang, std::string_view title,
               std::string_view asset_base);
void close_page(std::string& out);

// Each non-blank line of `text` as a paragraph, escaped.
void append_paragraphs(std::string& out, std::string_view text);

}  // namespace sipas::survey_server
