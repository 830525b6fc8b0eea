#include "reports/html_escape.hpp"

#include <boost/locale/utf.hpp>

namespace sipas::reports {

void append_escaped(std::string& out, std::string_view text) {
  using Traits = boost::locale::utf::utf_traits<char>;
  constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
  const char* p = text.data();
  const char* end = p + text.size();
  while (p != end) {
    const auto byte = static_cast<unsigned char>(*p);
    if (byte < 0x80) {
      switch (*p) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        default:
          if (byte >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r') out += *p;
      }
      ++p;
      continue;
    }
    const char* start = p;
    auto code_point = Traits::decode(p, end);
    if (code_point == boost::locale::utf::illegal || code_point == boost::locale::utf::incomplete) {
      out += replacement;
      p = start + 1;  // resynchronise on the next byte
    } else {
      out.append(start, p);
    }
  }
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  append_escaped(out, text);
  return out;
}

}  // namespace sipas::reports
