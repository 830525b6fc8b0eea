#pragma once

// Reproducible random responses: for the validation benchmarks and for the
// demo's simulated respondents.
//
// The generator follows the questionnaire generically (no knowledge of any one
// form): every answerable item of the questionnaire gets an answer of its type
// (a code of its scale, a number in its range, a date, a short Vietnamese
// text), then a Validator is used as the oracle for the skip logic: answers to
// items it reports as not relevant are dropped, required items it reports as
// missing are answered, answers that fail their constraint are drawn again,
// until the response validates cleanly. Identical seeds give identical
// responses on every platform (std::mt19937_64 with our own range mapping, no
// std::*_distribution).

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/validation.hpp"

namespace sipas::questionnaires {

struct GeneratorOptions {
  std::uint64_t seed = 20240101;
  // Chance that an optional (not required) item is answered when relevant.
  double optional_answer_rate = 0.6;
  // Chance that the response names a language other than the default one.
  double other_language_rate = 0.1;
  // Rounds of "validate and repair" before a response is drawn afresh.
  int max_repair_rounds = 16;
  // Fresh drafts before giving up on a questionnaire (throws).
  int max_attempts = 100;
  // When in [0, 1]: the chance that a scored item's answer is one of its
  // satisfied codes, or of its indicator's codes (a respondent's overall
  // satisfaction); otherwise codes are uniform.
  double satisfaction = -1;
};

// How an invalid response was made invalid.
enum class Defect : std::uint8_t {
  MissingRequired,  // a relevant required answer removed
  UnknownCode,      // a choice answer replaced by a code the scale lacks
  WrongType,        // an answer of the wrong JSON type
  NotRelevant,      // an answer to an item the skip logic hides
  OutOfRange,       // a number beyond max, or a text beyond max_length
  UnknownItem,      // an answer to an id the questionnaire does not have
};

class ResponseGenerator {
 public:
  explicit ResponseGenerator(const Questionnaire& q, GeneratorOptions options = {});

  // A response that validates without any issue. Throws sipas::Error
  // (synthetic.failed) when the questionnaire defeats the generator (e.g. an unsatisfiable
  // constraint on a required item).
  Response valid();

  // A copy of `valid_response` (which must validate cleanly) with one defect,
  // drawn at random among those the questionnaire allows. The result is
  // checked to fail validation.
  Response invalid(const Response& valid_response);

  // Random integer in [0, bound) without modulo bias (rejection sampling).
  std::uint64_t below(std::uint64_t bound);
  bool chance(double p);
  // Changes the satisfaction propensity for the next responses.
  void set_satisfaction(double p) { options_.satisfaction = p; }

 private:
  RawAnswer random_answer(const Item& item);
  RawAnswer random_code(const Item& item);
  std::string random_text(const Item& item);
  bool try_defect(Response& r, Defect defect);

  const Questionnaire& q_;
  GeneratorOptions options_;
  std::mt19937_64 rng_;
  Validator validator_;
};

// `count` valid responses from `seed`.
std::vector<Response> generate_valid_responses(const Questionnaire& q, std::size_t count,
                                               std::uint64_t seed);

// `count` responses of which round(count * invalid_share) are invalid, at
// random positions; `invalid_at[i]` says which. Reproducible from `seed`.
struct MixedResponses {
  std::vector<Response> responses;
  std::vector<bool> invalid_at;
};
MixedResponses generate_mixed_responses(const Questionnaire& q, std::size_t count,
                                        double invalid_share, std::uint64_t seed);

// response_to_json(), used with these responses, is declared in response.hpp.

}  // namespace sipas::questionnaires
