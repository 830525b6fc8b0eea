#pragma once

// `sipas verify`: a results file made again from the inputs it records, and
// every number compared (analysis/README.md, "Audit replay").

#include <cstddef>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/run.hpp"

namespace sipas::analysis {

// The request of a run as results.json records it (`request`): every option
// of AnalysisRequest, the input files by name only (a results file holds no
// path of the machine it was made on), so that the run can be made again
// from the file alone.
nlohmann::json request_json(const AnalysisRequest& request);

// The request recorded in results.json, with each input file replaced by
// `locate(role, name)` (role: data, margins, questionnaire or scheme). Throws AnalysisError
// verify.invalid_results naming the field when the request is not one request_json() writes.
AnalysisRequest request_from_json(
    const nlohmann::json& recorded,
    const std::function<std::filesystem::path(const std::string& role, const std::string& name)>&
        locate);

// One input of the results file and where it was found.
struct VerifiedInput {
  std::string role;  // data, margins, questionnaire, scheme
  std::string name;  // as recorded
  std::string sha256;
  std::string found;  // the path read, or "embedded:NAME"
};

// The first value of the file that the inputs do not give again.
struct Mismatch {
  // For an estimate: its statistic, variable and domain ("district=D01;..."
  // or "" for everyone); empty elsewhere.
  std::string statistic, variable, domain;
  std::string field;     // "se", or the JSON path of a value outside the estimates
  std::string recorded;  // the value in the file, as JSON
  std::string computed;  // the value the inputs give, as JSON
};

struct VerifyResult {
  std::vector<VerifiedInput> inputs;
  std::size_t estimates = 0;
  std::size_t numbers = 0;  // numbers compared (all equal when there is no mismatch)
  std::optional<Mismatch> mismatch;
};

// Reads `results` (a results.json of `sipas analyze`), finds every input it
// records by name in `data_dirs` (in order), then beside `results`, checks
// each one's SHA-256, runs the recorded request again and compares the new
// results with the file, every value with == (numbers as doubles). Throws
// AnalysisError: verify.invalid_results (not a results file, or one without
// `request`), verify.input_missing (names the file and where it was looked
// for), verify.input_changed (names the file found and both hashes), or any
// error of the run itself.
VerifyResult verify_results(const std::filesystem::path& results,
                            const std::vector<std::filesystem::path>& data_dirs);

}  // namespace sipas::analysis
