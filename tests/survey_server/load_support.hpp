#pragma once

// Helpers shared by the load and crash tests: a sample.csv of many
// invitations, the links CSV it returns, and valid JSON responses made fast
// (a handful generated once, then only the submission_id changes).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/formula_guard.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/synthetic_responses.hpp"

namespace sipas::test {

inline const std::string json_type = "application/json";
inline const std::string form_type = "application/x-www-form-urlencoded";

// A sample.csv as `sipas sample` writes it: `count` main units, ids p0..,
// spread over `strata` strata (S0, S1, ...).
inline std::string make_sample_csv(std::size_t count, std::size_t strata) {
  std::string csv = "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,sex\n";
  csv.reserve(count * 40);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string stratum = "S" + std::to_string(i % strata);
    csv += "p" + std::to_string(i) + "," + stratum + "," + stratum + ",0.1,10,main,," +
           std::to_string(1 + i % 2) + "\n";
  }
  return csv;
}

// The tokens of a links CSV (header "id,stratum,psu,role,reserve_rank,token,
// link,..."; no quoted fields: ids and tokens are plain), in file order. A
// token that starts with '-' is written with the formula guard's apostrophe in
// front (io/formula_guard.hpp), which is taken off here as CsvReader would.
inline std::vector<std::string> tokens_of_links_csv(const std::string& text) {
  std::vector<std::string> tokens;
  std::istringstream in(text);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      if (line.rfind("id,stratum,psu,role,reserve_rank,token,link", 0) != 0)
        throw std::runtime_error("unexpected links CSV header: " + line);
      continue;
    }
    if (line.empty()) continue;
    std::size_t start = 0;
    for (int field = 0; field < 5; ++field)
      start = line.find(',', start) + 1;
    const std::string cell = line.substr(start, line.find(',', start) - start);
    tokens.emplace_back(sipas::io::restore_formula_guarded(cell));
  }
  return tokens;
}

// Valid responses to sipas-citizen: `variants` generated documents, each
// split around its submission_id so that make() only concatenates.
class ResponseTemplates {
 public:
  explicit ResponseTemplates(std::size_t variants = 8) {
    namespace q = sipas::questionnaires;
    const auto* file = q::find_standard_file("forms/sipas-citizen.json");
    if (file == nullptr) throw std::runtime_error("no standard form sipas-citizen");
    auto questionnaire = q::load_questionnaire(file->content, "sipas-citizen.json");
    const std::string marker = "@@SUBMISSION-ID@@";
    for (std::size_t v = 0; v < variants; ++v) {
      q::GeneratorOptions options;
      options.seed = 1000 + v;
      options.other_language_rate = 0;
      q::ResponseGenerator generator(questionnaire, options);
      auto doc = nlohmann::json::parse(q::response_to_json(questionnaire, generator.valid()));
      doc["submission_id"] = marker;
      const std::string text = doc.dump();
      const auto at = text.find(marker);
      parts_.emplace_back(text.substr(0, at), text.substr(at + marker.size()));
    }
  }

  std::string make(std::size_t variant, const std::string& submission_id) const {
    const auto& [before, after] = parts_[variant % parts_.size()];
    return before + submission_id + after;
  }

 private:
  std::vector<std::pair<std::string, std::string>> parts_;
};

}  // namespace sipas::test
