// The expression language (FORMAT.md, "Expressions"), through the public API:
// Expression::compile with a small symbol table, evaluated against hand-made
// values. Precedence, every operator and function, the empty-value rules, and
// every compile error with its exact byte offset.

#include "questionnaires/expression.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "questionnaires/scale.hpp"
#include "questionnaires/value.hpp"

namespace {

using namespace sipas::questionnaires;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Kind = Value::Kind;

std::shared_ptr<Scale> number_scale() {
  auto scale = std::make_shared<Scale>();
  for (int code = 1; code <= 3; ++code) {
    Choice c;
    c.code.number = code;
    c.label.by_language = {"c" + std::to_string(code)};
    scale->choices.push_back(std::move(c));
  }
  return scale;
}

std::shared_ptr<Scale> letter_scale() {
  auto scale = std::make_shared<Scale>();
  for (const char* code : {"a", "b", "c"}) {
    Choice c;
    c.code.is_number = false;
    c.code.text = code;
    c.label.by_language = {code};
    scale->choices.push_back(std::move(c));
  }
  return scale;
}

// Slots of the test symbols.
enum Slot : std::uint32_t {
  kN,     // number
  kT,     // text
  kS,     // single choice, codes 1..3
  kM,     // multiple choice, codes 1..3
  kLs,    // single choice, codes 'a'..'c'
  kLm,    // multiple choice, codes 'a'..'c'
  kNote,  // a note: no value
  kC,     // calculate: any
  kD,     // date (text)
  kN2,    // another number
  kSlotCount
};

class TestSymbols : public SymbolTable {
 public:
  TestSymbols() {
    add("n", kN, Symbol::Kind::Number);
    add("t", kT, Symbol::Kind::Text);
    add("s", kS, Symbol::Kind::Choice, numbers_.get());
    add("m", kM, Symbol::Kind::Selection, numbers_.get());
    add("ls", kLs, Symbol::Kind::Choice, letters_.get());
    add("lm", kLm, Symbol::Kind::Selection, letters_.get());
    add("note", kNote, Symbol::Kind::NoValue);
    add("c", kC, Symbol::Kind::Any);
    add("d", kD, Symbol::Kind::Text);
    add("n2", kN2, Symbol::Kind::Number);
  }

  std::optional<Symbol> lookup(std::string_view id) const override {
    auto it = symbols_.find(id);
    if (it == symbols_.end()) return std::nullopt;
    return it->second;
  }

 private:
  void add(const std::string& id, std::uint32_t slot, Symbol::Kind kind,
           const Scale* scale = nullptr) {
    Symbol s;
    s.slot = slot;
    s.kind = kind;
    s.scale = scale;
    symbols_.emplace(id, s);
  }

  std::shared_ptr<Scale> numbers_ = number_scale();
  std::shared_ptr<Scale> letters_ = letter_scale();
  std::map<std::string, Symbol, std::less<>> symbols_;
};

// A value copied out of an evaluation, so that a string result outlives the
// expression whose constant it may view.
struct Result {
  Kind kind = Kind::Empty;
  double number = 0;
  bool boolean = false;
  std::string string;
  bool truthy = false;
};

class ExpressionTest : public ::testing::Test {
 protected:
  ExpressionTest() : values_(kSlotCount) {}

  Expression compile(std::string_view text, bool allow_self = true) {
    return Expression::compile(text, symbols_, allow_self);
  }

  Result eval(std::string_view text, Value self = {}) {
    Expression e = compile(text);
    Value v = e.evaluate(Environment{values_, self});
    Result r;
    r.kind = v.kind;
    r.number = v.number;
    r.boolean = v.boolean;
    r.string = std::string(v.string);
    r.truthy = v.truthy();
    return r;
  }

  // The number an expression yields (a failure when it yields something else).
  double number(std::string_view text) {
    Result r = eval(text);
    EXPECT_EQ(r.kind, Kind::Number) << text;
    return r.kind == Kind::Number ? r.number : std::numeric_limits<double>::quiet_NaN();
  }

  // Whether an expression yields true() (a failure when it is not a boolean).
  bool boolean(std::string_view text) {
    Result r = eval(text);
    EXPECT_EQ(r.kind, Kind::Boolean) << text;
    return r.boolean;
  }

  std::string string(std::string_view text) {
    Result r = eval(text);
    EXPECT_EQ(r.kind, Kind::String) << text;
    return r.string;
  }

  bool is_empty(std::string_view text) { return eval(text).kind == Kind::Empty; }

  // The error compiling `text` throws (a failure when it compiles).
  ExpressionError error(std::string_view text, bool allow_self = false) {
    try {
      Expression::compile(text, symbols_, allow_self);
    } catch (const ExpressionError& e) {
      return e;
    }
    ADD_FAILURE() << "expected an ExpressionError for: " << text;
    return {"(compiled)", std::string::npos};
  }

  void set(Slot slot, Value v) { values_[slot] = v; }

  TestSymbols symbols_;
  std::vector<Value> values_;
};

// ------------------------------------------------------------------ literals

TEST_F(ExpressionTest, NumberLiterals) {
  EXPECT_EQ(number("2"), 2);
  EXPECT_EQ(number("2.5"), 2.5);
  EXPECT_EQ(number(".5"), 0.5);
  EXPECT_EQ(number("  \t\n42\r\n "), 42);
}

TEST_F(ExpressionTest, StringLiteralsWithEitherQuote) {
  EXPECT_EQ(string("'text'"), "text");
  EXPECT_EQ(string("\"text\""), "text");
  EXPECT_EQ(string("'say \"hi\"'"), "say \"hi\"");
  EXPECT_EQ(string("\"it's\""), "it's");
  EXPECT_EQ(string("''"), "");
  EXPECT_TRUE(boolean("'abc' = \"abc\""));
}

TEST_F(ExpressionTest, ReferenceReadsTheSlotValue) {
  set(kN, Value::of_number(7));
  set(kT, Value::of_string("hello"));
  EXPECT_EQ(number("${n}"), 7);
  EXPECT_EQ(string("${t}"), "hello");
  EXPECT_TRUE(is_empty("${n2}"));
}

TEST_F(ExpressionTest, DotIsTheOwnAnswerInAConstraint) {
  Result r = eval(". > 3", Value::of_number(5));
  EXPECT_EQ(r.kind, Kind::Boolean);
  EXPECT_TRUE(r.boolean);
  r = eval(". > 3", Value::of_number(2));
  EXPECT_FALSE(r.boolean);
  EXPECT_EQ(eval(".", Value::of_string("x")).string, "x");
}

// ------------------------------------------------------------------ precedence

TEST_F(ExpressionTest, MultiplicationBindsTighterThanAddition) {
  EXPECT_TRUE(boolean("1 + 2 * 3 = 7"));
  EXPECT_EQ(number("1 + 2 * 3"), 7);
  EXPECT_EQ(number("10 - 2 * 3"), 4);
  EXPECT_EQ(number("2 + 3 mod 2"), 3);
  EXPECT_EQ(number("1 + 6 div 3"), 3);
  EXPECT_EQ(number("(1 + 2) * 3"), 9);
}

TEST_F(ExpressionTest, MultiplicativeOperatorsShareOneLevel) {
  EXPECT_EQ(number("2 * 3 mod 4"), 2);      // (2 * 3) mod 4, not 2 * (3 mod 4) = 6
  EXPECT_EQ(number("100 div 10 * 2"), 20);  // (100 div 10) * 2, not 100 div 20 = 5
  EXPECT_EQ(number("7 mod 4 * 2"), 6);      // (7 mod 4) * 2, not 7 mod 8 = 7
}

TEST_F(ExpressionTest, OrIsLooserThanAnd) {
  EXPECT_FALSE(boolean("not(1 = 1) or 1 < 2 and 0"));
  EXPECT_TRUE(boolean("1 or 0 and 0"));  // 1 or (0 and 0); (1 or 0) and 0 would be false
  EXPECT_TRUE(boolean("0 and 1 or 1"));  // (0 and 1) or 1; 0 and (1 or 1) would be false
}

TEST_F(ExpressionTest, AndIsLooserThanEquality) {
  // (1 = 1) and (2 = 2); 1 = (1 and 2) = 2 would compare true() with 2.
  EXPECT_TRUE(boolean("1 = 1 and 2 = 2"));
  EXPECT_TRUE(boolean("0 = 0 and 0 = 0"));
}

TEST_F(ExpressionTest, EqualityIsLooserThanRelational) {
  EXPECT_TRUE(boolean("1 < 2 = 1"));   // (1 < 2) = 1; 1 < (2 = 1) would be 1 < false()
  EXPECT_TRUE(boolean("3 > 2 != 0"));  // (3 > 2) != 0
}

TEST_F(ExpressionTest, RelationalIsLooserThanAdditive) {
  Result r = eval("1 + 1 < 3");  // (1 + 1) < 3; 1 + (1 < 3) would be the number 2
  EXPECT_EQ(r.kind, Kind::Boolean);
  EXPECT_TRUE(r.boolean);
  EXPECT_FALSE(boolean("2 * 2 > 5 - 1"));
}

TEST_F(ExpressionTest, UnaryMinusBindsTightest) {
  EXPECT_EQ(number("- 2 + 3"), 1);  // (-2) + 3, not -(2 + 3)
  EXPECT_EQ(number("-1 - 1"), -2);
  EXPECT_EQ(number("-2 * 3"), -6);
  EXPECT_EQ(number("--2"), 2);
  EXPECT_EQ(number("2 - -2"), 4);
  EXPECT_EQ(number("-(2 + 3)"), -5);
}

TEST_F(ExpressionTest, BinaryOperatorsAreLeftAssociative) {
  EXPECT_EQ(number("10 - 4 - 3"), 3);
  EXPECT_EQ(number("12 div 3 div 2"), 2);
  EXPECT_EQ(number("2 - 3 + 4"), 3);
  EXPECT_EQ(number("17 mod 5 mod 3"), 2);  // (17 mod 5) mod 3; 17 mod (5 mod 3) = 1
  EXPECT_EQ(number("2 * 3 div 4"), 1.5);
}

// ------------------------------------------------------------------ operators

TEST_F(ExpressionTest, Comparisons) {
  EXPECT_TRUE(boolean("2 = 2"));
  EXPECT_FALSE(boolean("2 = 3"));
  EXPECT_TRUE(boolean("2 != 3"));
  EXPECT_FALSE(boolean("2 != 2"));
  EXPECT_TRUE(boolean("2 < 3"));
  EXPECT_FALSE(boolean("3 < 3"));
  EXPECT_TRUE(boolean("3 <= 3"));
  EXPECT_FALSE(boolean("4 <= 3"));
  EXPECT_TRUE(boolean("4 > 3"));
  EXPECT_FALSE(boolean("3 > 3"));
  EXPECT_TRUE(boolean("3 >= 3"));
  EXPECT_FALSE(boolean("2 >= 3"));
  EXPECT_TRUE(boolean("2.5 > 2"));
  EXPECT_TRUE(boolean("-1 < 0"));
}

TEST_F(ExpressionTest, Arithmetic) {
  EXPECT_EQ(number("2 + 3"), 5);
  EXPECT_EQ(number("2 - 3"), -1);
  EXPECT_EQ(number("2 * 3"), 6);
  EXPECT_EQ(number("7 div 2"), 3.5);  // real division, as in XPath
  EXPECT_EQ(number("7 mod 3"), 1);
  EXPECT_EQ(number("-7 mod 3"), -1);  // the sign of the dividend, as in XPath
  EXPECT_EQ(number("7.5 mod 2"), 1.5);
  EXPECT_EQ(number("-(3)"), -3);
  EXPECT_EQ(number("2.5 * 2"), 5);
}

TEST_F(ExpressionTest, ArithmeticOnNumericStrings) {
  EXPECT_EQ(number("'2' + 3"), 5);
  EXPECT_EQ(number("'2.5' * '2'"), 5);
  EXPECT_TRUE(is_empty("'abc' + 1"));
  EXPECT_TRUE(is_empty("-'abc'"));
}

TEST_F(ExpressionTest, Logic) {
  EXPECT_TRUE(boolean("1 and 1"));
  EXPECT_FALSE(boolean("1 and 0"));
  EXPECT_TRUE(boolean("0 or 1"));
  EXPECT_FALSE(boolean("0 or 0"));
  EXPECT_TRUE(boolean("not(0)"));
  EXPECT_FALSE(boolean("not(1)"));
  EXPECT_TRUE(boolean("not('')"));
  EXPECT_TRUE(boolean("not(${n})"));
}

TEST_F(ExpressionTest, AndOrWithAnEmptySide) {
  EXPECT_FALSE(boolean("0 and 1 div 0"));
  EXPECT_TRUE(boolean("1 or 1 div 0"));
}

TEST_F(ExpressionTest, OperatorKeywordsNeedNoSpaces) {
  set(kN, Value::of_number(1));
  set(kN2, Value::of_number(2));
  EXPECT_TRUE(boolean("${n}=1 and${n2}=2"));
  EXPECT_EQ(number("${n2}*${n2}-${n}"), 3);
  EXPECT_EQ(number("6 div${n2}"), 3);
}

// ------------------------------------------------------------------ empty values

TEST_F(ExpressionTest, EmptyEqualsTheEmptyStringAndNothingElse) {
  EXPECT_TRUE(boolean("${n} = ''"));
  EXPECT_TRUE(boolean("'' = ${n}"));
  EXPECT_TRUE(boolean("${n} = ${n2}"));
  EXPECT_FALSE(boolean("${n} = 0"));
  EXPECT_FALSE(boolean("0 = ${n}"));
  EXPECT_TRUE(boolean("${n} != 0"));
  EXPECT_FALSE(boolean("${n} != ''"));
  EXPECT_FALSE(boolean("${n} = 'x'"));
  EXPECT_FALSE(boolean("${n} = false()"));
  set(kN, Value::of_number(0));
  EXPECT_FALSE(boolean("${n} = ''"));
  EXPECT_TRUE(boolean("${n} = 0"));
}

TEST_F(ExpressionTest, OrderingWithAnEmptySideIsFalse) {
  EXPECT_FALSE(boolean("${n} < 1"));
  EXPECT_FALSE(boolean("${n} <= 1"));
  EXPECT_FALSE(boolean("${n} > 1"));
  EXPECT_FALSE(boolean("${n} >= 1"));
  EXPECT_FALSE(boolean("1 > ${n}"));
  EXPECT_FALSE(boolean("${n} >= ${n2}"));
  EXPECT_FALSE(boolean("${n} < ''"));
}

TEST_F(ExpressionTest, ArithmeticWithAnEmptySideIsEmpty) {
  EXPECT_TRUE(is_empty("${n} + 1"));
  EXPECT_TRUE(is_empty("1 - ${n}"));
  EXPECT_TRUE(is_empty("${n} * 0"));
  EXPECT_TRUE(is_empty("${n} div 1"));
  EXPECT_TRUE(is_empty("${n} mod 1"));
  EXPECT_TRUE(is_empty("-${n}"));
  EXPECT_TRUE(is_empty("(${n} + 1) * 2"));
  // ... and so stays false in a comparison.
  EXPECT_FALSE(boolean("${n} + 1 > 0"));
  EXPECT_TRUE(boolean("${n} + 1 = ''"));
}

TEST_F(ExpressionTest, DivisionByZeroIsEmpty) {
  EXPECT_TRUE(is_empty("1 div 0"));
  EXPECT_TRUE(is_empty("0 div 0"));
  EXPECT_TRUE(is_empty("5 mod 0"));
  EXPECT_TRUE(is_empty("1 div (2 - 2)"));
  EXPECT_FALSE(boolean("1 div 0 > 0"));
  EXPECT_EQ(number("coalesce(1 div 0, -1)"), -1);
}

// ------------------------------------------------------------------ numbers and strings

TEST_F(ExpressionTest, NumberComparedWithANumericStringComparesAsNumbers) {
  EXPECT_TRUE(boolean("'2' = 2"));
  EXPECT_TRUE(boolean("2 = '2'"));
  EXPECT_TRUE(boolean("'2.0' = 2"));
  EXPECT_TRUE(boolean("'10' > 9"));  // as strings '10' < '9'
  EXPECT_TRUE(boolean("9 < '10'"));
  EXPECT_FALSE(boolean("'2' != 2"));
  set(kT, Value::of_string("5"));
  EXPECT_TRUE(boolean("${t} = 5"));
  EXPECT_TRUE(boolean("${t} >= 5 and ${t} < 6"));
}

TEST_F(ExpressionTest, NonNumericStringNeverEqualsOrOrdersWithANumber) {
  EXPECT_FALSE(boolean("'abc' = 1"));
  EXPECT_TRUE(boolean("'abc' != 1"));
  EXPECT_FALSE(boolean("'abc' < 1"));
  EXPECT_FALSE(boolean("'abc' > 1"));
  EXPECT_FALSE(boolean("' 2' = 2"));  // only a string that wholly reads as a number
}

TEST_F(ExpressionTest, StringsCompareByteByByte) {
  EXPECT_TRUE(boolean("'10' < '9'"));
  EXPECT_TRUE(boolean("'abc' < 'abd'"));
  EXPECT_TRUE(boolean("'ab' < 'abc'"));
  EXPECT_TRUE(boolean("'B' < 'a'"));
  EXPECT_FALSE(boolean("'abc' = 'ABC'"));
  EXPECT_TRUE(boolean("'abc' != 'ABC'"));
}

TEST_F(ExpressionTest, IsoDatesCompareInTimeOrder) {
  set(kD, Value::of_string("2024-01-31"));
  EXPECT_TRUE(boolean("${d} < '2024-02-01'"));
  EXPECT_TRUE(boolean("${d} >= '2024-01-31'"));
  EXPECT_FALSE(boolean("${d} > '2024-01-31'"));
  EXPECT_TRUE(boolean("${d} = '2024-01-31'"));
  EXPECT_TRUE(boolean("'2024-10-01' > '2024-09-30'"));
  EXPECT_TRUE(boolean("'2024-12-31' < '2025-01-01'"));
  EXPECT_TRUE(boolean("'1999-12-31' < '2000-01-01'"));
}

TEST_F(ExpressionTest, BooleansCompareByTruth) {
  EXPECT_TRUE(boolean("true() = 1"));
  EXPECT_TRUE(boolean("false() = 0"));
  EXPECT_TRUE(boolean("(1 = 1) = 'yes'"));
  EXPECT_TRUE(boolean("true() > false()"));
}

// ------------------------------------------------------------------ truthiness

TEST_F(ExpressionTest, Truthiness) {
  EXPECT_EQ(number("if(0, 1, 2)"), 2);
  EXPECT_EQ(number("if('', 1, 2)"), 2);
  EXPECT_EQ(number("if(${n}, 1, 2)"), 2);
  EXPECT_EQ(number("if(false(), 1, 2)"), 2);
  EXPECT_EQ(number("if(1 div 0, 1, 2)"), 2);
  EXPECT_EQ(number("if(0.0, 1, 2)"), 2);
  EXPECT_EQ(number("if(1, 1, 2)"), 1);
  EXPECT_EQ(number("if(-1, 1, 2)"), 1);
  EXPECT_EQ(number("if(0.5, 1, 2)"), 1);
  EXPECT_EQ(number("if('0', 1, 2)"), 1);  // a non-empty string
  EXPECT_EQ(number("if('abc', 1, 2)"), 1);
  EXPECT_EQ(number("if(true(), 1, 2)"), 1);
}

TEST_F(ExpressionTest, ValueTruthy) {
  EXPECT_FALSE(Value::empty().truthy());
  EXPECT_FALSE(Value::of_number(0).truthy());
  EXPECT_FALSE(Value::of_number(std::numeric_limits<double>::quiet_NaN()).truthy());
  EXPECT_TRUE(Value::of_number(-0.1).truthy());
  EXPECT_FALSE(Value::of_string("").truthy());
  EXPECT_TRUE(Value::of_string("0").truthy());
  EXPECT_FALSE(Value::of_boolean(false).truthy());
  EXPECT_TRUE(Value::of_boolean(true).truthy());
  const std::uint16_t chosen[] = {1};
  EXPECT_TRUE(Value::of_selection(chosen).truthy());
  EXPECT_FALSE(Value::of_selection({}).truthy());
}

TEST_F(ExpressionTest, HoldsIsTheTruthOfTheValue) {
  set(kN, Value::of_number(3));
  Expression e = compile("${n} * 2");
  EXPECT_TRUE(e.holds(Environment{values_, {}}));
  set(kN, Value::of_number(0));
  EXPECT_FALSE(e.holds(Environment{values_, {}}));
  set(kN, Value::empty());
  EXPECT_FALSE(e.holds(Environment{values_, {}}));
}

// ------------------------------------------------------------------ functions

TEST_F(ExpressionTest, If) {
  EXPECT_EQ(string("if(1 = 1, 'yes', 'no')"), "yes");
  EXPECT_EQ(string("if(1 = 2, 'yes', 'no')"), "no");
  EXPECT_EQ(number("if(1, 5, 'x')"), 5);
  EXPECT_TRUE(is_empty("if(1, ${n}, 5)"));
  EXPECT_EQ(number("if(if(0, 1, 0), 1, if(1, 2, 3))"), 2);
}

TEST_F(ExpressionTest, SelectedOnAMultipleChoice) {
  const std::uint16_t chosen[] = {0, 2};  // codes 1 and 3
  set(kM, Value::of_selection(chosen));
  EXPECT_TRUE(boolean("selected(${m}, 1)"));
  EXPECT_TRUE(boolean("selected(${m}, '3')"));
  EXPECT_FALSE(boolean("selected(${m}, 2)"));
  EXPECT_FALSE(boolean("selected(${m}, '2')"));
  EXPECT_TRUE(boolean("selected(${m}, 1) and not(selected(${m}, 2))"));
  set(kM, Value::empty());
  EXPECT_FALSE(boolean("selected(${m}, 1)"));
}

TEST_F(ExpressionTest, SelectedOnAMultipleChoiceWithStringCodes) {
  const std::uint16_t chosen[] = {1};  // 'b'
  set(kLm, Value::of_selection(chosen));
  EXPECT_TRUE(boolean("selected(${lm}, 'b')"));
  EXPECT_TRUE(boolean("selected(${lm}, \"b\")"));
  EXPECT_FALSE(boolean("selected(${lm}, 'a')"));
}

TEST_F(ExpressionTest, SelectedOnASingleChoiceWithIntegerCodes) {
  set(kS, Value::of_number(2));
  EXPECT_TRUE(boolean("selected(${s}, '2')"));
  EXPECT_TRUE(boolean("selected(${s}, 2)"));
  EXPECT_FALSE(boolean("selected(${s}, 1)"));
  EXPECT_FALSE(boolean("selected(${s}, '3')"));
  set(kS, Value::empty());
  EXPECT_FALSE(boolean("selected(${s}, 2)"));
  EXPECT_FALSE(boolean("selected(${s}, '2')"));
}

TEST_F(ExpressionTest, SelectedOnASingleChoiceWithStringCodes) {
  set(kLs, Value::of_string("c"));
  EXPECT_TRUE(boolean("selected(${ls}, 'c')"));
  EXPECT_FALSE(boolean("selected(${ls}, 'a')"));
  set(kLs, Value::empty());
  EXPECT_FALSE(boolean("selected(${ls}, 'c')"));
}

TEST_F(ExpressionTest, CountSelected) {
  const std::uint16_t chosen[] = {0, 1, 2};
  set(kM, Value::of_selection(chosen));
  EXPECT_EQ(number("count-selected(${m})"), 3);
  EXPECT_TRUE(boolean("count-selected(${m}) >= 2"));
  set(kM, Value::of_selection(std::span<const std::uint16_t>(chosen, 1)));
  EXPECT_EQ(number("count-selected(${m})"), 1);
  set(kM, Value::empty());
  EXPECT_EQ(number("count-selected(${m})"), 0);
  // A single choice counts 1 when answered and 0 when not.
  set(kS, Value::of_number(3));
  EXPECT_EQ(number("count-selected(${s})"), 1);
  set(kS, Value::empty());
  EXPECT_EQ(number("count-selected(${s})"), 0);
}

TEST_F(ExpressionTest, StringLengthCountsCharacters) {
  const std::string hanoi = "Hà Nội";
  ASSERT_EQ(hanoi.size(), 9u);  // precomposed: à is 2 bytes, ộ is 3
  EXPECT_EQ(number("string-length('Hà Nội')"), 6);
  set(kT, Value::of_string(hanoi));
  EXPECT_EQ(number("string-length(${t})"), 6);
  EXPECT_EQ(number("string-length('abc')"), 3);
  EXPECT_EQ(number("string-length('')"), 0);
  EXPECT_EQ(number("string-length(${n})"), 0);  // empty
  EXPECT_EQ(number("string-length(12345)"), 5);
  EXPECT_TRUE(boolean("string-length(${t}) <= 6"));
}

TEST_F(ExpressionTest, RegexMatchesTheWholeString) {
  EXPECT_TRUE(boolean("regex('abc', 'a.c')"));
  EXPECT_FALSE(boolean("regex('abc', 'b')"));   // a search would find it
  EXPECT_FALSE(boolean("regex('abc', 'ab')"));  // a prefix is not enough
  EXPECT_FALSE(boolean("regex('abc', 'bc')"));
  EXPECT_TRUE(boolean("regex('ab', 'a|ab')"));  // the anchors hold for every alternative
  EXPECT_FALSE(boolean("regex('xab', 'a|ab')"));
  EXPECT_TRUE(boolean("regex('Hà', 'H.')"));   // UTF-8 mode: à is one character
  EXPECT_FALSE(boolean("regex(${t}, '.*')"));  // empty never matches
}

TEST_F(ExpressionTest, RegexTenDigitPhoneNumber) {
  const char* rule = "regex(., '[0-9]{10}')";
  EXPECT_TRUE(eval(rule, Value::of_string("0912345678")).boolean);
  EXPECT_FALSE(eval(rule, Value::of_string("091234567")).boolean);
  EXPECT_FALSE(eval(rule, Value::of_string("09123456789")).boolean);
  EXPECT_FALSE(eval(rule, Value::of_string("09123x5678")).boolean);
  EXPECT_FALSE(eval(rule, Value::of_string("")).boolean);
  EXPECT_EQ(eval(rule, Value::of_string("0912345678")).kind, Kind::Boolean);
}

TEST_F(ExpressionTest, InvalidRegexPatternIsACompileErrorInsideThePattern) {
  //                          0123456789012345
  std::string_view text = "regex(., 'ab{2,1}')";
  ExpressionError e = error(text, true);
  EXPECT_EQ(e.message, "invalid pattern in regex(): invalid repetition size: {2,1}");
  EXPECT_EQ(e.offset, 12u);
  ASSERT_LT(e.offset, text.size());
  EXPECT_EQ(text[e.offset], '{');
  // RE2 does not say where a parenthesis is missing: the position is the
  // pattern's, and its message quotes the pattern.
  text = "regex(., 'ab)')";
  e = error(text, true);
  EXPECT_EQ(e.message, "invalid pattern in regex(): unexpected ): ab)");
  EXPECT_EQ(e.offset, 10u);
}

TEST_F(ExpressionTest, RegexPatternMustBeALiteral) {
  ExpressionError e = error("regex(${t}, ${t})");
  EXPECT_THAT(e.message, HasSubstr("literal pattern"));
  EXPECT_EQ(e.offset, 12u);
}

TEST_F(ExpressionTest, Coalesce) {
  EXPECT_EQ(number("coalesce(${n}, 5)"), 5);
  set(kN, Value::of_number(3));
  EXPECT_EQ(number("coalesce(${n}, 5)"), 3);
  set(kN, Value::of_number(0));
  EXPECT_EQ(number("coalesce(${n}, 5)"), 0);  // 0 is a value
  EXPECT_EQ(string("coalesce('', 'x')"), "x");
  EXPECT_EQ(string("coalesce('a', 'x')"), "a");
  EXPECT_TRUE(is_empty("coalesce(${n2}, ${t})"));
}

TEST_F(ExpressionTest, IntTruncatesTowardsZero) {
  EXPECT_EQ(number("int(-2.7)"), -2);
  EXPECT_EQ(number("int(2.7)"), 2);
  EXPECT_EQ(number("int(5)"), 5);
  EXPECT_EQ(number("int('3.9')"), 3);
  EXPECT_TRUE(is_empty("int(${n})"));
  EXPECT_TRUE(is_empty("int('x')"));
}

TEST_F(ExpressionTest, RoundHalvesUpAndToDigits) {
  EXPECT_EQ(number("round(2.5)"), 3);
  EXPECT_EQ(number("round(2.4)"), 2);
  EXPECT_EQ(number("round(-2.5)"), -2);  // XPath rounds halves towards +infinity
  EXPECT_EQ(number("round(-2.6)"), -3);
  EXPECT_DOUBLE_EQ(number("round(1.2345, 2)"), 1.23);
  EXPECT_DOUBLE_EQ(number("round(1234.5, -2)"), 1200);
  EXPECT_EQ(number("round(2.5, 0)"), 3);
  EXPECT_TRUE(is_empty("round(${n})"));
  EXPECT_TRUE(is_empty("round(1.5, ${n})"));
}

TEST_F(ExpressionTest, RoundOfAHugeNumberStaysFinite) {
  set(kN, Value::of_number(1e300));
  EXPECT_EQ(number("round(${n}, 2)"), 1e300);
  EXPECT_EQ(number("round(${n})"), 1e300);
  set(kN, Value::of_number(-1e300));
  EXPECT_EQ(number("round(${n}, 15)"), -1e300);
}

TEST_F(ExpressionTest, InfAndNanAreWordsNotNumbers) {
  EXPECT_FALSE(boolean("'inf' > 5"));
  EXPECT_FALSE(boolean("'-inf' < 0"));
  EXPECT_FALSE(boolean("'infinity' > 5"));
  EXPECT_TRUE(boolean("'nan' != 1"));
  EXPECT_TRUE(boolean("'nan' = 'nan'"));
  EXPECT_TRUE(is_empty("'inf' + 1"));
  EXPECT_TRUE(is_empty("-'inf'"));
  EXPECT_TRUE(is_empty("round('inf')"));
  EXPECT_TRUE(is_empty("abs('nan')"));
  EXPECT_TRUE(is_empty("int('nan')"));
  set(kT, Value::of_string("inf"));
  EXPECT_FALSE(boolean("${t} >= 0"));
}

TEST_F(ExpressionTest, Abs) {
  EXPECT_EQ(number("abs(-3.5)"), 3.5);
  EXPECT_EQ(number("abs(4)"), 4);
  EXPECT_EQ(number("abs(0 - 2)"), 2);
  EXPECT_TRUE(is_empty("abs(${n})"));
}

TEST_F(ExpressionTest, TrueAndFalse) {
  Result t = eval("true()");
  EXPECT_EQ(t.kind, Kind::Boolean);
  EXPECT_TRUE(t.boolean);
  Result f = eval("false()");
  EXPECT_EQ(f.kind, Kind::Boolean);
  EXPECT_FALSE(f.boolean);
  EXPECT_TRUE(boolean("true() and not(false())"));
}

TEST_F(ExpressionTest, NotReturnsABoolean) {
  Result r = eval("not(${n})");
  EXPECT_EQ(r.kind, Kind::Boolean);
  EXPECT_TRUE(r.boolean);
}

// ------------------------------------------------------------------ references()

TEST_F(ExpressionTest, ReferencesListEachSlotOnceInFirstAppearanceOrder) {
  Expression e = compile(
      "${s} + ${n} > ${s} and count-selected(${m}) > 0 and selected(${s}, 1) or ${n} = ${t}");
  EXPECT_THAT(e.references(), ElementsAre(kS, kN, kM, kT));
  EXPECT_THAT(compile("1 + 2").references(), ::testing::IsEmpty());
  EXPECT_THAT(compile(". > ${n2}").references(), ElementsAre(kN2));
}

TEST_F(ExpressionTest, TextIsKept) {
  EXPECT_EQ(compile("${n} + 1").text(), "${n} + 1");
}

TEST_F(ExpressionTest, CompiledExpressionSurvivesMoves) {
  // The expression owns its string constants: they stay valid after moves.
  std::vector<Expression> list;
  list.push_back(compile("if(${n} > 1, 'a fairly long string constant', 'x')"));
  for (int i = 0; i < 20; ++i)
    list.push_back(compile("'short'"));
  set(kN, Value::of_number(5));
  Value v = list.front().evaluate(Environment{values_, {}});
  ASSERT_EQ(v.kind, Kind::String);
  EXPECT_EQ(v.string, "a fairly long string constant");
  EXPECT_EQ(list.back().evaluate(Environment{values_, {}}).string, "short");
}

TEST_F(ExpressionTest, ReferenceBeyondTheValuesIsEmpty) {
  Expression e = compile("${n2} = ''");
  std::vector<Value> few(1);
  EXPECT_TRUE(e.evaluate(Environment{few, {}}).boolean);
}

// ------------------------------------------------------------------ errors

// One expression that does not compile: what the message says and the byte
// offset it points at.
struct CompileErrorCase {
  const char* name;
  std::string_view text;
  std::vector<std::string> says;
  std::size_t offset;
  bool allow_self = false;
};

const std::vector<CompileErrorCase> compile_errors = {
    {"UnknownFunction", "1 + foo(1)", {"unknown function foo()"}, 4},
    {"UnknownNameWithoutParenthesis", "1 = abc", {"unknown name 'abc'"}, 4},
    {"WrongArgumentCount", "1 + if(1, 2)", {"if() takes 3 arguments, not 2"}, 4},
    {"WrongArgumentCount2", "round(1, 2, 3)", {"round() takes 1 or 2 arguments, not 3"}, 0},
    {"WrongArgumentCount3", "0 or not()", {"not() takes 1 argument, not 0"}, 5},
    {"WrongArgumentCount4", "true(1)", {"true() takes 0 arguments, not 1"}, 0},
    {"WrongArgumentCount5", "coalesce(1)", {"coalesce() takes 2 arguments, not 1"}, 0},
    {"UnknownItem", "${n} + ${nope}", {"unknown item ${nope}"}, 7},
    // 'Hà Nội' is 8 characters with its quotes but 11 bytes.
    {"OffsetsAreBytes", "'Hà Nội' = ${nope}", {"unknown item ${nope}"}, 14},
    {"UnclosedString", "1 = 'abc", {"string literal is not closed"}, 4},
    {"UnclosedString2", "\"abc' = 1", {"string literal is not closed"}, 0},
    {"UnclosedReference", "1 + ${abc", {"reference is not closed with '}'"}, 4},
    {"UnclosedReference2", "1 + ${a b}", {"reference is not closed with '}'"}, 4},
    {"MalformedReference", "1 + $n", {"expected '{' after '$'"}, 4},
    {"MalformedReference2", "${}", {"reference needs an item id"}, 0},
    {"MalformedReference3", "2 = ${1a}", {"reference needs an item id"}, 4},
    {"BangWithoutEquals", "1 ! 2", {"'!' must be followed by '='"}, 2},
    {"BangWithoutEquals2", "!1", {"use not()"}, 0},
    {"UnexpectedTokenAfterACompleteExpression",
     "1 2",
     {"unexpected number after a complete expression"},
     2},
    {"UnexpectedTokenAfterACompleteExpression2",
     "(1 + 2) )",
     {"unexpected ')' after a complete expression"},
     8},
    {"UnexpectedTokenAfterACompleteExpression3",
     "${n} = 1 ${n}",
     {"unexpected reference after a complete expression"},
     9},
    {"MissingClosingParenthesis", "(1 + 2", {"expected ')'", "found end of expression"}, 6},
    {"MissingClosingParenthesis2", "if(1, 2, 3", {"expected ')' after the arguments"}, 10},
    {"MissingClosingParenthesis3", "(1 + 2, 3)", {"expected ')'"}, 6},
    {"MissingOperand", "1 +", {"expected a value, found end of expression"}, 3},
    {"MissingOperand2", "", {"expected a value"}, 0},
    {"MissingOperand3", "1 = = 2", {"expected a value, found operator"}, 4},
    {"UnexpectedCharacter", "1 # 2", {"unexpected character '#'"}, 2},
    // A byte that is not printable is shown escaped, not raw.
    {"UnexpectedCharacter2", "1 \xff 2", {"unexpected character '\\xff'"}, 2},
    {"DotOutsideAConstraint",
     "${n} = .",
     {"'.' (the item's own answer) is allowed only in a constraint"},
     7},
    {"MultipleChoiceUsedBare", "${m} = 1", {"use selected() or count-selected()", "${m}"}, 0},
    {"MultipleChoiceUsedBare2", "1 + ${lm}", {"use selected()"}, 4},
    {"MultipleChoiceUsedBare3", "string-length(${m})", {"use selected()"}, 14},
    {"SelectedWithACodeThatIsNotAChoice", "selected(${s}, 9)", {"'9' is not a choice of s"}, 15},
    {"SelectedWithACodeThatIsNotAChoice2", "selected(${m}, 'x')", {"'x' is not a choice of m"}, 15},
    // string codes: 1 is none of them
    {"SelectedWithACodeThatIsNotAChoice3", "selected(${lm}, 1)", {"'1' is not a choice of lm"}, 16},
    {"SelectedWithACodeThatIsNotAChoice4", "selected(${s}, 1.5)", {"is not a choice of s"}, 15},
    {"SelectedOnANumberItem",
     "1 and selected(${n}, 1)",
     {"selected() needs a choice item", "${n}"},
     15},
    {"SelectedOnANumberItem2", "selected(${t}, 'a')", {"selected() needs a choice item"}, 9},
    {"SelectedArgumentShape", "selected(1, 2)", {"needs an item reference"}, 9},
    {"SelectedArgumentShape2", "selected(${s}, ${n})", {"literal code"}, 15},
    {"SelectedArgumentShape3", "selected(${s})", {"','"}, 13},
    {"CountSelectedOnANumberItem",
     "count-selected(${n})",
     {"count-selected() needs a choice item"},
     0},
    {"CountSelectedOnANumberItem2", "count-selected('a')", {"needs an item reference"}, 15},
    {"NoValueSymbolCannotBeReferenced", "1 = ${note}", {"${note} has no value"}, 4},
};

class ExpressionCompileErrorTest : public ExpressionTest,
                                   public ::testing::WithParamInterface<CompileErrorCase> {};

TEST_P(ExpressionCompileErrorTest, SaysWhatAndWhere) {
  const CompileErrorCase& c = GetParam();
  ExpressionError e = error(c.text, c.allow_self);
  for (const auto& part : c.says)
    EXPECT_THAT(e.message, HasSubstr(part)) << c.text;
  EXPECT_EQ(e.offset, c.offset) << c.text;
}

INSTANTIATE_TEST_SUITE_P(Expressions, ExpressionCompileErrorTest,
                         ::testing::ValuesIn(compile_errors),
                         [](const auto& c) { return std::string(c.param.name); });

TEST_F(ExpressionTest, DotCompilesInAConstraint) {
  EXPECT_NO_THROW(compile("${n} = .", true));
}

TEST(ExpressionSelectedTest, ACodeBeyondTheIntegerRangeIsNoChoice) {
  class OneChoiceItem : public SymbolTable {
   public:
    OneChoiceItem() {
      for (std::int64_t code : {std::numeric_limits<std::int64_t>::min(), std::int64_t{1}}) {
        Choice c;
        c.code.number = code;
        c.label.by_language = {"c"};
        scale_.choices.push_back(std::move(c));
      }
    }
    std::optional<Symbol> lookup(std::string_view id) const override {
      if (id != "x") return std::nullopt;
      Symbol s;
      s.kind = Symbol::Kind::Choice;
      s.scale = &scale_;
      return s;
    }

   private:
    Scale scale_;
  };
  OneChoiceItem symbols;
  const std::vector<std::string> codes = {"9223372036854775808", "10000000000000000000",
                                          std::string(100, '6')};
  for (const std::string& code : codes) {
    try {
      Expression::compile("selected(${x}, " + code + ")", symbols, false);
      ADD_FAILURE() << code << " matched a choice";
    } catch (const ExpressionError& e) {
      EXPECT_THAT(e.message, HasSubstr("is not a choice of x")) << code;
      EXPECT_EQ(e.offset, 15u) << code;
    }
  }
}

TEST_F(ExpressionTest, AnySymbolIsUsableEverywhere) {
  set(kC, Value::of_number(4));
  EXPECT_EQ(number("${c} * 2"), 8);
  set(kC, Value::of_string("4"));
  EXPECT_TRUE(boolean("${c} = 4"));
}

}  // namespace
