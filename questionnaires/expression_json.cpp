#include "questionnaires/expression_json.hpp"

#include <array>
#include <limits>
#include <utility>

#include "questionnaires/date.hpp"

namespace sipas::questionnaires {
namespace {

using Json = nlohmann::json;
using Op = Expression::Op;

// The names of expression_json.hpp.
constexpr std::array<std::pair<Op, const char*>, 31> op_names = {{
    {Op::Number, "number"},
    {Op::String, "string"},
    {Op::Ref, "ref"},
    {Op::Self, "self"},
    {Op::True, "true"},
    {Op::False, "false"},
    {Op::Or, "or"},
    {Op::And, "and"},
    {Op::Eq, "eq"},
    {Op::Ne, "ne"},
    {Op::Lt, "lt"},
    {Op::Le, "le"},
    {Op::Gt, "gt"},
    {Op::Ge, "ge"},
    {Op::Add, "add"},
    {Op::Sub, "sub"},
    {Op::Mul, "mul"},
    {Op::Div, "div"},
    {Op::Mod, "mod"},
    {Op::Neg, "neg"},
    {Op::Not, "not"},
    {Op::If, "if"},
    {Op::SelectedChoice, "selected"},
    {Op::SelectedValue, "selected-value"},
    {Op::CountSelected, "count-selected"},
    {Op::StringLength, "string-length"},
    {Op::Regex, "regex"},
    {Op::Coalesce, "coalesce"},
    {Op::Int, "int"},
    {Op::Round, "round"},
    {Op::Abs, "abs"},
}};

const char* op_name(Op op) {
  for (const auto& [o, name] : op_names) {
    if (o == op) return name;
  }
  return "unknown";
}

// How many children each op has (the node's a, b, c in that order).
int arity(Op op) {
  switch (op) {
    case Op::Number:
    case Op::String:
    case Op::Ref:
    case Op::Self:
    case Op::True:
    case Op::False:
      return 0;
    case Op::Neg:
    case Op::Not:
    case Op::SelectedChoice:
    case Op::CountSelected:
    case Op::StringLength:
    case Op::Regex:
    case Op::Int:
    case Op::Abs:
      return 1;
    case Op::If:
      return 3;
    default:
      return 2;
  }
}

Json code_json(const ChoiceCode& code) {
  return code.is_number ? Json(code.number) : Json(code.text);
}

// Recursion is bounded by Expression::max_tree_depth, checked when compiling.
Json node_json(const Questionnaire& q, const Expression& e, std::uint32_t index) {
  const auto& n = e.nodes()[index];
  Json out = {{"op", op_name(n.op)}};
  switch (n.op) {
    case Op::Number:
      out["value"] = n.number;
      return out;
    case Op::String:
      out["value"] = e.strings()[n.index];
      return out;
    case Op::Ref:
      out["item"] = q.items().at(n.index).id;
      return out;
    case Op::SelectedChoice: {
      // The choice index is into the scale of the multiple-choice item named by
      // the Ref child.
      const Item& item = q.items().at(e.nodes()[n.a].index);
      out["code"] = code_json(item.scale->choices.at(n.index).code);
      break;
    }
    default:
      break;
  }
  int count = arity(n.op);
  if (count > 0) {
    Json args = Json::array();
    const std::uint32_t children[3] = {n.a, n.b, n.c};
    for (int k = 0; k < count; ++k)
      args.push_back(node_json(q, e, children[k]));
    out["args"] = std::move(args);
  }
  return out;
}

Json ids(const Questionnaire& q, const std::vector<std::uint32_t>& slots) {
  Json out = Json::array();
  for (auto slot : slots)
    out.push_back(q.items()[slot].id);
  return out;
}

bool has_choices(const Item& item) {
  return item.scale && item.type != ItemType::Matrix;
}

}  // namespace

Json expression_to_json(const Questionnaire& q, const Expression& e) {
  if (e.nodes().empty()) return Json{{"op", "false"}};
  return node_json(q, e, e.root());
}

Json form_logic_to_json(const Questionnaire& q) {
  Json sections = Json::array();
  for (const auto& section : q.sections()) {
    Json s = {{"id", section.id}};
    if (section.relevant) {
      s["relevant"] = expression_to_json(q, *section.relevant);
      s["depends"] = ids(q, section.relevant->references());
    }
    sections.push_back(std::move(s));
  }
  Json items = Json::array();
  for (auto slot : q.evaluation_order()) {
    const Item& item = q.items()[slot];
    Json j = {{"id", item.id},
              {"type", to_string(item.type)},
              {"section", q.sections().at(item.section).id}};
    if (item.is_matrix_row()) j["parent"] = q.items()[item.parent].id;
    if (item.relevant) j["relevant"] = expression_to_json(q, *item.relevant);
    if (item.calculation) j["calculation"] = expression_to_json(q, *item.calculation);
    if (item.required) {
      j["required"] = true;
    } else if (item.required_if) {
      j["required"] = expression_to_json(q, *item.required_if);
    }
    if (!q.value_dependencies(slot).empty()) j["depends"] = ids(q, q.value_dependencies(slot));
    if (item.preload_invitation) j["preload"] = true;
    if (has_choices(item)) {
      Json codes = Json::array();
      for (const auto& choice : item.scale->choices)
        codes.push_back(code_json(choice.code));
      j["codes"] = std::move(codes);
    }
    switch (item.type) {
      case ItemType::Rating:
      case ItemType::Integer:
      case ItemType::Decimal:
        if (item.min) j["min"] = *item.min;
        if (item.max) j["max"] = *item.max;
        break;
      case ItemType::Date:
        if (item.min_day) j["min"] = format_date(*item.min_day);
        if (item.max_day) j["max"] = format_date(*item.max_day);
        break;
      case ItemType::Text:
      case ItemType::LongText:
        j["max_length"] = item.max_length;
        break;
      case ItemType::Multiple:
        j["min_selections"] = item.min_selections;
        if (item.max_selections != std::numeric_limits<std::uint32_t>::max()) {
          j["max_selections"] = item.max_selections;
        }
        break;
      default:
        break;
    }
    items.push_back(std::move(j));
  }
  return {{"questionnaire", q.id()},
          {"version", q.version()},
          {"sections", std::move(sections)},
          {"items", std::move(items)}};
}

}  // namespace sipas::questionnaires
