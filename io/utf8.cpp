#include "io/utf8.hpp"

#include <boost/locale/utf.hpp>

#include <array>
#include <cstdint>
#include <cstring>

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

namespace {

// Validation is the CSV reader's inner loop (every field of every record), so
// it does not go through Boost's decoder one code point at a time: it skips
// ASCII 16 bytes at a time and runs everything else through a table-driven
// DFA of the well-formed byte sequences of Unicode 15, Table 3-7 (the same
// rules as utf8_length: no overlongs, surrogates or code points above
// U+10FFFF). The DFA is the "shift-based" form: each state is a bit offset
// (a multiple of 6) into a 64-bit row per input byte, and the row holds the
// next state for every current state, so one step is a load and a shift.
enum Utf8State : std::uint64_t {
  accept = 0,
  reject = 6,
  need_1 = 12,    // one more continuation byte (80..BF)
  need_2 = 18,    // two more
  need_3 = 24,    // three more
  after_e0 = 30,  // E0: next A0..BF (no overlong 3-byte forms)
  after_ed = 36,  // ED: next 80..9F (no surrogates)
  after_f0 = 42,  // F0: next 90..BF (no overlong 4-byte forms)
  after_f4 = 48,  // F4: next 80..8F (nothing above U+10FFFF)
};

constexpr std::uint64_t transition(std::uint64_t state, unsigned byte) {
  const bool continuation = byte >= 0x80 && byte <= 0xBF;
  switch (state) {
    case accept:
      if (byte < 0x80) return accept;
      if (byte < 0xC2) return reject;
      if (byte < 0xE0) return need_1;
      if (byte == 0xE0) return after_e0;
      if (byte == 0xED) return after_ed;
      if (byte < 0xF0) return need_2;
      if (byte == 0xF0) return after_f0;
      if (byte < 0xF4) return need_3;
      if (byte == 0xF4) return after_f4;
      return reject;
    case need_1:
      return continuation ? accept : reject;
    case need_2:
      return continuation ? need_1 : reject;
    case need_3:
      return continuation ? need_2 : reject;
    case after_e0:
      return byte >= 0xA0 && byte <= 0xBF ? need_1 : reject;
    case after_ed:
      return byte >= 0x80 && byte <= 0x9F ? need_1 : reject;
    case after_f0:
      return byte >= 0x90 && byte <= 0xBF ? need_2 : reject;
    case after_f4:
      return byte >= 0x80 && byte <= 0x8F ? need_2 : reject;
    default:
      return reject;
  }
}

constexpr std::array<std::uint64_t, 256> make_utf8_table() {
  std::array<std::uint64_t, 256> table{};
  for (unsigned byte = 0; byte < 256; ++byte) {
    for (std::uint64_t state = accept; state <= after_f4; state += 6)
      table[byte] |= transition(state, byte) << state;
  }
  return table;
}

constexpr auto utf8_table = make_utf8_table();

bool is_ascii_16(const unsigned char* p) noexcept {
  std::uint64_t a;
  std::uint64_t b;
  std::memcpy(&a, p, 8);
  std::memcpy(&b, p + 8, 8);
  return ((a | b) & 0x8080808080808080) == 0;
}

}  // namespace

bool is_valid_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  std::uint64_t state = accept;
  while (end - p >= 16) {
    if ((state & 63) != accept || !is_ascii_16(p)) {
      for (int i = 0; i < 16; ++i)
        state = utf8_table[p[i]] >> (state & 63);
      if ((state & 63) == reject) return false;
    }
    p += 16;
  }
  for (; p != end; ++p)
    state = utf8_table[*p] >> (state & 63);
  return (state & 63) == accept;
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
