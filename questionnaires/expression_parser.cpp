// Parser of the XLSForm-like expression language (see FORMAT.md, "Expressions").
// Recursive descent with explicit limits on length, nesting and tree depth, so
// hostile input ends in an ExpressionError, never in a stack overflow.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "questionnaires/expression.hpp"
#include "questionnaires/regex.hpp"
#include "questionnaires/scale.hpp"

namespace sipas::questionnaires {

using Op = Expression::Op;
using Node = Expression::Node;

namespace {

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

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}

[[noreturn]] void fail(std::string message, std::size_t offset) {
  throw ExpressionError{std::move(message), offset};
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Token next() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
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

 private:
  static std::string describe(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      static const char digits[] = "0123456789abcdef";
      return std::string("\\x") + digits[u >> 4] + digits[u & 15];
    }
    return std::string(1, c);
  }

  Token string_literal(char quote) {
    Token t;
    t.kind = Tok::String;
    t.offset = pos_;
    std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) fail("string literal is not closed", pos_);
    t.text = text_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return t;
  }

  Token reference() {
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

  Token number() {
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

  Token name() {
    Token t;
    t.kind = Tok::Name;
    t.offset = pos_;
    std::size_t i = pos_;
    // Function names may contain '-' (count-selected); a '-' counts only when a
    // letter follows, so "a-1" is not mistaken for a name.
    while (i < text_.size() &&
           (is_name_char(text_[i]) ||
            (text_[i] == '-' && i + 1 < text_.size() && is_name_start(text_[i + 1])))) {
      ++i;
    }
    t.text = text_.substr(pos_, i - pos_);
    pos_ = i;
    return t;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

const char* token_name(Tok kind) {
  switch (kind) {
    case Tok::End:
      return "end of expression";
    case Tok::Number:
      return "number";
    case Tok::String:
      return "string";
    case Tok::Ref:
      return "reference";
    case Tok::Dot:
      return "'.'";
    case Tok::Name:
      return "name";
    case Tok::LParen:
      return "'('";
    case Tok::RParen:
      return "')'";
    case Tok::Comma:
      return "','";
    default:
      return "operator";
  }
}

}  // namespace

class ExpressionParser {
 public:
  ExpressionParser(Expression& out, std::string_view text, const SymbolTable& symbols,
                   bool allow_self, RegexCache* regexes)
      : out_(out), lexer_(text), symbols_(symbols), allow_self_(allow_self), regexes_(regexes) {
    advance();
  }

  void parse() {
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

 private:
  // Tracks recursion of the parser itself; bounded so that "((((..." fails
  // cleanly long before the stack runs out.
  class Nesting {
   public:
    Nesting(ExpressionParser& p, std::size_t offset) : p_(p) {
      if (++p_.nesting_ > Expression::max_nesting) {
        fail("expression is nested too deeply (more than " +
                 std::to_string(Expression::max_nesting) + " levels)",
             offset);
      }
    }
    ~Nesting() { --p_.nesting_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    ExpressionParser& p_;
  };

  void advance() { tok_ = lexer_.next(); }

  bool at_name(std::string_view name) const { return tok_.kind == Tok::Name && tok_.text == name; }

  void expect(Tok kind, const char* what) {
    if (tok_.kind != kind) {
      fail(std::string("expected ") + what + ", found " + token_name(tok_.kind), tok_.offset);
    }
    advance();
  }

  std::uint32_t add(Node node, std::initializer_list<std::uint32_t> children = {}) {
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

  std::uint32_t binary(Op op, std::uint32_t a, std::uint32_t b) {
    Node n{op};
    n.a = a;
    n.b = b;
    return add(n, {a, b});
  }

  std::uint32_t parse_or() {
    Nesting guard(*this, tok_.offset);
    auto left = parse_and();
    while (at_name("or")) {
      advance();
      left = binary(Op::Or, left, parse_and());
    }
    return left;
  }

  std::uint32_t parse_and() {
    auto left = parse_equality();
    while (at_name("and")) {
      advance();
      left = binary(Op::And, left, parse_equality());
    }
    return left;
  }

  std::uint32_t parse_equality() {
    auto left = parse_relational();
    while (tok_.kind == Tok::Eq || tok_.kind == Tok::Ne) {
      Op op = tok_.kind == Tok::Eq ? Op::Eq : Op::Ne;
      advance();
      left = binary(op, left, parse_relational());
    }
    return left;
  }

  std::uint32_t parse_relational() {
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

  std::uint32_t parse_additive() {
    auto left = parse_multiplicative();
    while (tok_.kind == Tok::Plus || tok_.kind == Tok::Minus) {
      Op op = tok_.kind == Tok::Plus ? Op::Add : Op::Sub;
      advance();
      left = binary(op, left, parse_multiplicative());
    }
    return left;
  }

  std::uint32_t parse_multiplicative() {
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

  std::uint32_t parse_unary() {
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

  std::uint32_t parse_primary() {
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
        Node n{Op::Ref};
        n.index = symbol.slot;
        return add(n);
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

  std::uint32_t add_string(std::string_view text) {
    Node n{Op::String};
    n.index = static_cast<std::uint32_t>(out_.strings_.size());
    out_.strings_.emplace_back(text);
    return add(n);
  }

  Symbol resolve(const Token& t) {
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

  std::uint32_t parse_call() {
    Token name = tok_;
    advance();
    if (tok_.kind != Tok::LParen) {
      fail("unknown name '" + std::string(name.text) + "' (item references are written ${id})",
           name.offset);
    }
    advance();
    std::string_view f = name.text;
    if (f == "selected") return parse_selected(name);
    if (f == "count-selected") return parse_count_selected(name);
    if (f == "regex") return parse_regex(name);

    std::vector<std::uint32_t> args;
    if (tok_.kind != Tok::RParen) {
      for (;;) {
        args.push_back(parse_or());
        if (tok_.kind != Tok::Comma) break;
        advance();
      }
    }
    expect(Tok::RParen, "')' after the arguments");

    struct Function {
      std::string_view name;
      Op op;
      std::size_t min_args, max_args;
    };
    static constexpr Function functions[] = {
        {"not", Op::Not, 1, 1},
        {"if", Op::If, 3, 3},
        {"string-length", Op::StringLength, 1, 1},
        {"coalesce", Op::Coalesce, 2, 2},
        {"int", Op::Int, 1, 1},
        {"round", Op::Round, 1, 2},
        {"abs", Op::Abs, 1, 1},
        {"true", Op::True, 0, 0},
        {"false", Op::False, 0, 0},
    };
    for (const auto& fn : functions) {
      if (fn.name != f) continue;
      if (args.size() < fn.min_args || args.size() > fn.max_args) {
        std::string expected = fn.min_args == fn.max_args ? std::to_string(fn.min_args)
                                                          : std::to_string(fn.min_args) + " or " +
                                                                std::to_string(fn.max_args);
        fail(std::string(f) + "() takes " + expected + " argument" + (fn.max_args == 1 ? "" : "s") +
                 ", not " + std::to_string(args.size()),
             name.offset);
      }
      Node n{fn.op};
      std::uint32_t children[3] = {0, 0, 0};
      std::size_t count = args.size();
      for (std::size_t k = 0; k < count; ++k)
        children[k] = args[k];
      if (fn.op == Op::Round && count == 1) {
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
    fail("unknown function " + std::string(f) + "()", name.offset);
  }

  // selected(${q}, 'code'): the code is checked against q's choices now, so a
  // typo fails when the questionnaire loads, not silently at every response.
  std::uint32_t parse_selected(const Token& name) {
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
    Node ref_node{Op::Ref};
    ref_node.index = symbol.slot;
    auto r = add(ref_node);
    if (symbol.kind == Symbol::Kind::Selection) {
      Node n{Op::SelectedChoice};
      n.a = r;
      n.index = *index;
      return add(n, {r});
    }
    // A single choice: compare its value with the code's value.
    const auto& c = symbol.scale->choices[*index].code;
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
    (void)name;
    return add(n, {r, constant});
  }

  std::uint32_t parse_count_selected(const Token& name) {
    if (tok_.kind != Tok::Ref) fail("count-selected() needs an item reference ${id}", tok_.offset);
    Token ref = tok_;
    auto symbol = resolve(ref);
    advance();
    expect(Tok::RParen, "')' after the argument of count-selected()");
    if (symbol.kind != Symbol::Kind::Selection && symbol.kind != Symbol::Kind::Choice) {
      fail("count-selected() needs a choice item, and ${" + std::string(ref.text) + "} is not one",
           name.offset);
    }
    Node ref_node{Op::Ref};
    ref_node.index = symbol.slot;
    auto r = add(ref_node);
    Node n{Op::CountSelected};
    n.a = r;
    return add(n, {r});
  }

  std::uint32_t parse_regex(const Token& name) {
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
    (void)name;
    return add(n, {subject});
  }

  static std::string number_text(double n) {
    if (n == std::floor(n) && std::fabs(n) < 1e15) return std::to_string(static_cast<long long>(n));
    return std::to_string(n);
  }

  static std::optional<std::uint16_t> find_code(const Scale& scale, const Token& code) {
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

  Expression& out_;
  Lexer lexer_;
  const SymbolTable& symbols_;
  bool allow_self_;
  RegexCache* regexes_;
  Token tok_;
  int nesting_ = 0;
  std::vector<int> depth_of_;
};

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
