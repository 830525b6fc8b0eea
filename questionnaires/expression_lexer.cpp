// The lexer of the expression language: one token at a time, each with the
// byte offset where it starts.

#include <array>
#include <charconv>
#include <cmath>
#include <utility>

#include "questionnaires/expression_lexer.hpp"

namespace sipas::questionnaires::syntax {
namespace {

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}

// A byte as a message shows it: printable ASCII as itself, others escaped.
std::string describe(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u >= 0x7f) {
    static const char digits[] = "0123456789abcdef";
    return std::string("\\x") + digits[u >> 4] + digits[u & 15];
  }
  return std::string(1, c);
}

constexpr std::array<std::pair<Tok, const char*>, 9> token_names = {{
    {Tok::End, "end of expression"},
    {Tok::Number, "number"},
    {Tok::String, "string"},
    {Tok::Ref, "reference"},
    {Tok::Dot, "'.'"},
    {Tok::Name, "name"},
    {Tok::LParen, "'('"},
    {Tok::RParen, "')'"},
    {Tok::Comma, "','"},
}};

}  // namespace

const char* token_name(Tok kind) {
  for (const auto& [k, name] : token_names) {
    if (k == kind) return name;
  }
  return "operator";  // = != < <= > >= + - *
}

[[noreturn]] void fail(std::string message, std::size_t offset) {
  throw ExpressionError{std::move(message), offset};
}

Token Lexer::next() {
  while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                                 text_[pos_] == '\r')) {
    ++pos_;
  }
  Token t;
  t.offset = pos_;
  if (pos_ >= text_.size()) return t;
  char c = text_[pos_];
  auto single = [&](Tok kind) {
    ++pos_;
    t.kind = kind;
    return t;
  };
  switch (c) {
    case '(':
      return single(Tok::LParen);
    case ')':
      return single(Tok::RParen);
    case ',':
      return single(Tok::Comma);
    case '=':
      return single(Tok::Eq);
    case '+':
      return single(Tok::Plus);
    case '-':
      return single(Tok::Minus);
    case '*':
      return single(Tok::Star);
    case '!':
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '=') {
        pos_ += 2;
        t.kind = Tok::Ne;
        return t;
      }
      fail("'!' must be followed by '=' (use not() for negation)", pos_);
    case '<':
    case '>':
      ++pos_;
      if (pos_ < text_.size() && text_[pos_] == '=') {
        ++pos_;
        t.kind = c == '<' ? Tok::Le : Tok::Ge;
      } else {
        t.kind = c == '<' ? Tok::Lt : Tok::Gt;
      }
      return t;
    case '\'':
    case '"':
      return string_literal(c);
    case '$':
      return reference();
    case '.':
      if (pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1])) return number();
      return single(Tok::Dot);
    default:
      break;
  }
  if (is_digit(c)) return number();
  if (is_name_start(c)) return name();
  fail(std::string("unexpected character '") + describe(c) + "'", pos_);
}

Token Lexer::string_literal(char quote) {
  Token t;
  t.kind = Tok::String;
  t.offset = pos_;
  std::size_t end = text_.find(quote, pos_ + 1);
  if (end == std::string_view::npos) fail("string literal is not closed", pos_);
  t.text = text_.substr(pos_ + 1, end - pos_ - 1);
  pos_ = end + 1;
  return t;
}

Token Lexer::reference() {
  Token t;
  t.kind = Tok::Ref;
  t.offset = pos_;
  if (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '{') fail("expected '{' after '$'", pos_);
  std::size_t start = pos_ + 2;
  std::size_t i = start;
  while (i < text_.size() && is_name_char(text_[i]))
    ++i;
  if (i >= text_.size() || text_[i] != '}') fail("reference is not closed with '}'", pos_);
  if (i == start || !is_name_start(text_[start])) fail("reference needs an item id", pos_);
  t.text = text_.substr(start, i - start);
  pos_ = i + 1;
  return t;
}

Token Lexer::number() {
  Token t;
  t.kind = Tok::Number;
  t.offset = pos_;
  std::size_t i = pos_;
  while (i < text_.size() && is_digit(text_[i]))
    ++i;
  if (i < text_.size() && text_[i] == '.') {
    ++i;
    while (i < text_.size() && is_digit(text_[i]))
      ++i;
  }
  auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + i, t.number);
  if (ec != std::errc() || end != text_.data() + i || !std::isfinite(t.number)) {
    fail("invalid number", pos_);
  }
  pos_ = i;
  return t;
}

Token Lexer::name() {
  Token t;
  t.kind = Tok::Name;
  t.offset = pos_;
  std::size_t i = pos_;
  // Function names may contain '-' (count-selected); a '-' counts only when a
  // letter follows, so "a-1" is not mistaken for a name.
  while (i < text_.size() && (is_name_char(text_[i]) || (text_[i] == '-' && i + 1 < text_.size() &&
                                                         is_name_start(text_[i + 1])))) {
    ++i;
  }
  t.text = text_.substr(pos_, i - pos_);
  pos_ = i;
  return t;
}

}  // namespace sipas::questionnaires::syntax
