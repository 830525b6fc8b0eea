#include "survey_server/page_shell.hpp"

#include "io/html_escape.hpp"

namespace sipas::survey_server {

void open_page(std::string& out, std::string_view lang, std::string_view title,
               std::string_view asset_base) {
  out += "<!DOCTYPE html>\n<html lang=\"";
  io::append_html(out, lang);
  out +=
      "\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      // Invitation links carry a token: keep it out of other sites' Referer
      // headers (same-origin keeps the form's own posts' Origin) and out of
      // search engines.
      "<meta name=\"referrer\" content=\"same-origin\">\n"
      "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>";
  io::append_html(out, title);
  out += "</title>\n<link rel=\"stylesheet\" href=\"";
  io::append_html(out, asset_base);
  out += "form.css\">\n</head>\n<body>\n";
}

void close_page(std::string& out) {
  out += "</body>\n</html>\n";
}

// Each non-blank line of `text` as a paragraph.
void append_paragraphs(std::string& out, std::string_view text) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
      out += "<p>";
      io::append_html(out, line);
      out += "</p>\n";
    }
    start = end + 1;
  }
}

}  // namespace sipas::survey_server
