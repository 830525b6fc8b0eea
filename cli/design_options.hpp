#pragma once

// The options that name a survey's data and design, as `sipas analyze` takes
// them, for the commands that estimate on a design (`sipas compare` takes
// them twice: this year's, and last year's with the prefix last-year-).

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/run.hpp"

namespace sipas::cli {

struct DesignOptions {
  std::string data, strata, psu, weights, fpc, replicates, repweights, reptype, rscales, margins,
      calfun = "raking", bounds, lonely = "fail", weights_file, weights_id = "respondent_id";
  std::optional<double> repscale;
  bool mse = false, include_open_link = false;
  std::uint64_t seed = 1;
  // Whether any option was given (for last year's, which need --last-year-data).
  bool any_given(const CLI::App& command, const std::string& prefix) const;
};

// --PREFIXdata, --PREFIXstrata, ... as `sipas analyze` has them; `whose` ends
// each description ("" or " (last year's)").
void add_design_options(CLI::App& command, DesignOptions& o, const std::string& prefix,
                        const std::string& whose);

// The request's data and design (the statistics, domains and level are the
// caller's), its typed options parsed from their words. Throws
// AnalysisError analysis.invalid_option naming the option (--PREFIXname).
analysis::AnalysisRequest design_request(const DesignOptions& o, const std::string& prefix);

// --rscales: numbers separated by commas, or a file that holds them
// (separated by commas, spaces or line breaks), such as the .rscales file
// `sipas weights --replicates jkn` writes.
std::vector<double> parse_rscales(const std::string& text, const std::string& option = "--rscales");

}  // namespace sipas::cli
