#include "questionnaires/response.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "io/utf8.hpp"
#include "questionnaires/error.hpp"
#include "questionnaires/questionnaire.hpp"

namespace sipas::questionnaires {
namespace {

using Json = nlohmann::json;

// The top-level fields of a response document.
enum class Field : std::uint8_t { Questionnaire, Version, Language, SubmissionId, Answers, Meta };
constexpr std::size_t string_fields = 4;  // the first four of Field
constexpr const char* field_names[string_fields] = {"questionnaire", "version", "language",
                                                    "submission_id"};

// A string field as last sent (a later duplicate key replaces it, as in the DOM).
struct StringField {
  bool present = false;
  bool is_string = false;
  std::string value;
};

// Fills a Response from nlohmann's SAX events, without building its DOM (the
// largest cost of a submission). Shape errors are only noted while reading and
// reported once the whole document has parsed, in the DOM reader's order, so a
// syntax error anywhere still wins. nlohmann's SAX parser is iterative: depth
// costs no stack. Depth 1 is inside the root object, 2 inside `answers`, 3
// inside one answer's array.
class ResponseReader {
 public:
  ResponseReader(const Questionnaire& q, Response& r) : q_(q), r_(r) {}

  bool null() { return scalar(RawAnswer{}, RawCode{}); }
  bool boolean(bool) {
    RawAnswer a;
    a.kind = RawAnswer::Kind::Boolean;
    return scalar(std::move(a), RawCode{});
  }
  bool number_integer(std::int64_t v) { return scalar(RawAnswer::of_integer(v), integer_code(v)); }
  bool number_unsigned(std::uint64_t v) {
    // As the DOM's get<std::int64_t>(): a code above INT64_MAX wraps.
    RawCode code = integer_code(static_cast<std::int64_t>(v));
    if (v > static_cast<std::uint64_t>(INT64_MAX)) {
      return scalar(RawAnswer::of_number(static_cast<double>(v)), std::move(code));
    }
    return scalar(RawAnswer::of_integer(static_cast<std::int64_t>(v)), std::move(code));
  }
  bool number_float(double v, const std::string&) {
    return scalar(RawAnswer::of_number(v), RawCode{});
  }
  bool string(std::string& v) {
    if (depth_ == 1 && root_object_) {
      top_value(&v);
    } else if (depth_ == 2 && in_answers_) {
      if (target_) *target_ = RawAnswer::of_string(std::move(v));
    } else if (depth_ == 3 && in_codes_) {
      RawCode code;
      code.kind = RawCode::Kind::String;
      code.text = std::move(v);
      codes_.push_back(std::move(code));
    }
    return true;
  }
  bool binary(Json::binary_t&) { return true; }  // not in JSON text

  bool start_object(std::size_t) { return open(true); }
  bool start_array(std::size_t) { return open(false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string& k) {
    if (depth_ == 1 && root_object_) {
      field_ = classify(k);
    } else if (depth_ == 2 && in_answers_) {
      const Item* item = q_.find(k);
      target_ = item ? &r_.answers[item->slot] : nullptr;
      if (!item) unknown_ids_.push_back(k);  // its value is not kept
    }
    return true;
  }

  // The messages of the DOM reader, from the same exception objects.
  template <typename Exception>
  bool parse_error(std::size_t, const std::string&, const Exception& e) {
    if constexpr (std::is_same_v<Exception, Json::parse_error>) {
      std::string what = e.what();
      auto detail = what.find("syntax error");
      throw ResponseError("response.malformed",
                          "not valid JSON (byte " + std::to_string(e.byte) +
                              "): " + (detail == std::string::npos ? what : what.substr(detail)));
    } else if constexpr (std::is_same_v<Exception, Json::out_of_range>) {
      // A number past a double's range (1e400) is not a parse_error.
      const std::string what = e.what();
      throw ResponseError("response.malformed",
                          "not valid JSON: " + what.substr(what.find(']') + 2));
    } else {
      throw e;  // escaped the DOM reader too
    }
  }

  // The checks of the DOM reader, in its order, once the document has parsed.
  void finish() {
    if (!root_object_) {
      throw ResponseError("response.malformed", "a response must be a JSON object");
    }
    if (unknown_field_) {
      throw ResponseError("response.unknown_field",
                          "unknown field '" + *unknown_field_ + "' in the response");
    }
    std::string* targets[string_fields] = {&r_.questionnaire, &r_.version, &r_.language,
                                           &r_.submission_id};
    for (std::size_t i = 0; i < string_fields; ++i) {
      if (!strings_[i].present) continue;
      if (!strings_[i].is_string) {
        throw ResponseError("response.malformed",
                            std::string("'") + field_names[i] + "' must be a string");
      }
      *targets[i] = std::move(strings_[i].value);
    }
    if (!answers_object_) {
      throw ResponseError("response.malformed", "'answers' must be an object {item id: answer}");
    }
    // The DOM gave each unknown id once, in its key order.
    std::sort(unknown_ids_.begin(), unknown_ids_.end());
    unknown_ids_.erase(std::unique(unknown_ids_.begin(), unknown_ids_.end()), unknown_ids_.end());
    r_.unknown_items = std::move(unknown_ids_);
  }

 private:
  static RawCode integer_code(std::int64_t v) {
    RawCode code;
    code.kind = RawCode::Kind::Integer;
    code.integer = v;
    return code;
  }

  // An unknown field is reported by its key; the DOM met the least one first.
  std::optional<Field> classify(const std::string& k) {
    static constexpr std::pair<std::string_view, Field> known[] = {
        {"questionnaire", Field::Questionnaire},
        {"version", Field::Version},
        {"language", Field::Language},
        {"submission_id", Field::SubmissionId},
        {"answers", Field::Answers},
        {"meta", Field::Meta}};
    for (const auto& [name, field] : known) {
      if (k == name) return field;
    }
    if (!unknown_field_ || k < *unknown_field_) unknown_field_ = k;
    return std::nullopt;
  }

  // A top-level value: `text` when it is a string.
  void top_value(std::string* text) {
    if (!field_) return;
    const auto f = static_cast<std::size_t>(*field_);
    if (f < string_fields) {
      StringField& s = strings_[f];
      s.present = true;
      s.is_string = text != nullptr;
      if (text) s.value = std::move(*text);
    } else if (*field_ == Field::Answers) {
      answers_object_ = false;
    }
  }

  bool scalar(RawAnswer&& answer, RawCode&& code) {
    if (depth_ == 1 && root_object_) {
      top_value(nullptr);
    } else if (depth_ == 2 && in_answers_) {
      if (target_) *target_ = std::move(answer);
    } else if (depth_ == 3 && in_codes_) {
      codes_.push_back(std::move(code));
    }
    return true;
  }

  bool open(bool object) {
    if (depth_ == 0) {
      root_object_ = object;
    } else if (depth_ == 1 && root_object_) {
      top_value(nullptr);
      if (field_ == Field::Answers && object) {
        // A later `answers` replaces an earlier one whole.
        answers_object_ = in_answers_ = true;
        r_.answers.assign(q_.items().size(), RawAnswer{});
        unknown_ids_.clear();
      }
    } else if (depth_ == 2 && in_answers_ && target_) {
      if (object) {
        RawAnswer a;
        a.kind = RawAnswer::Kind::Object;
        *target_ = std::move(a);
      } else {
        in_codes_ = true;
        codes_.clear();
      }
    } else if (depth_ == 3 && in_codes_) {
      codes_.emplace_back();  // a nested array or object: one wrong code
    }
    ++depth_;
    return true;
  }

  bool close() {
    --depth_;
    if (depth_ == 1) {
      in_answers_ = false;
    } else if (depth_ == 2 && in_codes_) {
      *target_ = RawAnswer::of_codes(std::move(codes_));
      codes_ = {};
      in_codes_ = false;
    }
    return true;
  }

  const Questionnaire& q_;
  Response& r_;
  std::size_t depth_ = 0;
  bool root_object_ = false;
  std::optional<Field> field_;  // the current top-level key; none when unknown
  std::optional<std::string> unknown_field_;
  StringField strings_[string_fields];
  bool answers_object_ = false;
  bool in_answers_ = false;
  RawAnswer* target_ = nullptr;  // the current answer's slot; none for an unknown id
  bool in_codes_ = false;
  std::vector<RawCode> codes_;
  std::vector<std::string> unknown_ids_;
};

// The DOM writer this file had. Kept for a response holding invalid UTF-8,
// which nlohmann's dump() refuses with type_error 316: app/ and demo/ callers
// may pass any Response, and they get that very exception.
std::string response_to_json_dom(const Questionnaire& q, const Response& response) {
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

// Writes JSON text byte for byte as nlohmann's dump() with its defaults.
class JsonWriter {
 public:
  explicit JsonWriter(std::size_t reserve) { out_.reserve(reserve); }

  // dump()'s escapes (ensure_ascii off: bytes from 0x7f up stay raw). False
  // when `s` is not valid UTF-8, which dump() would refuse.
  bool string(std::string_view s) {
    out_ += '"';
    bool ascii = true;
    std::size_t run = 0;  // start of the bytes not yet written
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x80) {
        ascii = false;
        continue;
      }
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out_.append(s, run, i - run);
      run = i + 1;
      escape(c);
    }
    out_.append(s, run, s.size() - run);
    out_ += '"';
    return ascii || io::is_valid_utf8(s);
  }

  void integer(std::int64_t v) {
    char buffer[24];
    auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
    out_.append(buffer, end);
  }

  // dump()'s own formatting (shortest round trip, ".0", null for NaN); rare.
  void number(double v) { out_ += Json(v).dump(); }

  void raw(std::string_view text) { out_ += text; }
  void raw(char c) { out_ += c; }
  std::string take() { return std::move(out_); }

 private:
  void escape(unsigned char c) {
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\b':
        out_ += "\\b";
        break;
      case '\f':
        out_ += "\\f";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default: {
        static constexpr char hex[] = "0123456789abcdef";
        const char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
        out_.append(u, sizeof u);
      }
    }
  }

  std::string out_;
};

// One key of `answers`: an answer, or an unknown id (written as 1).
struct AnswerEntry {
  std::string_view id;
  const RawAnswer* answer;  // nullptr: an unknown id
};

}  // namespace

Response Response::empty_for(const Questionnaire& q) {
  Response r;
  r.answers.resize(q.items().size());
  return r;
}

void Response::set(const Questionnaire& q, std::string_view item, RawAnswer answer) {
  if (const Item* found = q.find(item)) {
    answers[found->slot] = std::move(answer);
  } else {
    unknown_items.emplace_back(item);
  }
}

Response parse_response(const Questionnaire& q, std::string_view json_text) {
  Response r = Response::empty_for(q);
  ResponseReader reader(q, r);
  Json::sax_parse(json_text, &reader);  // strict, as Json::parse: errors throw
  reader.finish();
  return r;
}

std::string response_to_json(const Questionnaire& q, const Response& response) {
  const auto& items = q.items();
  const std::size_t slots = std::min(response.answers.size(), items.size());
  std::vector<AnswerEntry> entries;
  entries.reserve(slots + response.unknown_items.size());
  std::size_t size = 96 + response.questionnaire.size() + response.version.size() +
                     response.language.size() + response.submission_id.size();
  for (std::size_t slot = 0; slot < slots; ++slot) {
    const RawAnswer& a = response.answers[slot];
    if (a.absent()) continue;
    entries.push_back({items[slot].id, &a});
    size += items[slot].id.size() + 8 + a.text.size() + 8 * a.codes.size();
  }
  for (const auto& id : response.unknown_items) {
    entries.push_back({id, nullptr});
    size += id.size() + 6;
  }
  // The DOM's keys, sorted and once each. Item ids are unique, so an id sent
  // twice is an unknown one, or an unknown id equal to an item's; the DOM
  // wrote unknown ids last, so the last of equal ids wins.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const AnswerEntry& a, const AnswerEntry& b) { return a.id < b.id; });

  JsonWriter w(size);
  bool valid = true;
  w.raw("{\"answers\":{");
  bool first = true;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i + 1 < entries.size() && entries[i + 1].id == entries[i].id) continue;
    if (!first) w.raw(',');
    first = false;
    valid &= w.string(entries[i].id);
    w.raw(':');
    const RawAnswer* a = entries[i].answer;
    if (!a) {
      w.raw('1');
      continue;
    }
    switch (a->kind) {
      case RawAnswer::Kind::Absent:
        break;
      case RawAnswer::Kind::Integer:
        w.integer(a->integer);
        break;
      case RawAnswer::Kind::Number:
        w.number(a->number);
        break;
      case RawAnswer::Kind::String:
        valid &= w.string(a->text);
        break;
      case RawAnswer::Kind::Boolean:
        w.raw("true");
        break;
      case RawAnswer::Kind::Array: {
        w.raw('[');
        for (std::size_t c = 0; c < a->codes.size(); ++c) {
          if (c) w.raw(',');
          const RawCode& code = a->codes[c];
          if (code.kind == RawCode::Kind::Integer) {
            w.integer(code.integer);
          } else if (code.kind == RawCode::Kind::String) {
            valid &= w.string(code.text);
          } else {
            w.raw("null");
          }
        }
        w.raw(']');
        break;
      }
      case RawAnswer::Kind::Object:
        w.raw("{}");
        break;
    }
  }
  w.raw('}');
  if (!response.language.empty()) {
    w.raw(",\"language\":");
    valid &= w.string(response.language);
  }
  w.raw(",\"questionnaire\":");
  valid &= w.string(response.questionnaire);
  if (!response.submission_id.empty()) {
    w.raw(",\"submission_id\":");
    valid &= w.string(response.submission_id);
  }
  w.raw(",\"version\":");
  valid &= w.string(response.version);
  w.raw('}');
  if (!valid) return response_to_json_dom(q, response);
  return w.take();
}

}  // namespace sipas::questionnaires
