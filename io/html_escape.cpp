#include "io/html_escape.hpp"

#include <boost/locale/utf.hpp>

#include "io/utf8.hpp"

namespace sipas::io {
namespace {

void append_byte(std::string& out, char c) {
  switch (c) {
    case '&':
      out += "&amp;";
      return;
    case '<':
      out += "&lt;";
      return;
    case '>':
      out += "&gt;";
      return;
    case '"':
      out += "&quot;";
      return;
    case '\'':
      out += "&#39;";
      return;
    default:
      break;
  }
  auto u = static_cast<unsigned char>(c);
  if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') return;
  if (u == 0x7f) return;
  out += c;
}

}  // namespace

void append_html(std::string& out, std::string_view text) {
  if (io::is_valid_utf8(text)) {
    for (char c : text)
      append_byte(out, c);
    return;
  }
  // Rare: a byte sequence that is not UTF-8 (answers are checked on the way in,
  // so this is a defect elsewhere or a hostile draft). Decode and replace.
  using Traits = boost::locale::utf::utf_traits<char>;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p != end) {
    const char* start = p;
    auto code_point = Traits::decode(p, end);
    if (code_point == boost::locale::utf::illegal || code_point == boost::locale::utf::incomplete) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      if (p == start) ++p;
      continue;
    }
    for (const char* c = start; c != p; ++c)
      append_byte(out, *c);
  }
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  append_html(out, text);
  return out;
}

std::string escape_script_json(std::string_view json) {
  std::string out;
  out.reserve(json.size() + 16);
  for (char c : json) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace sipas::io
