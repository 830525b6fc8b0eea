#include "io/utf8.hpp"

#include <boost/locale/utf.hpp>

namespace sipas::io {
namespace {
using Traits = boost::locale::utf::utf_traits<char>;
}

std::optional<std::size_t> utf8_length(std::string_view text) noexcept {
  // ASCII fast path: most answers are codes and short Latin text.
  std::size_t i = 0;
  while (i < text.size() && static_cast<unsigned char>(text[i]) < 0x80)
    ++i;
  if (i == text.size()) return text.size();
  std::size_t count = i;
  const char* p = text.data() + i;
  const char* end = text.data() + text.size();
  while (p != end) {
    auto code_point = Traits::decode(p, end);
    if (code_point == boost::locale::utf::illegal || code_point == boost::locale::utf::incomplete) {
      return std::nullopt;
    }
    ++count;
  }
  return count;
}

bool is_valid_utf8(std::string_view text) noexcept {
  return utf8_length(text).has_value();
}

std::size_t utf8_column(std::string_view text, std::size_t offset) noexcept {
  if (offset > text.size()) offset = text.size();
  std::size_t column = 1;
  const char* p = text.data();
  const char* stop = text.data() + offset;
  const char* end = text.data() + text.size();
  while (p < stop) {
    const char* before = p;
    auto code_point = Traits::decode(p, end);
    if (code_point == boost::locale::utf::illegal || code_point == boost::locale::utf::incomplete) {
      p = before + 1;
    }
    ++column;
  }
  return column;
}

}  // namespace sipas::io
