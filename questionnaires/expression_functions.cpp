// The parser of the expression language, second part: function calls. Most
// functions take any expressions as arguments (the table in add_call());
// selected(), count-selected() and regex() take a reference or a literal that
// is checked now, so that a typo fails when the questionnaire loads.

#include <charconv>
#include <cmath>
#include <string>

#include "questionnaires/expression_parser.hpp"

namespace sipas::questionnaires {

using syntax::fail;

namespace {

struct Function {
  std::string_view name;
  Expression::Op op;
  std::size_t min_args, max_args;
};

constexpr Function functions[] = {
    {"not", Expression::Op::Not, 1, 1},
    {"if", Expression::Op::If, 3, 3},
    {"string-length", Expression::Op::StringLength, 1, 1},
    {"coalesce", Expression::Op::Coalesce, 2, 2},
    {"int", Expression::Op::Int, 1, 1},
    {"round", Expression::Op::Round, 1, 2},
    {"abs", Expression::Op::Abs, 1, 1},
    {"true", Expression::Op::True, 0, 0},
    {"false", Expression::Op::False, 0, 0},
};

std::string argument_count(const Function& fn) {
  return fn.min_args == fn.max_args
             ? std::to_string(fn.min_args)
             : std::to_string(fn.min_args) + " or " + std::to_string(fn.max_args);
}

}  // namespace

std::uint32_t ExpressionParser::parse_call() {
  Token name = tok_;
  advance();
  if (tok_.kind != Tok::LParen) {
    fail("unknown name '" + std::string(name.text) + "' (item references are written ${id})",
         name.offset);
  }
  advance();
  std::string_view f = name.text;
  if (f == "selected") return parse_selected();
  if (f == "count-selected") return parse_count_selected(name);
  if (f == "regex") return parse_regex();

  std::vector<std::uint32_t> args = parse_arguments();
  for (const auto& fn : functions) {
    if (fn.name != f) continue;
    if (args.size() < fn.min_args || args.size() > fn.max_args) {
      fail(std::string(f) + "() takes " + argument_count(fn) + " argument" +
               (fn.max_args == 1 ? "" : "s") + ", not " + std::to_string(args.size()),
           name.offset);
    }
    return add_call(fn.op, std::move(args));
  }
  fail("unknown function " + std::string(f) + "()", name.offset);
}

// The arguments after '(' up to and with the closing ')'.
std::vector<std::uint32_t> ExpressionParser::parse_arguments() {
  std::vector<std::uint32_t> args;
  if (tok_.kind != Tok::RParen) {
    for (;;) {
      args.push_back(parse_or());
      if (tok_.kind != Tok::Comma) break;
      advance();
    }
  }
  expect(Tok::RParen, "')' after the arguments");
  return args;
}

// A node of `op` over at most three arguments, their count checked.
std::uint32_t ExpressionParser::add_call(Op op, std::vector<std::uint32_t> args) {
  Node n{op};
  std::uint32_t children[3] = {0, 0, 0};
  std::size_t count = args.size();
  for (std::size_t k = 0; k < count; ++k)
    children[k] = args[k];
  if (op == Op::Round && count == 1) {
    children[1] = add(Node{Op::Number});  // round(x) = round(x, 0)
    count = 2;
  }
  n.a = children[0];
  n.b = children[1];
  n.c = children[2];
  switch (count) {
    case 0:
      return add(n);
    case 1:
      return add(n, {children[0]});
    case 2:
      return add(n, {children[0], children[1]});
    default:
      return add(n, {children[0], children[1], children[2]});
  }
}

// selected(${q}, 'code'): the code is checked against q's choices now, so a
// typo fails when the questionnaire loads, not silently at every response.
std::uint32_t ExpressionParser::parse_selected() {
  if (tok_.kind != Tok::Ref) fail("selected() needs an item reference ${id} first", tok_.offset);
  Token ref = tok_;
  auto symbol = resolve(ref);
  advance();
  expect(Tok::Comma, "',' between the arguments of selected()");
  Token code = tok_;
  if (code.kind != Tok::String && code.kind != Tok::Number) {
    fail("selected() needs a literal code as its second argument", code.offset);
  }
  advance();
  expect(Tok::RParen, "')' after the arguments of selected()");
  if (symbol.kind != Symbol::Kind::Selection && symbol.kind != Symbol::Kind::Choice) {
    fail("selected() needs a choice item, and ${" + std::string(ref.text) + "} is not one",
         ref.offset);
  }
  auto index = find_code(*symbol.scale, code);
  if (!index) {
    std::string shown =
        code.kind == Tok::String ? std::string(code.text) : number_text(code.number);
    fail("'" + shown + "' is not a choice of " + std::string(ref.text), code.offset);
  }
  return selected_node(symbol, *index);
}

// On a multiple choice: is choice `index` among the selected. On a single
// choice: is the answer the value of that choice's code.
std::uint32_t ExpressionParser::selected_node(const Symbol& symbol, std::uint16_t index) {
  auto r = add_ref(symbol);
  if (symbol.kind == Symbol::Kind::Selection) {
    Node n{Op::SelectedChoice};
    n.a = r;
    n.index = index;
    return add(n, {r});
  }
  const auto& c = symbol.scale->choices[index].code;
  std::uint32_t constant;
  if (c.is_number) {
    Node num{Op::Number};
    num.number = static_cast<double>(c.number);
    constant = add(num);
  } else {
    constant = add_string(c.text);
  }
  Node n{Op::SelectedValue};
  n.a = r;
  n.b = constant;
  return add(n, {r, constant});
}

std::uint32_t ExpressionParser::parse_count_selected(const Token& name) {
  if (tok_.kind != Tok::Ref) fail("count-selected() needs an item reference ${id}", tok_.offset);
  Token ref = tok_;
  auto symbol = resolve(ref);
  advance();
  expect(Tok::RParen, "')' after the argument of count-selected()");
  if (symbol.kind != Symbol::Kind::Selection && symbol.kind != Symbol::Kind::Choice) {
    fail("count-selected() needs a choice item, and ${" + std::string(ref.text) + "} is not one",
         name.offset);
  }
  auto r = add_ref(symbol);
  Node n{Op::CountSelected};
  n.a = r;
  return add(n, {r});
}

// regex(subject, 'pattern'): the pattern is compiled once, here.
std::uint32_t ExpressionParser::parse_regex() {
  auto subject = parse_or();
  expect(Tok::Comma, "',' between the arguments of regex()");
  Token pattern = tok_;
  if (pattern.kind != Tok::String) {
    fail("regex() needs a literal pattern as its second argument", pattern.offset);
  }
  advance();
  expect(Tok::RParen, "')' after the arguments of regex()");
  std::shared_ptr<const CompiledRegex> compiled;
  try {
    compiled = regexes_ ? regexes_->compile(pattern.text) : CompiledRegex::compile(pattern.text);
  } catch (const RegexError& e) {
    fail("invalid pattern in regex(): " + e.message, pattern.offset + 1 + e.offset);
  }
  Node n{Op::Regex};
  n.a = subject;
  n.index = static_cast<std::uint32_t>(out_.regexes_.size());
  out_.regexes_.push_back(std::move(compiled));
  return add(n, {subject});
}

std::string ExpressionParser::number_text(double n) {
  if (n == std::floor(n) && std::fabs(n) < 1e15) return std::to_string(static_cast<long long>(n));
  return std::to_string(n);
}

std::optional<std::uint16_t> ExpressionParser::find_code(const Scale& scale, const Token& code) {
  if (code.kind == Tok::Number) {
    if (code.number != std::floor(code.number)) return std::nullopt;
    // Casting a double outside int64's range [-2^63, 2^63) is undefined; no
    // integer code is that large anyway.
    constexpr double int64_end = 9223372036854775808.0;  // 2^63
    if (code.number >= -int64_end && code.number < int64_end) {
      if (auto found = scale.find(static_cast<std::int64_t>(code.number))) return found;
    }
    return scale.find(number_text(code.number));
  }
  if (auto found = scale.find(code.text)) return found;
  // '2' for an integer code 2, as XLSForm writes it.
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(code.text.data(), code.text.data() + code.text.size(), number);
  if (ec == std::errc() && end == code.text.data() + code.text.size() && !code.text.empty()) {
    return scale.find(number);
  }
  return std::nullopt;
}

}  // namespace sipas::questionnaires
