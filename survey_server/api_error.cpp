#include "survey_server/api_error.hpp"

#include <nlohmann/json.hpp>

namespace sipas::survey_server {

HttpResponse json_error(int status, std::string_view code, std::string_view message,
                        std::string_view field) {
  nlohmann::json error = {{"code", code}, {"message", message}, {"field", nullptr}};
  if (!field.empty()) error["field"] = field;
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  // Replace invalid UTF-8 (an echoed field name from a hostile client) rather
  // than failing to answer at all.
  response.body = nlohmann::json{{"error", error}}.dump(-1, ' ', false,
                                                        nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace sipas::survey_server
