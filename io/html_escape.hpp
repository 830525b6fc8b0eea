#pragma once

// Escaping for the HTML and SVG that sipas writes (the server's pages, the
// report and its charts). Every text that comes from an input (a
// questionnaire, a respondent, a data file) goes through here.

#include <string>
#include <string_view>

namespace sipas::io {

// `text` made safe as an element's content or as a double- or single-quoted
// attribute value, in HTML and in XML (SVG): & < > " ' become character
// references. Bytes that are not well-formed UTF-8 become U+FFFD, and C0
// controls other than tab, line feed and carriage return are dropped, and so
// is DEL (neither HTML nor XML 1.0 allows them), so the output is always valid
// UTF-8 whatever the input.
std::string escape_html(std::string_view text);
void append_html(std::string& out, std::string_view text);

// A JSON document made safe inside <script type="application/json">: '<', '>'
// and '&' become \u003c, \u003e, \u0026 (valid only inside JSON strings, which
// is the only place JSON text can hold them), so "</script>" or "<!--" in a
// label cannot end or bend the script element.
std::string escape_script_json(std::string_view json);

}  // namespace sipas::io
