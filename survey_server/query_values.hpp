#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "io/csv_writer.hpp"

namespace sipas::survey_server {

// The CSV options for a route that answers CSV, from its `raw` query
// parameter: absent or "0" guards cells a spreadsheet would run as formulas,
// "1" writes every cell's bytes as they are (for tools that are not
// spreadsheets). Anything else is ApiError 400 request.bad_parameter (raw).
io::CsvWriterOptions csv_options_for_raw(const std::optional<std::string>& raw);

// A whole number from 0 in a query parameter, or `fallback` when absent;
// ApiError 400 request.bad_parameter naming `field` otherwise.
std::int64_t count_parameter(const std::optional<std::string>& text, std::int64_t fallback,
                             const std::string& field);

}  // namespace sipas::survey_server
