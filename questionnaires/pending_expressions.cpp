// JSON -> Questionnaire: expressions. Each is queued where it is read and
// compiled once every item id is known (an expression may name an item further
// down); the loader is the symbol table they compile against.

#include <algorithm>

#include "io/utf8.hpp"
#include "questionnaires/questionnaire_loader.hpp"

namespace sipas::questionnaires {

void QuestionnaireLoader::load_required(Item& item, const Json& value, const std::string& path) {
  auto it = value.find("required");
  if (it == value.end()) return;
  if (it->is_boolean()) {
    item.required = it->get<bool>();
  } else if (it->is_string()) {
    pending_.push_back({it->get<std::string>(), child(path, "required"), item.id, nullptr, false});
  } else {
    problem("questionnaire.wrong_type", child(path, "required"), item.id,
            "'required' must be true, false or an expression");
  }
}

void QuestionnaireLoader::expression_field(const Json& object, std::string_view key,
                                           const std::string& path, const std::string& item,
                                           std::optional<Expression>* target, bool allow_self) {
  auto it = object.find(key);
  if (it == object.end()) return;
  if (!it->is_string()) {
    problem("questionnaire.wrong_type", child(path, key), item,
            "'" + std::string(key) + "' must be an expression string");
    return;
  }
  pending_.push_back({it->get<std::string>(), child(path, key), item, target, allow_self});
}

std::optional<Symbol> QuestionnaireLoader::lookup(std::string_view id) const {
  auto it = q_.by_id_.find(id);
  if (it == q_.by_id_.end() || it->second == Item::no_parent) return std::nullopt;
  const Item& item = q_.items_[it->second];
  Symbol symbol;
  symbol.slot = item.slot;
  symbol.scale = item.scale.get();
  switch (item.type) {
    case ItemType::Single:
    case ItemType::Likert:
      symbol.kind = item.scale ? Symbol::Kind::Choice : Symbol::Kind::Any;
      break;
    case ItemType::Multiple:
      symbol.kind = item.scale ? Symbol::Kind::Selection : Symbol::Kind::Any;
      break;
    case ItemType::Rating:
    case ItemType::Integer:
    case ItemType::Decimal:
      symbol.kind = Symbol::Kind::Number;
      break;
    case ItemType::Date:
    case ItemType::Text:
    case ItemType::LongText:
      symbol.kind = Symbol::Kind::Text;
      break;
    case ItemType::Calculate:
      symbol.kind = Symbol::Kind::Any;
      break;
    case ItemType::Note:
    case ItemType::Matrix:
      symbol.kind = Symbol::Kind::NoValue;
      break;
  }
  return symbol;
}

void QuestionnaireLoader::compile_pending() {
  for (auto& p : pending_) {
    std::optional<Expression>* target = p.target;
    if (target == nullptr) {
      auto it = q_.by_id_.find(p.item);
      if (it == q_.by_id_.end() || it->second == Item::no_parent) continue;
      Item& owner = q_.items_[it->second];
      auto field = p.path.substr(p.path.rfind('/') + 1);
      if (field == "relevant") target = &owner.relevant;
      if (field == "constraint") target = &owner.constraint;
      if (field == "calculation") target = &owner.calculation;
      if (field == "required") target = &owner.required_if;
      if (target == nullptr) continue;
    }
    try {
      *target = Expression::compile(p.text, *this, p.allow_self, &regexes_);
    } catch (const ExpressionError& e) {
      auto column = io::utf8_column(p.text, std::min(e.offset, p.text.size()));
      problem("questionnaire.expression_error", p.path, p.item, e.message, column);
    }
  }
}

// ${id} inside a text (e.g. the unit being rated) must name an item.
void QuestionnaireLoader::check_text_references() {
  for (std::size_t i = 0; i < text_references_.size(); ++i) {
    const std::string& text = text_reference_values_[i];
    std::size_t pos = 0;
    while ((pos = text.find("${", pos)) != std::string::npos) {
      auto close = text.find('}', pos);
      if (close == std::string::npos) break;
      auto id = text.substr(pos + 2, close - pos - 2);
      if (!lookup(id)) {
        problem("questionnaire.unknown_reference", text_references_[i].first,
                text_references_[i].second, "the text names ${" + id + "}, which is not an item",
                io::utf8_column(text, pos));
      }
      pos = close;
    }
  }
}

}  // namespace sipas::questionnaires
