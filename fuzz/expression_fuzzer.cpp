// The expression language (questionnaires/FORMAT.md, "Expressions"): any text
// compiled against the items of the example questionnaire (every item type),
// with and without `.`, ending in an Expression or an ExpressionError. A
// compiled expression is exported as the form's script reads it
// (expression_to_json) and evaluated against an empty response, the example
// response, and the example response with extreme numbers and odd strings,
// each time without and with a small step budget.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "io/embedded_file.hpp"
#include "io/utf8.hpp"
#include "questionnaires/expression.hpp"
#include "questionnaires/expression_json.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/validation.hpp"

namespace {

namespace q = sipas::questionnaires;
using sipas::fuzz::expect;

std::string_view standard(std::string_view name) {
  const auto* file = q::find_standard_file(name);
  expect(file != nullptr, "the example questionnaire is embedded");
  return file->content;
}

// The symbols a questionnaire's expressions see: its items by id, with the
// kind the questionnaire loader gives each type.
class ItemSymbols : public q::SymbolTable {
 public:
  explicit ItemSymbols(const q::Questionnaire& form) : form_(form) {}
  std::optional<q::Symbol> lookup(std::string_view id) const override {
    const q::Item* item = form_.find(id);
    if (item == nullptr) return std::nullopt;
    q::Symbol symbol;
    symbol.slot = item->slot;
    symbol.scale = item->scale.get();
    switch (item->type) {
      case q::ItemType::Single:
      case q::ItemType::Likert:
        symbol.kind = item->scale ? q::Symbol::Kind::Choice : q::Symbol::Kind::Any;
        break;
      case q::ItemType::Multiple:
        symbol.kind = item->scale ? q::Symbol::Kind::Selection : q::Symbol::Kind::Any;
        break;
      case q::ItemType::Rating:
      case q::ItemType::Integer:
      case q::ItemType::Decimal:
        symbol.kind = q::Symbol::Kind::Number;
        break;
      case q::ItemType::Date:
      case q::ItemType::Text:
      case q::ItemType::LongText:
        symbol.kind = q::Symbol::Kind::Text;
        break;
      case q::ItemType::Calculate:
        symbol.kind = q::Symbol::Kind::Any;
        break;
      case q::ItemType::Note:
      case q::ItemType::Matrix:
        symbol.kind = q::Symbol::Kind::NoValue;
        break;
    }
    return symbol;
  }

 private:
  const q::Questionnaire& form_;
};

struct Fixture {
  q::Questionnaire form =
      q::load_questionnaire(standard("examples/example-questionnaire.json"), "example.json");
  ItemSymbols symbols{form};
  q::Response example = q::parse_response(form, standard("examples/responses/example-1.json"));
  q::Validator validator{form};
  std::vector<q::Value> empty_values = std::vector<q::Value>(form.items().size());
  std::vector<q::Value> example_values;
  std::vector<q::Value> odd_values;
  std::vector<q::Value> selves;

  Fixture() {
    expect(validator.validate(example).ok(), "the example response is valid");
    auto values = validator.values();
    example_values.assign(values.begin(), values.end());
    static const double numbers[] = {0.0,
                                     -0.0,
                                     -1,
                                     1e308,
                                     -1e308,
                                     std::numeric_limits<double>::infinity(),
                                     std::numeric_limits<double>::quiet_NaN(),
                                     9007199254740993.0,
                                     4.9e-324};
    static const char* const strings[] = {"", "2024-02-30", "\\", "(((", "${x}", "Ễ\xcc\x81", "0"};
    odd_values = example_values;
    std::size_t n = 0, s = 0;
    for (auto& v : odd_values) {
      if (v.kind == q::Value::Kind::Number)
        v = q::Value::of_number(numbers[n++ % std::size(numbers)]);
      if (v.kind == q::Value::Kind::String)
        v = q::Value::of_string(strings[s++ % std::size(strings)]);
    }
    for (double d : numbers)
      selves.push_back(q::Value::of_number(d));
    for (const char* text : strings)
      selves.push_back(q::Value::of_string(text));
    selves.push_back(q::Value::empty());
    selves.push_back(q::Value::of_boolean(true));
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

bool same(const q::Value& a, const q::Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case q::Value::Kind::Number:
      return a.number == b.number || (std::isnan(a.number) && std::isnan(b.number));
    case q::Value::Kind::String:
      return a.string == b.string;
    case q::Value::Kind::Boolean:
      return a.boolean == b.boolean;
    default:
      return true;
  }
}

// Evaluated with a small step budget, the expression gives the same value as
// without one, or stops with StepLimitExceeded.
void check_budget(const q::Expression& e, const q::Environment& env) {
  const q::Value unbounded = e.evaluate(env);
  q::StepBudget budget(4096);
  q::Environment bounded = env;
  bounded.budget = &budget;
  try {
    expect(same(e.evaluate(bounded), unbounded), "a step budget does not change the value");
    expect(budget.used() <= budget.limit(), "an evaluation that finishes is within its budget");
  } catch (const q::StepLimitExceeded& limit) {
    expect(limit.limit == budget.limit() && budget.used() > budget.limit(),
           "an evaluation stops only past its budget");
  }
}

void run(const Fixture& f, const q::Expression& e, bool allow_self) {
  // Expressions come from JSON strings, which are valid UTF-8; the JSON
  // export may assume it.
  if (sipas::io::is_valid_utf8(e.text())) (void)q::expression_to_json(f.form, e).dump();
  for (auto slot : e.references())
    expect(slot < f.form.items().size(), "references are slots of the questionnaire");
  for (const auto* values : {&f.empty_values, &f.example_values, &f.odd_values}) {
    if (!allow_self) {
      check_budget(e, q::Environment{*values, q::Value::empty()});
      continue;
    }
    for (const auto& self : f.selves)
      check_budget(e, q::Environment{*values, self});
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  const std::string_view text = sipas::fuzz::as_text(data, size);
  for (bool allow_self : {false, true}) {
    try {
      const q::Expression e = q::Expression::compile(text, f.symbols, allow_self);
      run(f, e, allow_self);
    } catch (const q::ExpressionError& e) {
      expect(e.offset <= text.size(), "an expression error points into the text");
    }
  }
  return 0;
}
