#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipas::questionnaires {

class Questionnaire;

// One element of a multiple-choice answer as sent: a code of either type, or
// something else (reported as a wrong type).
struct RawCode {
  enum class Kind : std::uint8_t { Integer, String, Other };
  Kind kind = Kind::Other;
  std::int64_t integer = 0;
  std::string text;
};

// An answer as the respondent sent it, before it is checked against the item.
// Keeping the raw shape lets validation say exactly what was wrong.
struct RawAnswer {
  enum class Kind : std::uint8_t { Absent, Integer, Number, String, Boolean, Array, Object };
  Kind kind = Kind::Absent;
  std::int64_t integer = 0;
  double number = 0;
  std::string text;
  std::vector<RawCode> codes;

  static RawAnswer of_integer(std::int64_t v) {
    RawAnswer a;
    a.kind = Kind::Integer;
    a.integer = v;
    a.number = static_cast<double>(v);
    return a;
  }
  static RawAnswer of_number(double v) {
    RawAnswer a;
    a.kind = Kind::Number;
    a.number = v;
    return a;
  }
  static RawAnswer of_string(std::string v) {
    RawAnswer a;
    a.kind = Kind::String;
    a.text = std::move(v);
    return a;
  }
  static RawAnswer of_codes(std::vector<RawCode> v) {
    RawAnswer a;
    a.kind = Kind::Array;
    a.codes = std::move(v);
    return a;
  }
  bool absent() const { return kind == Kind::Absent; }
};

// A response to one questionnaire: answers by item slot, plus any ids that the
// questionnaire does not have.
struct Response {
  std::string questionnaire;  // empty when the document did not say
  std::string version;
  std::string language;  // empty: the questionnaire's first language
  std::string submission_id;
  std::vector<RawAnswer> answers;          // by slot; size == items().size()
  std::vector<std::string> unknown_items;  // answered ids the questionnaire lacks

  // An empty response sized for `q`.
  static Response empty_for(const Questionnaire& q);
  void set(const Questionnaire& q, std::string_view item, RawAnswer answer);
};

// Reads a response document (FORMAT.md, "Responses"). Throws ResponseError
// (response.malformed, response.unknown_field) when the document itself is not
// shaped like a response; problems with answers are left to validation.
Response parse_response(const Questionnaire& q, std::string_view json_text);

// The response as a JSON document (FORMAT.md, "Responses"), as a client would
// send it; parse_response() reads it back to an equal response. Unanswered
// items are left out. An id in unknown_items is written with the answer 1 (the
// value sent is not kept); a Boolean answer as true, an Object one as {}.
std::string response_to_json(const Questionnaire& q, const Response& response);

}  // namespace sipas::questionnaires
