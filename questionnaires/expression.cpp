// Evaluation of compiled expressions. The semantics are written in FORMAT.md
// ("Expressions"); they follow XPath 1.0 as XLSForm uses it, with one
// simplification: an unanswered item is "empty", not NaN or ''.

#include "questionnaires/expression.hpp"

#include <charconv>
#include <cmath>

#include "io/number_text.hpp"
#include "io/utf8.hpp"
#include "questionnaires/regex.hpp"

namespace sipas::questionnaires {

using Op = Expression::Op;
using Kind = Value::Kind;

bool Value::truthy() const {
  switch (kind) {
    case Kind::Empty:
      return false;
    case Kind::Number:
      return number != 0 && !std::isnan(number);
    case Kind::String:
      return !string.empty();
    case Kind::Boolean:
      return boolean;
    case Kind::Selection:
      return !selection.empty();
  }
  return false;
}

namespace {

// A string that reads wholly as a number (form-encoded answers arrive as text).
// from_chars also reads "inf" and "nan", which are words here, not numbers.
bool read_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

bool as_number(const Value& v, double& out) {
  switch (v.kind) {
    case Kind::Number:
      out = v.number;
      return true;
    case Kind::Boolean:
      out = v.boolean ? 1 : 0;
      return true;
    case Kind::String:
      return read_number(v.string, out);
    default:
      return false;
  }
}

// Three-way comparison; nullopt when the values cannot be ordered.
std::optional<int> compare(const Value& a, const Value& b) {
  if (a.is_empty() || b.is_empty()) return std::nullopt;
  if (a.kind == Kind::Boolean || b.kind == Kind::Boolean) {
    int x = a.truthy(), y = b.truthy();
    return (x > y) - (x < y);
  }
  if (a.kind == Kind::Number || b.kind == Kind::Number) {
    double x, y;
    if (as_number(a, x) && as_number(b, y)) {
      if (std::isnan(x) || std::isnan(y)) return std::nullopt;
      return (x > y) - (x < y);
    }
    return std::nullopt;
  }
  if (a.kind == Kind::String && b.kind == Kind::String) {
    int c = a.string.compare(b.string);
    return (c > 0) - (c < 0);
  }
  return std::nullopt;
}

bool equal(const Value& a, const Value& b) {
  // Empty equals '' (XLSForm's "${q} = ''" tests for no answer) and nothing else.
  if (a.is_empty() || b.is_empty()) {
    const Value& other = a.is_empty() ? b : a;
    return other.is_empty() || (other.kind == Kind::String && other.string.empty());
  }
  if (a.kind == Kind::String && b.kind == Kind::String) return a.string == b.string;
  auto c = compare(a, b);
  return c && *c == 0;
}

Value arithmetic(Op op, const Value& a, const Value& b) {
  double x, y;
  if (!as_number(a, x) || !as_number(b, y)) return Value::empty();
  double r = 0;
  switch (op) {
    case Op::Add:
      r = x + y;
      break;
    case Op::Sub:
      r = x - y;
      break;
    case Op::Mul:
      r = x * y;
      break;
    case Op::Div:
      if (y == 0) return Value::empty();
      r = x / y;
      break;
    case Op::Mod:
      if (y == 0) return Value::empty();
      r = std::fmod(x, y);
      break;
    default:
      return Value::empty();
  }
  if (!std::isfinite(r)) return Value::empty();
  return Value::of_number(r);
}

void spend(const Environment& env, std::uint64_t steps) {
  if (env.budget != nullptr) env.budget->spend(steps);
}

// A string's bytes are charged where a value enters the tree, so that every
// operation that scans it (comparison, string-length, reading a number) is paid
// for, however the value was passed along.
Value charged(const Environment& env, const Value& v) {
  if (v.kind == Kind::String) spend(env, v.string.size());
  return v;
}

}  // namespace

Value Expression::evaluate(const Environment& env) const {
  if (nodes_.empty()) return Value::empty();
  return eval(root_, env);
}

// Recursion depth is bounded by max_tree_depth, checked when compiling.
Value Expression::eval(std::uint32_t i, const Environment& env) const {
  const Node& n = nodes_[i];
  spend(env, StepBudget::node_steps);
  switch (n.op) {
    case Op::Number:
      return Value::of_number(n.number);
    case Op::String:
      return charged(env, Value::of_string(strings_[n.index]));
    case Op::Ref:
      return n.index < env.values.size() ? charged(env, env.values[n.index]) : Value::empty();
    case Op::Self:
      return charged(env, env.self);
    case Op::True:
      return Value::of_boolean(true);
    case Op::False:
      return Value::of_boolean(false);
    case Op::Or:
      return Value::of_boolean(eval(n.a, env).truthy() || eval(n.b, env).truthy());
    case Op::And:
      return Value::of_boolean(eval(n.a, env).truthy() && eval(n.b, env).truthy());
    case Op::Not:
      return Value::of_boolean(!eval(n.a, env).truthy());
    case Op::Eq:
      return Value::of_boolean(equal(eval(n.a, env), eval(n.b, env)));
    case Op::Ne:
      return Value::of_boolean(!equal(eval(n.a, env), eval(n.b, env)));
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
      auto c = compare(eval(n.a, env), eval(n.b, env));
      if (!c) return Value::of_boolean(false);
      bool r = n.op == Op::Lt   ? *c < 0
               : n.op == Op::Le ? *c <= 0
               : n.op == Op::Gt ? *c > 0
                                : *c >= 0;
      return Value::of_boolean(r);
    }
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Mod:
      return arithmetic(n.op, eval(n.a, env), eval(n.b, env));
    case Op::Neg: {
      double x;
      Value v = eval(n.a, env);
      return as_number(v, x) ? Value::of_number(-x) : Value::empty();
    }
    case Op::If:
      return eval(n.a, env).truthy() ? eval(n.b, env) : eval(n.c, env);
    case Op::SelectedChoice: {
      Value v = eval(n.a, env);
      if (v.kind != Kind::Selection) return Value::of_boolean(false);
      for (auto choice : v.selection) {
        if (choice == n.index) return Value::of_boolean(true);
      }
      return Value::of_boolean(false);
    }
    case Op::SelectedValue:
      return Value::of_boolean(equal(eval(n.a, env), eval(n.b, env)) && !eval(n.a, env).is_empty());
    case Op::CountSelected: {
      Value v = eval(n.a, env);
      if (v.kind == Kind::Selection)
        return Value::of_number(static_cast<double>(v.selection.size()));
      return Value::of_number(v.is_empty() ? 0 : 1);
    }
    case Op::StringLength: {
      Value v = eval(n.a, env);
      if (v.kind == Kind::String) {
        auto length = io::utf8_length(v.string);
        return Value::of_number(static_cast<double>(length ? *length : v.string.size()));
      }
      if (v.kind == Kind::Number)
        return Value::of_number(static_cast<double>(io::shortest_decimal(v.number).size()));
      return Value::of_number(0);
    }
    case Op::Regex: {
      Value v = eval(n.a, env);
      if (v.kind != Kind::String) return Value::of_boolean(false);
      const CompiledRegex& regex = *regexes_[n.index];
      spend(env, regex.cost(v.string.size()));
      return Value::of_boolean(regex.matches(v.string));
    }
    case Op::Coalesce: {
      Value v = eval(n.a, env);
      if (!v.is_empty() && !(v.kind == Kind::String && v.string.empty())) return v;
      return eval(n.b, env);
    }
    case Op::Int: {
      double x;
      Value v = eval(n.a, env);
      return as_number(v, x) && std::isfinite(x) ? Value::of_number(std::trunc(x)) : Value::empty();
    }
    case Op::Abs: {
      double x;
      Value v = eval(n.a, env);
      return as_number(v, x) ? Value::of_number(std::fabs(x)) : Value::empty();
    }
    case Op::Round: {
      double x, digits;
      Value v = eval(n.a, env);
      Value d = eval(n.b, env);
      if (!as_number(v, x) || !as_number(d, digits) || digits < -15 || digits > 15) {
        return Value::empty();
      }
      double scale = std::pow(10.0, std::trunc(digits));
      // A number too large to scale has no digits left to round.
      if (!std::isfinite(x * scale)) return Value::of_number(x);
      // XPath rounds halves up (towards +infinity).
      return Value::of_number(std::floor(x * scale + 0.5) / scale);
    }
  }
  return Value::empty();
}

}  // namespace sipas::questionnaires
