#pragma once

// Escaping for the report's HTML and its inline SVG. Every text that comes
// from an input file (unit names, labels, file names) goes through here.

#include <string>
#include <string_view>

namespace sipas::reports {

// `text` made safe as element content or as a quoted attribute value, in HTML
// and in XML (SVG): & < > " ' become character references. Bytes that are not
// well-formed UTF-8 become U+FFFD and C0 controls other than tab and line
// breaks are dropped (neither HTML nor XML 1.0 allows them), so the page is
// valid UTF-8 whatever the input.
std::string escape_html(std::string_view text);
void append_escaped(std::string& out, std::string_view text);

}  // namespace sipas::reports
