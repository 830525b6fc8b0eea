#pragma once

#include <string>
#include <string_view>

#include "io/error.hpp"
#include "survey_server/http_types.hpp"

namespace sipas::survey_server {

// An error a handler answers with: the status, a stable id, a message for
// people and the field it concerns (empty when none). Thrown inside handlers
// and turned into a response at one place (SurveyService::handle).
class ApiError : public Error {
 public:
  ApiError(int status, std::string code, const std::string& message, std::string field = {})
      : Error(std::move(code), message), status_(status), field_(std::move(field)) {}
  int status() const { return status_; }
  const std::string& field() const { return field_; }

 private:
  int status_;
  std::string field_;
};

// {"error": {"code", "message", "field"}} (field is null when empty).
HttpResponse json_error(int status, std::string_view code, std::string_view message,
                        std::string_view field = {});

}  // namespace sipas::survey_server
