#pragma once

#include <stdexcept>
#include <string>

namespace sipas {

// Base of every error a sipas library throws. `id` is stable (e.g.
// "questionnaire.syntax_error") so that the command line, the JSON error body
// and the documentation all name the same thing; `what()` is the message.
class Error : public std::runtime_error {
 public:
  Error(std::string id, const std::string& message)
      : std::runtime_error(message), id_(std::move(id)) {}
  const std::string& id() const noexcept { return id_; }

 private:
  std::string id_;
};

}  // namespace sipas
