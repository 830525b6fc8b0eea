// Loading and checking the scoring map (FORMAT.md, "Scoring").

#include <cmath>
#include <set>

#include "questionnaires/questionnaire_loader.hpp"

namespace sipas::questionnaires {
namespace {

constexpr double points_tolerance = 1e-9;

bool is_choice_item(const Item& item) {
  return item.type == ItemType::Single || item.type == ItemType::Likert;
}

}  // namespace

std::vector<std::uint16_t> QuestionnaireLoader::codes_to_choices(const Json& codes,
                                                                 const std::string& path,
                                                                 const Item& item) {
  std::vector<std::uint16_t> out;
  if (!codes.is_array()) {
    problem("questionnaire.wrong_type", path, item.id, "codes must be an array");
    return out;
  }
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const auto& c = codes[i];
    std::optional<std::uint16_t> index;
    if (item.scale && c.is_number_integer()) index = item.scale->find(c.get<std::int64_t>());
    if (item.scale && c.is_string()) index = item.scale->find(c.get<std::string>());
    if (!index) {
      problem("questionnaire.unknown_code", path + "/" + std::to_string(i), item.id,
              "code " + c.dump() + " is not one of the item's choices");
      continue;
    }
    out.push_back(*index);
  }
  return out;
}

void QuestionnaireLoader::load_item_scoring(std::uint32_t slot, const Json& value,
                                            const std::string& path) {
  Item& item = q_.items_[slot];
  if (!value.is_object()) {
    problem("questionnaire.wrong_type", path, item.id, "'scoring' must be an object");
    return;
  }
  check_keys(value, path, item.id,
             {"element", "satisfied_codes", "excluded_codes", "weight", "max_points", "indicator",
              "expectation_codes"});
  if (!is_choice_item(item)) {
    problem("questionnaire.unscorable_item", path, item.id,
            "only single-choice, likert and matrix-row items can be scored");
    return;
  }
  ItemScoring scoring;
  if (auto element = load_string(value, "element", path, item.id, false)) {
    scoring.element = *element;
    if (!q_.scoring_.find_element(*element)) {
      problem("questionnaire.unknown_element", child(path, "element"), item.id,
              "element '" + *element + "' is not declared in scoring.elements");
    }
    if (!value.contains("satisfied_codes")) {
      problem("questionnaire.missing_field", child(path, "satisfied_codes"), item.id,
              "an item that feeds an element needs 'satisfied_codes'");
    }
  }
  if (value.contains("satisfied_codes")) {
    scoring.satisfied =
        codes_to_choices(value["satisfied_codes"], child(path, "satisfied_codes"), item);
    if (scoring.satisfied.empty()) {
      problem("questionnaire.invalid_codes", child(path, "satisfied_codes"), item.id,
              "'satisfied_codes' must name at least one code");
    }
  }
  if (value.contains("excluded_codes")) {
    scoring.excluded =
        codes_to_choices(value["excluded_codes"], child(path, "excluded_codes"), item);
  }
  for (auto s : scoring.satisfied) {
    if ((item.scale && item.scale->is_excluded(s)) ||
        std::find(scoring.excluded.begin(), scoring.excluded.end(), s) != scoring.excluded.end()) {
      problem(
          "questionnaire.invalid_codes", child(path, "satisfied_codes"), item.id,
          "code " + item.scale->choices[s].code.to_string() + " is both satisfied and excluded");
    }
  }
  if (auto w = value.find("weight"); w != value.end()) {
    if (!w->is_number() || !(w->get<double>() > 0) || !std::isfinite(w->get<double>())) {
      problem("questionnaire.invalid_weight", child(path, "weight"), item.id,
              "'weight' must be a positive number");
    } else {
      scoring.weight = w->get<double>();
    }
  }
  if (auto m = value.find("max_points"); m != value.end()) {
    if (!m->is_number() || m->get<double>() < 0 || !std::isfinite(m->get<double>())) {
      problem("questionnaire.invalid_points", child(path, "max_points"), item.id,
              "'max_points' must be a number of at least 0");
    } else {
      scoring.max_points = m->get<double>();
    }
  }
  if (auto ind = value.find("indicator"); ind != value.end()) {
    std::string ipath = child(path, "indicator");
    if (!ind->is_object()) {
      problem("questionnaire.wrong_type", ipath, item.id, "'indicator' must be {id, label, codes}");
    } else {
      check_keys(*ind, ipath, item.id, {"id", "label", "codes"});
      Indicator indicator;
      if (auto id = load_string(*ind, "id", ipath, item.id, true)) indicator.id = *id;
      if (auto label = load_text(ind->contains("label") ? (*ind)["label"] : Json(),
                                 child(ipath, "label"), item.id, true)) {
        indicator.label = *label;
      }
      if (!ind->contains("codes")) {
        problem("questionnaire.missing_field", child(ipath, "codes"), item.id,
                "'codes' is required");
      } else {
        indicator.choices = codes_to_choices((*ind)["codes"], child(ipath, "codes"), item);
      }
      scoring.indicator = std::move(indicator);
    }
  }
  if (value.contains("expectation_codes")) {
    scoring.expectation =
        codes_to_choices(value["expectation_codes"], child(path, "expectation_codes"), item);
  }
  item.scoring = std::move(scoring);
}

void QuestionnaireLoader::load_scoring(const Json& doc) {
  auto it = doc.find("scoring");
  auto& def = q_.scoring_;
  if (it != doc.end()) {
    scoring_json_ = &*it;
    const Json& s = *it;
    if (!s.is_object()) {
      problem("questionnaire.wrong_type", "/scoring", "", "'scoring' must be an object");
      return;
    }
    check_keys(s, "/scoring", "", {"elements", "groups", "overall", "points"});
    if (auto elements = s.find("elements"); elements != s.end()) {
      if (!elements->is_array()) {
        problem("questionnaire.wrong_type", "/scoring/elements", "", "'elements' must be an array");
      } else {
        for (std::size_t i = 0; i < elements->size(); ++i) {
          const auto& e = (*elements)[i];
          std::string path = "/scoring/elements/" + std::to_string(i);
          if (!e.is_object()) {
            problem("questionnaire.wrong_type", path, "", "an element must be an object");
            continue;
          }
          check_keys(e, path, "", {"id", "label", "method", "item"});
          Element element;
          if (!load_id(e, path, element.id)) continue;
          if (def.find_element(element.id)) {
            problem("questionnaire.duplicate_id", child(path, "id"), element.id,
                    "element '" + element.id + "' is declared twice");
            continue;
          }
          if (auto label = load_text(e.contains("label") ? e["label"] : Json(),
                                     child(path, "label"), element.id, true)) {
            element.label = *label;
          }
          auto method = load_string(e, "method", path, element.id, false).value_or("mean_of_items");
          if (method == "mean_of_items") {
            element.method = Element::Method::MeanOfItems;
          } else if (method == "weighted_items") {
            element.method = Element::Method::WeightedItems;
          } else if (method == "item") {
            element.method = Element::Method::Item;
            if (auto item = load_string(e, "item", path, element.id, true)) element.item = *item;
          } else {
            problem("questionnaire.invalid_method", child(path, "method"), element.id,
                    "method must be mean_of_items, weighted_items or item");
          }
          def.elements.push_back(std::move(element));
        }
      }
    }
  }
  // Items' own scoring blocks need the elements declared above.
  for (std::uint32_t slot = 0; slot < q_.items_.size(); ++slot) {
    if (item_scoring_json_[slot]) {
      load_item_scoring(slot, *item_scoring_json_[slot], item_paths_[slot] + "/scoring");
    }
  }
  if (it == doc.end() || !it->is_object()) return;
  const Json& s = *it;

  if (auto groups = s.find("groups"); groups != s.end()) {
    if (!groups->is_array()) {
      problem("questionnaire.wrong_type", "/scoring/groups", "", "'groups' must be an array");
    } else {
      for (std::size_t i = 0; i < groups->size(); ++i) {
        const auto& g = (*groups)[i];
        std::string path = "/scoring/groups/" + std::to_string(i);
        if (!g.is_object()) {
          problem("questionnaire.wrong_type", path, "", "a group must be an object");
          continue;
        }
        check_keys(g, path, "", {"id", "label", "elements"});
        ElementGroup group;
        if (!load_id(g, path, group.id)) continue;
        if (auto label = load_text(g.contains("label") ? g["label"] : Json(), child(path, "label"),
                                   group.id, true)) {
          group.label = *label;
        }
        if (auto els = g.find("elements"); els != g.end() && els->is_array() && !els->empty()) {
          for (const auto& e : *els) {
            if (!e.is_string() || !def.find_element(e.get<std::string>())) {
              problem("questionnaire.unknown_element", child(path, "elements"), group.id,
                      "group names " + e.dump() + ", which is not a declared element");
              continue;
            }
            group.elements.push_back(e.get<std::string>());
          }
        } else {
          problem("questionnaire.missing_field", child(path, "elements"), group.id,
                  "a group needs a non-empty array of 'elements'");
        }
        def.groups.push_back(std::move(group));
      }
    }
  }

  if (auto o = s.find("overall"); o != s.end()) {
    std::string path = "/scoring/overall";
    if (!o->is_object()) {
      problem("questionnaire.wrong_type", path, "", "'overall' must be an object");
    } else {
      check_keys(*o, path, "", {"method", "elements", "groups", "item", "weights"});
      Overall overall;
      auto method = load_string(*o, "method", path, "", true).value_or("");
      auto string_list = [&](std::string_view key, std::vector<std::string>& out, bool groups) {
        auto list = o->find(key);
        if (list == o->end()) return;
        if (!list->is_array()) {
          problem("questionnaire.wrong_type", child(path, key), "", "must be an array of ids");
          return;
        }
        for (const auto& e : *list) {
          bool known = false;
          if (e.is_string()) {
            auto id = e.get<std::string>();
            if (groups) {
              for (const auto& g : def.groups)
                known |= g.id == id;
            } else {
              known = def.find_element(id) != nullptr;
            }
          }
          if (!known) {
            problem("questionnaire.unknown_element", child(path, key), "",
                    e.dump() + " is not a declared " + (groups ? "group" : "element"));
            continue;
          }
          out.push_back(e.get<std::string>());
        }
      };
      if (method == "mean_of_elements") {
        overall.method = Overall::Method::MeanOfElements;
        string_list("elements", overall.elements, false);
      } else if (method == "mean_of_groups") {
        overall.method = Overall::Method::MeanOfGroups;
        string_list("groups", overall.groups, true);
        if (def.groups.empty()) {
          problem("questionnaire.invalid_method", child(path, "method"), "",
                  "mean_of_groups needs scoring.groups");
        }
      } else if (method == "mean_of_items") {
        overall.method = Overall::Method::MeanOfItems;
      } else if (method == "item") {
        overall.method = Overall::Method::Item;
        if (auto item = load_string(*o, "item", path, "", true)) overall.item = *item;
      } else if (method == "weighted") {
        overall.method = Overall::Method::Weighted;
        auto weights = o->find("weights");
        if (weights == o->end() || !weights->is_object() || weights->empty()) {
          problem("questionnaire.missing_field", child(path, "weights"), "",
                  "method 'weighted' needs 'weights' {element: weight}");
        } else {
          double sum = 0;
          for (const auto& [element, w] : weights->items()) {
            if (!def.find_element(element)) {
              problem("questionnaire.unknown_element", child(child(path, "weights"), element), "",
                      "'" + element + "' is not a declared element");
            } else if (!w.is_number() || w.get<double>() < 0) {
              problem("questionnaire.invalid_weight", child(child(path, "weights"), element), "",
                      "a weight must be a number of at least 0");
            } else {
              overall.weights[element] = w.get<double>();
              sum += w.get<double>();
            }
          }
          if (std::fabs(sum - 1) > points_tolerance) {
            problem("questionnaire.invalid_weight", child(path, "weights"), "",
                    "the weights add up to " + std::to_string(sum) + ", not 1");
          }
        }
      } else if (!method.empty()) {
        problem("questionnaire.invalid_method", child(path, "method"), "",
                "method must be mean_of_elements, mean_of_groups, mean_of_items, item or weighted");
      }
      def.overall = std::move(overall);
    }
  }

  if (auto p = s.find("points"); p != s.end()) {
    std::string path = "/scoring/points";
    if (!p->is_object()) {
      problem("questionnaire.wrong_type", path, "", "'points' must be an object");
    } else {
      check_keys(*p, path, "", {"total", "conversion", "external"});
      PointsDefinition points;
      auto total = p->find("total");
      if (total == p->end() || !total->is_number() || !(total->get<double>() > 0)) {
        problem("questionnaire.invalid_points", child(path, "total"), "",
                "'total' must be a positive number");
      } else {
        points.total = total->get<double>();
      }
      if (auto c = p->find("conversion"); c != p->end()) {
        std::string cpath = child(path, "conversion");
        if (!c->is_object()) {
          problem("questionnaire.wrong_type", cpath, "", "'conversion' must be an object");
        } else {
          check_keys(*c, cpath, "", {"method", "low", "high", "table"});
          auto method = load_string(*c, "method", cpath, "", true).value_or("");
          if (method == "linear") {
            points.conversion.method = PointsConversion::Method::Linear;
            auto low = c->find("low"), high = c->find("high");
            if (low == c->end() || high == c->end() || !low->is_number() || !high->is_number() ||
                !(high->get<double>() > low->get<double>())) {
              problem("questionnaire.invalid_conversion", cpath, "",
                      "linear conversion needs numbers low < high");
            } else {
              points.conversion.low = low->get<double>();
              points.conversion.high = high->get<double>();
            }
          } else if (method == "top_box") {
            points.conversion.method = PointsConversion::Method::TopBox;
          } else if (method == "table") {
            points.conversion.method = PointsConversion::Method::Table;
            auto table = c->find("table");
            if (table == c->end() || !table->is_object() || table->empty()) {
              problem("questionnaire.invalid_conversion", child(cpath, "table"), "",
                      "table conversion needs 'table' {code: fraction}");
            } else {
              for (const auto& [code, fraction] : table->items()) {
                std::int64_t number = 0;
                try {
                  std::size_t used = 0;
                  number = std::stoll(code, &used);
                  if (used != code.size()) throw std::invalid_argument(code);
                } catch (const std::exception&) {
                  problem("questionnaire.invalid_conversion", child(child(cpath, "table"), code),
                          "", "table keys must be integer codes");
                  continue;
                }
                if (!fraction.is_number() || fraction.get<double>() < 0 ||
                    fraction.get<double>() > 1) {
                  problem("questionnaire.invalid_conversion", child(child(cpath, "table"), code),
                          "", "a fraction must be between 0 and 1");
                  continue;
                }
                points.conversion.table[number] = fraction.get<double>();
              }
            }
          } else {
            problem("questionnaire.invalid_conversion", child(cpath, "method"), "",
                    "method must be linear, top_box or table");
          }
        }
      }
      if (auto ext = p->find("external"); ext != p->end()) {
        if (!ext->is_array()) {
          problem("questionnaire.wrong_type", child(path, "external"), "",
                  "'external' must be an array");
        } else {
          for (std::size_t i = 0; i < ext->size(); ++i) {
            const auto& e = (*ext)[i];
            std::string epath = child(path, "external") + "/" + std::to_string(i);
            if (!e.is_object()) {
              problem("questionnaire.wrong_type", epath, "", "an external input must be an object");
              continue;
            }
            check_keys(e, epath, "", {"id", "element", "source", "max_points", "label"});
            ExternalInput input;
            if (!load_id(e, epath, input.id)) continue;
            if (q_.find(input.id)) {
              problem("questionnaire.duplicate_id", child(epath, "id"), input.id,
                      "id '" + input.id + "' is also an item");
            }
            if (auto element = load_string(e, "element", epath, input.id, true)) {
              if (!def.find_element(*element)) {
                problem("questionnaire.unknown_element", child(epath, "element"), input.id,
                        "element '" + *element + "' is not declared");
              }
              input.element = *element;
            }
            if (auto source = load_string(e, "source", epath, input.id, true))
              input.source = *source;
            auto m = e.find("max_points");
            if (m == e.end() || !m->is_number() || m->get<double>() < 0) {
              problem("questionnaire.invalid_points", child(epath, "max_points"), input.id,
                      "'max_points' must be a number of at least 0");
            } else {
              input.max_points = m->get<double>();
            }
            if (auto label = load_text(e.contains("label") ? e["label"] : Json(),
                                       child(epath, "label"), input.id, true)) {
              input.label = *label;
            }
            points.external.push_back(std::move(input));
          }
        }
      }
      def.points = std::move(points);
    }
  }
  check_scoring();
}

void QuestionnaireLoader::check_scoring() {
  auto& def = q_.scoring_;
  std::set<std::string> fed;
  for (const auto& item : q_.items_) {
    if (item.scoring && !item.scoring->element.empty()) fed.insert(item.scoring->element);
  }
  if (def.points) {
    for (const auto& e : def.points->external)
      fed.insert(e.element);
  }
  for (std::size_t i = 0; i < def.elements.size(); ++i) {
    const auto& e = def.elements[i];
    std::string path = "/scoring/elements/" + std::to_string(i);
    if (e.method == Element::Method::Item) {
      const Item* item = q_.find(e.item);
      if (!item || !item->scoring || item->scoring->satisfied.empty()) {
        problem("questionnaire.invalid_method", child(path, "item"), e.id,
                "element method 'item' needs a scored item with satisfied_codes, and '" + e.item +
                    "' is not one");
      }
    } else if (!fed.contains(e.id)) {
      problem("questionnaire.empty_element", path, e.id, "no item feeds element '" + e.id + "'");
    }
  }
  if (def.overall && def.overall->method == Overall::Method::Item) {
    const Item* item = q_.find(def.overall->item);
    bool ok = item && item->scoring &&
              (!item->scoring->satisfied.empty() ||
               (item->scoring->indicator && !item->scoring->indicator->choices.empty()));
    if (!ok) {
      problem("questionnaire.invalid_method", "/scoring/overall/item", def.overall->item,
              "overall method 'item' needs a scored item with satisfied codes or an indicator");
    }
  }
  if (def.points) {
    double sum = 0;
    for (const auto& item : q_.items_) {
      if (item.scoring && item.scoring->max_points) sum += *item.scoring->max_points;
    }
    for (const auto& e : def.points->external)
      sum += e.max_points;
    if (std::fabs(sum - def.points->total) > points_tolerance) {
      problem("questionnaire.points_total_mismatch", "/scoring/points/total", "",
              "the items' max_points and the external inputs add up to " + std::to_string(sum) +
                  ", not the survey total " + std::to_string(def.points->total));
    }
  } else {
    for (const auto& item : q_.items_) {
      if (item.scoring && item.scoring->max_points) {
        problem("questionnaire.missing_field", "/scoring/points", item.id,
                "items carry max_points but scoring.points (the total) is missing");
        break;
      }
    }
  }
}

}  // namespace sipas::questionnaires
