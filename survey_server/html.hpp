#pragma once

// Escaping for the HTML the server writes. Every text that comes from a
// questionnaire or a respondent goes through here before it reaches a page.

#include <string>
#include <string_view>

namespace sipas::survey_server {

// `text` made safe as an element's content or as a double- or single-quoted
// attribute value: & < > " ' become character references. Bytes that are not
// well-formed UTF-8 become U+FFFD, and C0 controls other than tab, line feed
// and carriage return are dropped (HTML does not allow them), so the page is
// always valid UTF-8 whatever the input.
std::string escape_html(std::string_view text);
void append_html(std::string& out, std::string_view text);

// A JSON document made safe inside <script type="application/json">: '<', '>'
// and '&' become \u003c, \u003e, \u0026 (valid only inside JSON strings, which
// is the only place JSON text can hold them), so "</script>" or "<!--" in a
// label cannot end or bend the script element.
std::string escape_script_json(std::string_view json);

}  // namespace sipas::survey_server
