#pragma once

// Private to the questionnaires library: the recursive-descent parser of the
// expression language (FORMAT.md, "Expressions"). expression_parser.cpp holds
// the grammar of operators and values, expression_functions.cpp the function
// calls. Explicit limits on nesting and tree depth make hostile input end in
// an ExpressionError, never in a stack overflow.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "questionnaires/expression.hpp"
#include "questionnaires/expression_lexer.hpp"
#include "questionnaires/regex.hpp"
#include "questionnaires/scale.hpp"

namespace sipas::questionnaires {

class ExpressionParser {
 public:
  using Op = Expression::Op;
  using Node = Expression::Node;
  using Tok = syntax::Tok;
  using Token = syntax::Token;

  ExpressionParser(Expression& out, std::string_view text, const SymbolTable& symbols,
                   bool allow_self, RegexCache* regexes);

  // Fills `out`; throws ExpressionError.
  void parse();

 private:
  // Tracks recursion of the parser itself; bounded so that "((((..." fails
  // cleanly long before the stack runs out.
  class Nesting {
   public:
    Nesting(ExpressionParser& p, std::size_t offset);
    ~Nesting() { --p_.nesting_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    ExpressionParser& p_;
  };

  // Tokens
  void advance() { tok_ = lexer_.next(); }
  bool at_name(std::string_view name) const { return tok_.kind == Tok::Name && tok_.text == name; }
  void expect(Tok kind, const char* what);

  // Nodes
  std::uint32_t add(Node node, std::initializer_list<std::uint32_t> children = {});
  std::uint32_t binary(Op op, std::uint32_t a, std::uint32_t b);
  std::uint32_t add_string(std::string_view text);
  std::uint32_t add_ref(const Symbol& symbol);
  Symbol resolve(const Token& t);

  // The grammar, loosest first
  std::uint32_t parse_or();
  std::uint32_t parse_and();
  std::uint32_t parse_equality();
  std::uint32_t parse_relational();
  std::uint32_t parse_additive();
  std::uint32_t parse_multiplicative();
  std::uint32_t parse_unary();
  std::uint32_t parse_primary();

  // Function calls (expression_functions.cpp)
  std::uint32_t parse_call();
  std::vector<std::uint32_t> parse_arguments();
  std::uint32_t add_call(Op op, std::vector<std::uint32_t> args);
  std::uint32_t parse_selected();
  std::uint32_t selected_node(const Symbol& symbol, std::uint16_t index);
  std::uint32_t parse_count_selected(const Token& name);
  std::uint32_t parse_regex();
  static std::string number_text(double n);
  static std::optional<std::uint16_t> find_code(const Scale& scale, const Token& code);

  Expression& out_;
  syntax::Lexer lexer_;
  const SymbolTable& symbols_;
  bool allow_self_;
  RegexCache* regexes_;
  Token tok_;
  int nesting_ = 0;
  std::vector<int> depth_of_;
};

}  // namespace sipas::questionnaires
