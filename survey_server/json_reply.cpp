#include "survey_server/json_reply.hpp"

#include "survey_server/api_error.hpp"

namespace sipas::survey_server {

using Json = nlohmann::json;

HttpResponse json_reply(int status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

Json parse_json_object(const std::string& body) {
  Json document = Json::parse(body, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    throw ApiError(400, "request.malformed_json", "the body is not a JSON object");
  }
  return document;
}

}  // namespace sipas::survey_server
