#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "questionnaires/text.hpp"

namespace sipas::questionnaires {

// A reported share that belongs to no element, e.g. "no harassment" = code 1.
struct Indicator {
  std::string id;
  Text label;
  std::vector<std::uint16_t> choices;  // choice indices counted
};

// How one item (or matrix row) is scored. Codes are stored as choice indices
// into the item's scale.
struct ItemScoring {
  std::string element;                   // empty when the item feeds no element
  std::vector<std::uint16_t> satisfied;  // counted as satisfied
  std::vector<std::uint16_t> excluded;   // left out of the denominator (with the scale's own)
  double weight = 1;
  std::optional<double> max_points;  // PAR survey points
  std::optional<Indicator> indicator;
  std::vector<std::uint16_t> expectation;  // count as "wants improvement"
};

struct Element {
  enum class Method : std::uint8_t { MeanOfItems, WeightedItems, Item };
  std::string id;
  Text label;
  Method method = Method::MeanOfItems;
  std::string item;  // Method::Item: the element-level question
};

struct ElementGroup {
  std::string id;
  Text label;
  std::vector<std::string> elements;
};

struct Overall {
  enum class Method : std::uint8_t { MeanOfElements, MeanOfGroups, MeanOfItems, Item, Weighted };
  Method method = Method::MeanOfElements;
  std::vector<std::string> elements;      // MeanOfElements (empty: all)
  std::vector<std::string> groups;        // MeanOfGroups (empty: all)
  std::string item;                       // Item
  std::map<std::string, double> weights;  // Weighted: element id -> weight, summing to 1
};

// A score that comes from outside the form (e.g. the province's SIPAS index
// feeding a PAR criterion).
struct ExternalInput {
  std::string id;
  std::string element;
  std::string source;
  double max_points = 0;
  Text label;
};

struct PointsConversion {
  enum class Method : std::uint8_t { Linear, TopBox, Table };
  Method method = Method::Linear;
  double low = 1, high = 5;              // Linear
  std::map<std::int64_t, double> table;  // Table: code -> fraction of the maximum
};

struct PointsDefinition {
  double total = 0;
  PointsConversion conversion;
  std::vector<ExternalInput> external;
};

// The scoring map of a questionnaire: elements, sub-indices, how the overall
// index is formed, and PAR points. Index computation itself lives in analysis.
struct ScoringDefinition {
  std::vector<Element> elements;
  std::vector<ElementGroup> groups;
  std::optional<Overall> overall;
  std::optional<PointsDefinition> points;

  const Element* find_element(const std::string& id) const {
    for (const auto& e : elements) {
      if (e.id == id) return &e;
    }
    return nullptr;
  }
};

}  // namespace sipas::questionnaires
