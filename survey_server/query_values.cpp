#include "survey_server/query_values.hpp"

#include <cstdlib>

#include "survey_server/api_error.hpp"

namespace sipas::survey_server {

io::CsvWriterOptions csv_options_for_raw(const std::optional<std::string>& raw) {
  if (!raw || *raw == "0") return {};
  if (*raw == "1") return {.neutralise_formulas = false};
  throw ApiError(400, "request.bad_parameter", "raw must be 0 or 1", "raw");
}

std::int64_t count_parameter(const std::optional<std::string>& text, std::int64_t fallback,
                             const std::string& field) {
  if (!text) return fallback;
  char* end = nullptr;
  long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || value < 0) {
    throw ApiError(400, "request.bad_parameter", field + " must be a whole number from 0", field);
  }
  return value;
}

}  // namespace sipas::survey_server
