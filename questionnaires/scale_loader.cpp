// JSON -> Questionnaire: the choice lists. Named scales under "scales", and a
// scale written inline on an item ("choices", or a "scale" object).

#include <algorithm>

#include "questionnaires/questionnaire_loader.hpp"

namespace sipas::questionnaires {

void QuestionnaireLoader::load_scales(const Json& doc) {
  auto scales = doc.find("scales");
  if (scales == doc.end()) return;
  if (!scales->is_object()) {
    problem("questionnaire.wrong_type", "/scales", "",
            "'scales' must be an object of named scales");
    return;
  }
  for (const auto& [id, value] : scales->items()) {
    std::string path = child("/scales", id);
    if (!valid_id(id)) {
      problem("questionnaire.invalid_id", path, "", "'" + id + "' is not a valid scale id");
      continue;
    }
    if (auto scale = load_scale(value, path, "", id)) {
      q_.scales_[id] = scale;
    } else {
      broken_scales_.insert(id);
    }
  }
}

// A `scale` field: the name of a declared scale, or a scale written inline.
std::shared_ptr<const Scale> QuestionnaireLoader::scale_field(const Json& value,
                                                              const std::string& path,
                                                              const std::string& item) {
  if (!value.is_string()) return load_scale(value, path, item, "");
  auto it = q_.scales_.find(value.get<std::string>());
  if (it != q_.scales_.end()) return it->second;
  // A declared scale that failed to load has been reported already.
  if (!broken_scales_.contains(value.get<std::string>())) {
    problem("questionnaire.unknown_scale", path, item,
            "no scale named '" + value.get<std::string>() + "'");
  }
  return nullptr;
}

std::shared_ptr<const Scale> QuestionnaireLoader::load_scale(const Json& value,
                                                             const std::string& path,
                                                             const std::string& item,
                                                             std::string id) {
  if (!value.is_object()) {
    problem("questionnaire.wrong_type", path, item, "a scale must be an object with 'choices'");
    return nullptr;
  }
  check_keys(value, path, item, {"choices", "display", "excluded_codes"});
  auto scale = std::make_shared<Scale>();
  scale->id = std::move(id);
  auto choices = value.find("choices");
  if (choices == value.end() || !choices->is_array()) {
    problem("questionnaire.missing_field", child(path, "choices"), item,
            "'choices' must be an array of {code, label}");
    return nullptr;
  }
  std::string choices_path = child(path, "choices");
  if (choices->size() < 2 || choices->size() > QuestionnaireLimits::max_choices) {
    problem("questionnaire.invalid_choices", choices_path, item,
            "a choice list needs 2 to " + std::to_string(QuestionnaireLimits::max_choices) +
                " choices");
    return nullptr;
  }
  bool ok = true;
  for (std::size_t i = 0; i < choices->size(); ++i) {
    if (auto choice = load_choice((*choices)[i], child(choices_path, i), item, *scale)) {
      scale->choices.push_back(std::move(*choice));
    } else {
      ok = false;
    }
  }
  load_scale_display(value, path, item, *scale);
  ok = load_excluded_codes(value, path, item, *scale) && ok;
  if (!ok) return nullptr;
  return scale;
}

// One {code, label} of a list; nullopt (and a problem) when it is not valid or
// its code is already one of `scale`'s.
std::optional<Choice> QuestionnaireLoader::load_choice(const Json& c,
                                                       const std::string& choice_path,
                                                       const std::string& item,
                                                       const Scale& scale) {
  if (!c.is_object()) {
    problem("questionnaire.wrong_type", choice_path, item, "a choice must be {code, label}");
    return std::nullopt;
  }
  check_keys(c, choice_path, item, {"code", "label"});
  Choice choice;
  auto code = c.find("code");
  if (code == c.end()) {
    problem("questionnaire.missing_field", child(choice_path, "code"), item, "'code' is required");
    return std::nullopt;
  }
  if (code->is_number_integer()) {
    choice.code.number = code->get<std::int64_t>();
  } else if (code->is_string() && valid_string_code(code->get_ref<const std::string&>())) {
    choice.code.is_number = false;
    choice.code.text = code->get<std::string>();
  } else {
    problem("questionnaire.invalid_code", child(choice_path, "code"), item,
            "a code must be an integer or a short string of letters, digits, _ and -");
    return std::nullopt;
  }
  if (scale.find(choice.code)) {
    problem("questionnaire.duplicate_code", child(choice_path, "code"), item,
            "code " + choice.code.to_string() + " appears twice");
    return std::nullopt;
  }
  auto label = text_field(c, "label", choice_path, item, true);
  if (!label) return std::nullopt;
  choice.label = std::move(*label);
  return choice;
}

void QuestionnaireLoader::load_scale_display(const Json& value, const std::string& path,
                                             const std::string& item, Scale& scale) {
  auto display = value.find("display");
  if (display == value.end()) return;
  if (*display == "descending") {
    scale.descending = true;
  } else if (*display != "ascending") {
    problem("questionnaire.invalid_display", child(path, "display"), item,
            "display must be 'ascending' or 'descending'");
  }
}

// False when a listed code is not one of the scale's (the scale is then not
// kept); a field of the wrong type is reported but leaves the scale usable.
bool QuestionnaireLoader::load_excluded_codes(const Json& value, const std::string& path,
                                              const std::string& item, Scale& scale) {
  auto excluded = value.find("excluded_codes");
  if (excluded == value.end()) return true;
  if (!excluded->is_array()) {
    problem("questionnaire.wrong_type", child(path, "excluded_codes"), item,
            "'excluded_codes' must be an array of codes");
    return true;
  }
  bool ok = true;
  for (std::size_t i = 0; i < excluded->size(); ++i) {
    const auto& e = (*excluded)[i];
    std::optional<std::uint16_t> index;
    if (e.is_number_integer()) index = scale.find(e.get<std::int64_t>());
    if (e.is_string()) index = scale.find(e.get<std::string>());
    if (!index) {
      problem("questionnaire.unknown_code", child(child(path, "excluded_codes"), i), item,
              "excluded code " + e.dump() + " is not one of the scale's codes");
      ok = false;
      continue;
    }
    scale.excluded.push_back(*index);
  }
  return ok;
}

}  // namespace sipas::questionnaires
