#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "questionnaires/value.hpp"

namespace sipas::questionnaires {

struct Scale;

// What an expression may know about an item it names with ${id}.
struct Symbol {
  enum class Kind : std::uint8_t {
    Choice,     // single choice, likert, matrix row: the value is the chosen code
    Selection,  // multiple choice: only selected() and count-selected() may use it
    Number,     // rating, integer, decimal
    Text,       // text, long text, date
    Any,        // calculate: decided when evaluated
    NoValue,    // note, matrix: cannot be referenced
  };
  std::uint32_t slot = 0;
  Kind kind = Kind::Any;
  const Scale* scale = nullptr;  // for Choice and Selection
};

// Looks up ${id} while compiling; returns nullopt for an unknown id.
class SymbolTable {
 public:
  virtual ~SymbolTable() = default;
  virtual std::optional<Symbol> lookup(std::string_view id) const = 0;
};

// A syntax or meaning error in an expression. `offset` is the byte offset in
// the expression text where the problem starts.
struct ExpressionError {
  std::string message;
  std::size_t offset = 0;
};

// Thrown by StepBudget::spend when the work runs past the limit.
struct StepLimitExceeded {
  std::uint64_t limit = 0;
};

// The work that the evaluations sharing it (one validation) may do, in steps
// of about 1 to 2 ns of one core (bench/worst_submission/README.md):
// node_steps per node evaluated, one per byte of each string that a reference,
// `.` or a literal yields (what the operations reading it scan at most), and
// for regex() one per byte of the subject per instruction of the pattern (RE2
// at its worst, charged before it runs).
class StepBudget {
 public:
  // A node costs about as much as eight bytes of string-length() or eight
  // instructions of RE2's NFA on one byte.
  static constexpr std::uint64_t node_steps = 8;

  explicit StepBudget(std::uint64_t limit) : limit_(limit) {}

  // Throws StepLimitExceeded when the steps spent pass the limit.
  void spend(std::uint64_t steps) {
    used_ += steps;
    if (used_ > limit_) throw StepLimitExceeded{limit_};
  }
  std::uint64_t used() const { return used_; }
  std::uint64_t limit() const { return limit_; }
  void reset() { used_ = 0; }

 private:
  std::uint64_t limit_;
  std::uint64_t used_ = 0;
};

// The values an evaluation reads: every item's current value by slot, and `.`;
// and the budget its work is charged to (none: unbounded).
struct Environment {
  std::span<const Value> values;
  Value self;
  StepBudget* budget = nullptr;
};

class CompiledRegex;
class RegexCache;

// An expression parsed and checked once, evaluated many times. Thread-safe for
// concurrent evaluation once built (evaluation does not mutate it).
class Expression {
 public:
  static constexpr std::size_t max_length = 8192;
  static constexpr int max_nesting = 64;
  static constexpr int max_tree_depth = 256;

  // Throws ExpressionError. `allow_self` permits `.` (constraints only).
  // `regexes`, when given, compiles each regex() pattern once for all the
  // expressions that share it (a questionnaire's).
  static Expression compile(std::string_view text, const SymbolTable& symbols, bool allow_self,
                            RegexCache* regexes = nullptr);

  // Throws StepLimitExceeded when env.budget runs out.
  Value evaluate(const Environment& env) const;
  bool holds(const Environment& env) const { return evaluate(env).truthy(); }

  const std::string& text() const { return text_; }
  // Slots named by ${...}, each once, in order of first appearance.
  const std::vector<std::uint32_t>& references() const { return references_; }

  enum class Op : std::uint8_t;
  struct Node;

  // The compiled tree, read-only, for exporting it (expression_json.hpp).
  // nodes()[root()] is the root; a node's children a, b, c are node indices;
  // a String node's index is into strings(), a Ref node's index is a slot. An
  // expression that was never compiled has no nodes.
  std::span<const Node> nodes() const;
  std::uint32_t root() const { return root_; }
  const std::vector<std::string>& strings() const { return strings_; }

 private:
  Value eval(std::uint32_t node, const Environment& env) const;

  std::string text_;
  std::vector<Node> nodes_;
  std::vector<std::string> strings_;
  std::vector<std::shared_ptr<const CompiledRegex>> regexes_;
  std::vector<std::uint32_t> references_;
  std::uint32_t root_ = 0;

  friend class ExpressionParser;
};

enum class Expression::Op : std::uint8_t {
  Number,
  String,
  Ref,
  Self,
  True,
  False,
  Or,
  And,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  Neg,
  Not,
  If,
  SelectedChoice,  // selected(${multiple}, code): index holds the choice index
  SelectedValue,   // selected(${single}, code): compares the value with constant b
  CountSelected,
  StringLength,
  Regex,
  Coalesce,
  Int,
  Round,
  Abs,
};

struct Expression::Node {
  Op op;
  std::uint32_t a = 0, b = 0, c = 0;  // children (node indices)
  std::uint32_t index = 0;            // slot, string constant, regex or choice index
  double number = 0;
};

inline std::span<const Expression::Node> Expression::nodes() const {
  return nodes_;
}

}  // namespace sipas::questionnaires
