#pragma once

#include <string>
#include <vector>

#include "io/error.hpp"

namespace sipas::questionnaires {

// One problem in a questionnaire definition. `path` is the JSON pointer of the
// field (/sections/1/items/3/relevant); `item` the item id when there is one;
// `column` the character position inside an expression (0 when not one).
struct Problem {
  std::string id;  // e.g. questionnaire.syntax_error
  std::string path;
  std::string item;
  std::size_t column = 0;
  std::string message;

  std::string describe(const std::string& source) const;
};

// A questionnaire that cannot be loaded: every problem found, at once.
class DefinitionError : public Error {
 public:
  DefinitionError(std::string source, std::vector<Problem> problems);
  const std::string& source() const { return source_; }
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  std::string source_;
  std::vector<Problem> problems_;
};

// A response document that is not even shaped like a response (not JSON, not
// an object, `answers` missing). Problems with the answers themselves are
// validation issues, not exceptions.
class ResponseError : public Error {
 public:
  using Error::Error;
};

}  // namespace sipas::questionnaires
