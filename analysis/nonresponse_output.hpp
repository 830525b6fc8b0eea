#pragma once

// What `sipas weights` writes: weights.csv (one row per respondent), the
// report (weights.json, `sipas-weights/1`) and the summary it prints.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/nonresponse.hpp"

namespace sipas::analysis {

struct WeightsCsvOptions {
  std::vector<std::string> carry;       // sample columns copied after `weight`
  std::string replicate_prefix = "rw";  // rw1 .. rwR
  bool neutralise_formulas = true;      // io::CsvWriterOptions
};

// weights.csv: id, the step columns, weight, weighting_class (the label of
// the respondent's class after collapsing), the carried columns, then the
// replicate weights; numbers as the shortest decimal that reads back to the
// same double. Written atomically (nothing at `path` unless it all worked),
// owner-only (it holds the sample's ids). Throws AnalysisError
// weights.missing_column for a carried column the sample lacks, before
// anything is written; io::IoError when the file cannot be written.
void write_weights_csv(const std::filesystem::path& path, const FieldworkSample& sample,
                       const WeightingResult& result, const WeightsCsvOptions& options);

// The report's body: cases, substitutions, classes and their collapsing,
// every step's spread, the calibration and the replicates. The command adds
// its inputs and outputs.
nlohmann::json weights_report(const FieldworkSample& sample, const WeightingResult& result,
                              const NonresponseOptions& options);

// The text `sipas weights` prints: cases, classes, collapses and each step's
// spread (min, max, CV, 1 + CV²).
std::string weights_summary(const FieldworkSample& sample, const WeightingResult& result,
                            const NonresponseOptions& options);

}  // namespace sipas::analysis
