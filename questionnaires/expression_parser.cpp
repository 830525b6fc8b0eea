// The parser of the expression language (FORMAT.md, "Expressions"): operators
// by precedence, values and references. Function calls are in
// expression_functions.cpp; tokens in expression_lexer.cpp.

#include "questionnaires/expression_parser.hpp"

#include <algorithm>
#include <string>

namespace sipas::questionnaires {

using syntax::fail;
using syntax::token_name;

ExpressionParser::ExpressionParser(Expression& out, std::string_view text,
                                   const SymbolTable& symbols, bool allow_self, RegexCache* regexes)
    : out_(out), lexer_(text), symbols_(symbols), allow_self_(allow_self), regexes_(regexes) {
  advance();
}

void ExpressionParser::parse() {
  out_.root_ = parse_or();
  if (tok_.kind != Tok::End) {
    fail(std::string("unexpected ") + token_name(tok_.kind) + " after a complete expression",
         tok_.offset);
  }
  if (depth_of_[out_.root_] > Expression::max_tree_depth) {
    fail("expression is too deep (more than " + std::to_string(Expression::max_tree_depth) +
             " nested operations)",
         0);
  }
}

ExpressionParser::Nesting::Nesting(ExpressionParser& p, std::size_t offset) : p_(p) {
  if (++p_.nesting_ > Expression::max_nesting) {
    fail("expression is nested too deeply (more than " + std::to_string(Expression::max_nesting) +
             " levels)",
         offset);
  }
}

void ExpressionParser::expect(Tok kind, const char* what) {
  if (tok_.kind != kind) {
    fail(std::string("expected ") + what + ", found " + token_name(tok_.kind), tok_.offset);
  }
  advance();
}

// ---------------------------------------------------------------- Nodes

std::uint32_t ExpressionParser::add(Node node, std::initializer_list<std::uint32_t> children) {
  int depth = 1;
  for (auto child : children)
    depth = std::max(depth, depth_of_[child] + 1);
  out_.nodes_.push_back(node);
  depth_of_.push_back(depth);
  if (depth > Expression::max_tree_depth) {
    fail("expression is too deep (more than " + std::to_string(Expression::max_tree_depth) +
             " nested operations)",
         tok_.offset);
  }
  return static_cast<std::uint32_t>(out_.nodes_.size() - 1);
}

std::uint32_t ExpressionParser::binary(Op op, std::uint32_t a, std::uint32_t b) {
  Node n{op};
  n.a = a;
  n.b = b;
  return add(n, {a, b});
}

std::uint32_t ExpressionParser::add_string(std::string_view text) {
  Node n{Op::String};
  n.index = static_cast<std::uint32_t>(out_.strings_.size());
  out_.strings_.emplace_back(text);
  return add(n);
}

std::uint32_t ExpressionParser::add_ref(const Symbol& symbol) {
  Node n{Op::Ref};
  n.index = symbol.slot;
  return add(n);
}

Symbol ExpressionParser::resolve(const Token& t) {
  auto symbol = symbols_.lookup(t.text);
  if (!symbol) fail("unknown item ${" + std::string(t.text) + "}", t.offset);
  if (symbol->kind == Symbol::Kind::NoValue) {
    fail("${" + std::string(t.text) + "} has no value (a note or a matrix: name one of its rows)",
         t.offset);
  }
  if (std::find(out_.references_.begin(), out_.references_.end(), symbol->slot) ==
      out_.references_.end()) {
    out_.references_.push_back(symbol->slot);
  }
  return *symbol;
}

// ---------------------------------------------------------------- The grammar

std::uint32_t ExpressionParser::parse_or() {
  Nesting guard(*this, tok_.offset);
  auto left = parse_and();
  while (at_name("or")) {
    advance();
    left = binary(Op::Or, left, parse_and());
  }
  return left;
}

std::uint32_t ExpressionParser::parse_and() {
  auto left = parse_equality();
  while (at_name("and")) {
    advance();
    left = binary(Op::And, left, parse_equality());
  }
  return left;
}

std::uint32_t ExpressionParser::parse_equality() {
  auto left = parse_relational();
  while (tok_.kind == Tok::Eq || tok_.kind == Tok::Ne) {
    Op op = tok_.kind == Tok::Eq ? Op::Eq : Op::Ne;
    advance();
    left = binary(op, left, parse_relational());
  }
  return left;
}

std::uint32_t ExpressionParser::parse_relational() {
  auto left = parse_additive();
  for (;;) {
    Op op;
    switch (tok_.kind) {
      case Tok::Lt:
        op = Op::Lt;
        break;
      case Tok::Le:
        op = Op::Le;
        break;
      case Tok::Gt:
        op = Op::Gt;
        break;
      case Tok::Ge:
        op = Op::Ge;
        break;
      default:
        return left;
    }
    advance();
    left = binary(op, left, parse_additive());
  }
}

std::uint32_t ExpressionParser::parse_additive() {
  auto left = parse_multiplicative();
  while (tok_.kind == Tok::Plus || tok_.kind == Tok::Minus) {
    Op op = tok_.kind == Tok::Plus ? Op::Add : Op::Sub;
    advance();
    left = binary(op, left, parse_multiplicative());
  }
  return left;
}

std::uint32_t ExpressionParser::parse_multiplicative() {
  auto left = parse_unary();
  for (;;) {
    Op op;
    if (tok_.kind == Tok::Star) {
      op = Op::Mul;
    } else if (at_name("div")) {
      op = Op::Div;
    } else if (at_name("mod")) {
      op = Op::Mod;
    } else {
      return left;
    }
    advance();
    left = binary(op, left, parse_unary());
  }
}

std::uint32_t ExpressionParser::parse_unary() {
  if (tok_.kind == Tok::Minus) {
    Nesting guard(*this, tok_.offset);
    advance();
    auto operand = parse_unary();
    Node n{Op::Neg};
    n.a = operand;
    return add(n, {operand});
  }
  return parse_primary();
}

std::uint32_t ExpressionParser::parse_primary() {
  Token t = tok_;
  switch (t.kind) {
    case Tok::Number: {
      advance();
      Node n{Op::Number};
      n.number = t.number;
      return add(n);
    }
    case Tok::String: {
      advance();
      return add_string(t.text);
    }
    case Tok::Ref: {
      advance();
      auto symbol = resolve(t);
      if (symbol.kind == Symbol::Kind::Selection) {
        fail("${" + std::string(t.text) +
                 "} is a multiple-choice item: use selected() or count-selected()",
             t.offset);
      }
      return add_ref(symbol);
    }
    case Tok::Dot: {
      if (!allow_self_)
        fail("'.' (the item's own answer) is allowed only in a constraint", t.offset);
      advance();
      return add(Node{Op::Self});
    }
    case Tok::LParen: {
      advance();
      auto inner = parse_or();
      expect(Tok::RParen, "')'");
      return inner;
    }
    case Tok::Name:
      return parse_call();
    default:
      fail(std::string("expected a value, found ") + token_name(t.kind), t.offset);
  }
}

Expression Expression::compile(std::string_view text, const SymbolTable& symbols, bool allow_self,
                               RegexCache* regexes) {
  if (text.size() > max_length) {
    throw ExpressionError{"expression is longer than " + std::to_string(max_length) + " bytes", 0};
  }
  Expression e;
  e.text_ = std::string(text);
  // The parser keeps views into the text it reads, so it reads the copy.
  ExpressionParser parser(e, e.text_, symbols, allow_self, regexes);
  parser.parse();
  return e;
}

}  // namespace sipas::questionnaires
