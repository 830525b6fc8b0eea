#pragma once

// Private to the questionnaires library: the tokens of the expression
// language (FORMAT.md, "Expressions") and the lexer that cuts an expression
// into them. Offsets are bytes into the text, as ExpressionError reports them.

#include <cstdint>
#include <string>
#include <string_view>

#include "questionnaires/expression.hpp"

namespace sipas::questionnaires::syntax {

enum class Tok : std::uint8_t {
  End,
  Number,
  String,
  Ref,
  Dot,
  Name,
  LParen,
  RParen,
  Comma,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Plus,
  Minus,
  Star,
};

struct Token {
  Tok kind = Tok::End;
  std::size_t offset = 0;
  std::string_view text;  // name, ref id or raw string contents
  double number = 0;
};

// The name of a token kind in messages ("expected ')', found end of expression").
const char* token_name(Tok kind);

[[noreturn]] void fail(std::string message, std::size_t offset);

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // The next token; Tok::End at the end of the text. Throws ExpressionError.
  Token next();

 private:
  Token string_literal(char quote);
  Token reference();
  Token number();
  Token name();

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace sipas::questionnaires::syntax
