#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "survey_server/http_types.hpp"

namespace sipas::survey_server {

// A JSON reply; text that is not UTF-8 is replaced, never a throw.
HttpResponse json_reply(int status, const nlohmann::json& body);

// The body as a JSON object, or ApiError 400 request.malformed_json.
nlohmann::json parse_json_object(const std::string& body);

}  // namespace sipas::survey_server
