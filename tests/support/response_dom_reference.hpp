#pragma once

// parse_response and response_to_json as they were before 2d6adc6, on
// nlohmann's DOM: the independent reference of the tests of the SAX reader
// and direct writer (tests/questionnaires/response_json_test.cpp) and the
// "before" of their benchmark (bench/validate_bench.cpp).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "questionnaires/error.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"

namespace sipas::test::dom_reference {

using namespace sipas::questionnaires;
using Json = nlohmann::json;

inline RawCode reference_code(const Json& v) {
  RawCode code;
  if (v.is_number_integer()) {
    code.kind = RawCode::Kind::Integer;
    code.integer = v.get<std::int64_t>();
  } else if (v.is_string()) {
    code.kind = RawCode::Kind::String;
    code.text = v.get<std::string>();
  }
  return code;
}

inline RawAnswer reference_answer(const Json& v) {
  switch (v.type()) {
    case Json::value_t::number_integer:
      return RawAnswer::of_integer(v.get<std::int64_t>());
    case Json::value_t::number_unsigned: {
      auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX))
        return RawAnswer::of_number(static_cast<double>(u));
      return RawAnswer::of_integer(static_cast<std::int64_t>(u));
    }
    case Json::value_t::number_float:
      return RawAnswer::of_number(v.get<double>());
    case Json::value_t::string:
      return RawAnswer::of_string(v.get<std::string>());
    case Json::value_t::boolean: {
      RawAnswer a;
      a.kind = RawAnswer::Kind::Boolean;
      return a;
    }
    case Json::value_t::array: {
      std::vector<RawCode> codes;
      codes.reserve(v.size());
      for (const auto& e : v)
        codes.push_back(reference_code(e));
      return RawAnswer::of_codes(std::move(codes));
    }
    case Json::value_t::null:
      return RawAnswer{};
    default: {
      RawAnswer a;
      a.kind = RawAnswer::Kind::Object;
      return a;
    }
  }
}

inline std::string reference_string_field(const Json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end()) return {};
  if (!it->is_string()) {
    throw ResponseError("response.malformed", std::string("'") + key + "' must be a string");
  }
  return it->get<std::string>();
}

inline Response reference_parse(const Questionnaire& q, std::string_view json_text) {
  Json doc;
  try {
    doc = Json::parse(json_text);
  } catch (const Json::parse_error& e) {
    std::string what = e.what();
    auto detail = what.find("syntax error");
    throw ResponseError("response.malformed",
                        "not valid JSON (byte " + std::to_string(e.byte) +
                            "): " + (detail == std::string::npos ? what : what.substr(detail)));
  } catch (const Json::out_of_range& e) {
    const std::string what = e.what();
    throw ResponseError("response.malformed", "not valid JSON: " + what.substr(what.find(']') + 2));
  }
  if (!doc.is_object())
    throw ResponseError("response.malformed", "a response must be a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (key != "questionnaire" && key != "version" && key != "language" && key != "answers" &&
        key != "submission_id" && key != "meta") {
      throw ResponseError("response.unknown_field", "unknown field '" + key + "' in the response");
    }
  }
  Response r = Response::empty_for(q);
  r.questionnaire = reference_string_field(doc, "questionnaire");
  r.version = reference_string_field(doc, "version");
  r.language = reference_string_field(doc, "language");
  r.submission_id = reference_string_field(doc, "submission_id");
  auto answers = doc.find("answers");
  if (answers == doc.end() || !answers->is_object()) {
    throw ResponseError("response.malformed", "'answers' must be an object {item id: answer}");
  }
  for (const auto& [id, value] : answers->items())
    r.set(q, id, reference_answer(value));
  return r;
}

inline std::string reference_to_json(const Questionnaire& q, const Response& response) {
  Json doc = Json::object();
  doc["questionnaire"] = response.questionnaire;
  doc["version"] = response.version;
  if (!response.language.empty()) doc["language"] = response.language;
  if (!response.submission_id.empty()) doc["submission_id"] = response.submission_id;
  Json answers = Json::object();
  const auto& items = q.items();
  for (std::size_t slot = 0; slot < response.answers.size() && slot < items.size(); ++slot) {
    const RawAnswer& a = response.answers[slot];
    Json& value = answers[items[slot].id];
    switch (a.kind) {
      case RawAnswer::Kind::Absent:
        answers.erase(items[slot].id);
        break;
      case RawAnswer::Kind::Integer:
        value = a.integer;
        break;
      case RawAnswer::Kind::Number:
        value = a.number;
        break;
      case RawAnswer::Kind::String:
        value = a.text;
        break;
      case RawAnswer::Kind::Boolean:
        value = true;
        break;
      case RawAnswer::Kind::Array: {
        value = Json::array();
        for (const auto& c : a.codes) {
          if (c.kind == RawCode::Kind::Integer) {
            value.push_back(c.integer);
          } else if (c.kind == RawCode::Kind::String) {
            value.push_back(c.text);
          } else {
            value.push_back(nullptr);
          }
        }
        break;
      }
      case RawAnswer::Kind::Object:
        value = Json::object();
        break;
    }
  }
  for (const auto& id : response.unknown_items)
    answers[id] = 1;
  doc["answers"] = std::move(answers);
  return doc.dump();
}

}  // namespace sipas::test::dom_reference
