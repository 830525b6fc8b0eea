#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "questionnaires/questionnaire.hpp"

namespace sipas::questionnaires {

// Simulated respondents for the demo: every main unit of a sample answers the
// questionnaire with probability `response_rate`, with a satisfaction
// propensity between `low` and `high` that depends on the value of
// `propensity_column` (so that units differ), through ResponseGenerator; every
// response validates. The answers are written one row per respondent: the
// sample's `id, stratum, psu, design_weight`, the `carry` columns, then one
// column per answerable item (codes; multiple choices joined by spaces).
struct SimulatedAnswersOptions {
  std::uint64_t seed = 1;
  double response_rate = 0.85;
  std::string propensity_column;  // empty: one propensity for all
  double low = 0.6, high = 0.9;
  std::vector<std::string> carry;
};

struct SimulatedAnswersSummary {
  std::size_t invited = 0;
  std::size_t responded = 0;
};

SimulatedAnswersSummary write_simulated_answers(const Questionnaire& questionnaire,
                                                const std::filesystem::path& sample_csv,
                                                const std::filesystem::path& answers_csv,
                                                const SimulatedAnswersOptions& options);

}  // namespace sipas::questionnaires
