// parse_response and response_to_json against the DOM-based implementation
// they replaced (kept below as the reference): same Response, same bytes, same
// error id and message, over the example responses, generated documents of
// every shape, every error case, and truncated or garbled documents.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "questionnaires/error.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "tests/support/response_dom_reference.hpp"

namespace {

using namespace sipas::questionnaires;
using Json = nlohmann::json;

// The reference: the DOM implementation, as it was (tests/support).
using sipas::test::dom_reference::reference_parse;
using sipas::test::dom_reference::reference_to_json;

// ---- Comparing outcomes. ----

// Every field of a response, numbers by their bits (-0.0 is not 0.0 here).
std::string describe(const Response& r) {
  std::string out = "questionnaire=" + r.questionnaire + " version=" + r.version +
                    " language=" + r.language + " submission_id=" + r.submission_id + "\n";
  for (std::size_t slot = 0; slot < r.answers.size(); ++slot) {
    const RawAnswer& a = r.answers[slot];
    if (a.absent() && a.integer == 0 && a.number == 0 && a.text.empty() && a.codes.empty()) {
      continue;
    }
    char number[64];
    std::snprintf(number, sizeof number, "%a", a.number);
    out += std::to_string(slot) + ": kind " + std::to_string(static_cast<int>(a.kind)) + " int " +
           std::to_string(a.integer) + " num " + number + " text '" + a.text + "' codes [";
    for (const auto& c : a.codes) {
      out += std::to_string(static_cast<int>(c.kind)) + ":" + std::to_string(c.integer) + ":'" +
             c.text + "' ";
    }
    out += "]\n";
  }
  out += "unknown:";
  for (const auto& id : r.unknown_items)
    out += " '" + id + "'";
  return out;
}

template <typename F>
std::string outcome(F&& f) {
  try {
    return "ok " + f();
  } catch (const ResponseError& e) {
    return "ResponseError " + e.id() + ": " + e.what();
  } catch (const Json::exception& e) {
    return "json " + std::to_string(e.id) + ": " + e.what();
  } catch (const std::exception& e) {
    return std::string("other: ") + e.what();
  }
}

std::string parsed_new(const Questionnaire& q, std::string_view text) {
  return outcome([&] { return describe(parse_response(q, text)); });
}
std::string parsed_reference(const Questionnaire& q, std::string_view text) {
  return outcome([&] { return describe(reference_parse(q, text)); });
}

// The same parse both ways and, when it parses, the same document written back.
void expect_same(const Questionnaire& q, std::string_view text) {
  const std::string expected = parsed_reference(q, text);
  ASSERT_EQ(parsed_new(q, text), expected) << "document: " << text;
  if (expected.starts_with("ok ")) {
    const Response r = reference_parse(q, text);
    ASSERT_EQ(outcome([&] { return response_to_json(q, r); }),
              outcome([&] { return reference_to_json(q, r); }))
        << "document: " << text;
  }
}

void expect_same_json(const Questionnaire& q, const Response& r) {
  ASSERT_EQ(outcome([&] { return response_to_json(q, r); }),
            outcome([&] { return reference_to_json(q, r); }))
      << describe(r);
}

// ---- The forms and the example responses. ----

struct Form {
  std::string name;
  Questionnaire q;
};

const std::vector<Form>& forms() {
  static const std::vector<Form> all = [] {
    std::vector<Form> out;
    for (const auto& file : standard_files()) {
      if (file.name.starts_with("forms/") || file.name == "examples/example-questionnaire.json") {
        out.push_back({std::string(file.name), load_questionnaire(file.content, file.name)});
      }
    }
    return out;
  }();
  return all;
}

std::vector<std::string_view> example_responses() {
  std::vector<std::string_view> out;
  for (const auto& file : standard_files()) {
    if (file.name.starts_with("examples/responses/")) out.push_back(file.content);
  }
  return out;
}

// ---- Generated documents. ----

class Generator {
 public:
  Generator(const Questionnaire& q, std::uint64_t seed) : q_(q), rng_(seed) {}

  std::string document() {
    std::string out;
    if (chance(0.01)) return value(2);  // not an object
    out += space() + "{";
    std::vector<std::string> fields;
    for (const char* key : {"questionnaire", "version", "language", "submission_id"}) {
      if (chance(0.8)) fields.push_back(member(key, chance(0.97) ? string() : value(2)));
    }
    fields.push_back(member("answers", chance(0.98) ? answers() : value(2)));
    if (chance(0.3)) fields.push_back(member("meta", value(4)));
    if (chance(0.03)) {
      static const std::vector<std::string> unknown = {"extra", "Answers", "aaa",
                                                       "zzz",   "",        "m\\u00e9ta"};
      fields.push_back(member(pick(unknown), value(1)));
    }
    if (chance(0.1) && !fields.empty()) fields.push_back(fields[below(fields.size())]);
    if (chance(0.05)) {  // a duplicate field with another value
      static const std::vector<std::string> keys = {"questionnaire", "language", "answers",
                                                    "version", "meta"};
      const std::string& key = pick(keys);
      fields.push_back(member(key, key == "answers" && chance(0.7) ? answers() : value(1)));
    }
    std::shuffle(fields.begin(), fields.end(), rng_);
    out += join(fields) + "}" + space();
    return out;
  }

  // A response as a program could build it, with what no document can carry:
  // invalid UTF-8, NaN, unknown ids that are the questionnaire's own ids.
  Response response() {
    Response r = Response::empty_for(q_);
    if (chance(0.05)) r.answers.resize(below(r.answers.size() + 3));
    r.questionnaire = text_value();
    r.version = text_value();
    if (chance(0.5)) r.language = text_value();
    if (chance(0.5)) r.submission_id = text_value();
    for (auto& a : r.answers) {
      if (chance(0.3)) continue;
      a = raw_answer();
    }
    const auto& items = q_.items();
    for (std::size_t n = below(4); n > 0; --n) {
      if (chance(0.3) && !items.empty()) {
        r.unknown_items.push_back(items[below(items.size())].id);
      } else if (chance(0.2) && !r.unknown_items.empty()) {
        r.unknown_items.push_back(r.unknown_items.front());
      } else {
        r.unknown_items.push_back(text_value());
      }
    }
    return r;
  }

 private:
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::size_t below(std::size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }

  std::string space() {
    static const std::vector<std::string> spaces = {"", "", "", " ", "\n", " \t\r\n "};
    return pick(spaces);
  }
  std::string member(const std::string& key, const std::string& v) {
    return space() + "\"" + key + "\"" + space() + ":" + space() + v + space();
  }
  static std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i)
      out += (i ? "," : "") + parts[i];
    return out;
  }

  // A string literal as JSON text: plain, escaped, Vietnamese, astral, control.
  std::string string() {
    static const std::vector<std::string> pieces = {
        "a",       "b",       "Z",       "0",       " ",       "\\\"",    "\\\\",
        "\\/",     "\\b",     "\\f",     "\\n",     "\\r",     "\\t",     "\\u0000",
        "\\u001f", "\\u0007", "\\u00e9", "\\u20ac", "\\u007f", "\\u00A0", "\\ud834\\udd1e",
        "à",       "ộ",       "Hà Nội",  "€",       "𝄞",       "\x7f",    "/",
        "<",       "'"};
    std::string out = "\"";
    for (std::size_t n = below(8); n > 0; --n)
      out += pick(pieces);
    return out + "\"";
  }

  std::string number() {
    static const std::vector<std::string> edges = {"0",
                                                   "-0",
                                                   "1",
                                                   "-1",
                                                   "9223372036854775807",
                                                   "9223372036854775808",
                                                   "-9223372036854775808",
                                                   "-9223372036854775809",
                                                   "18446744073709551615",
                                                   "18446744073709551616",
                                                   "123456789012345678901234567890",
                                                   "1.5",
                                                   "-0.0",
                                                   "0.1",
                                                   "1e308",
                                                   "1E-320",
                                                   "2.5e+3",
                                                   "1e2",
                                                   "-4.9e-324",
                                                   "3.141592653589793"};
    if (chance(0.002)) return "1e400";
    if (chance(0.5)) return std::to_string(static_cast<int>(below(12)) - 1);
    return pick(edges);
  }

  std::string value(int depth) {
    switch (below(depth > 0 ? 9 : 6)) {
      case 0:
      case 1:
        return number();
      case 2:
        return string();
      case 3:
        return chance(0.5) ? "true" : "false";
      case 4:
        return "null";
      case 5:
        return std::to_string(below(6) + 1);
      case 6:
      case 7: {
        std::vector<std::string> elements;
        for (std::size_t n = below(5); n > 0; --n)
          elements.push_back(space() + value(depth - 1) + space());
        return "[" + join(elements) + "]";
      }
      default: {
        std::vector<std::string> members;
        for (std::size_t n = below(4); n > 0; --n)
          members.push_back(member(chance(0.5) ? "k" : "id", value(depth - 1)));
        return "{" + space() + join(members) + "}";
      }
    }
  }

  std::string id() {
    const auto& items = q_.items();
    if (chance(0.85) && !items.empty()) return items[below(items.size())].id;
    static const std::vector<std::string> unknown = {"zz_unknown", "a", "",        "q\\u00e9",
                                                     "Q1",         "q", "\\u0000", "\xc3\xa9"};
    return pick(unknown);
  }

  std::string answers() {
    std::vector<std::string> members;
    for (std::size_t n = below(q_.items().size() + 4); n > 0; --n)
      members.push_back(member(id(), value(3)));
    if (chance(0.2) && !members.empty()) members.push_back(members[below(members.size())]);
    std::shuffle(members.begin(), members.end(), rng_);
    return "{" + space() + join(members) + "}";
  }

  std::string text_value() {
    static const std::vector<std::string> texts = {
        "",        "vi",     "en",           "sipas-citizen",      "2024.2",       "Hà Nội",
        "a\"b\\c", "\b\f\n", "\r\t",         std::string(1, '\0'), "\x01\x1f\x7f", "𝄞€",
        "\xff",    "ab\xc3", "\xed\xa0\x80", "\xc0\xaf",           "</script>",    "zz_unknown"};
    std::string out = pick(texts);
    if (chance(0.2)) out += pick(texts);
    return out;
  }

  RawAnswer raw_answer() {
    switch (below(7)) {
      case 0: {
        static const std::vector<std::int64_t> ints = {0, 1, -1, 42, INT64_MAX, INT64_MIN};
        return RawAnswer::of_integer(pick(ints));
      }
      case 1: {
        static const std::vector<double> numbers = {0.0,
                                                    -0.0,
                                                    1.5,
                                                    0.1,
                                                    1e20,
                                                    1e-320,
                                                    9223372036854775808.0,
                                                    std::numeric_limits<double>::max(),
                                                    std::numeric_limits<double>::quiet_NaN(),
                                                    std::numeric_limits<double>::infinity(),
                                                    -std::numeric_limits<double>::infinity(),
                                                    3.0,
                                                    -2.5e-7};
        return RawAnswer::of_number(pick(numbers));
      }
      case 2:
        return RawAnswer::of_string(text_value());
      case 3: {
        std::vector<RawCode> codes;
        for (std::size_t n = below(4); n > 0; --n) {
          RawCode c;
          c.kind = static_cast<RawCode::Kind>(below(3));
          if (c.kind == RawCode::Kind::Integer) c.integer = static_cast<std::int64_t>(below(7)) - 1;
          if (c.kind == RawCode::Kind::String) c.text = text_value();
          codes.push_back(std::move(c));
        }
        return RawAnswer::of_codes(std::move(codes));
      }
      default: {
        RawAnswer a;
        a.kind = static_cast<RawAnswer::Kind>(below(7));
        return a;
      }
    }
  }

  const Questionnaire& q_;
  std::mt19937_64 rng_;
};

constexpr std::size_t documents_per_form = 400;
constexpr std::uint64_t seed = 20240917;

std::string nested(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

// ---- Tests. ----

TEST(ResponseDocument, ExampleResponsesParseAndWriteAsBefore) {
  ASSERT_FALSE(forms().empty());
  const auto examples = example_responses();
  ASSERT_FALSE(examples.empty());
  for (const auto& form : forms()) {
    for (auto text : examples)
      expect_same(form.q, text);
  }
}

TEST(ResponseDocument, GeneratedDocumentsParseAndWriteAsBefore) {
  std::size_t parsed = 0, refused = 0;
  for (const auto& form : forms()) {
    Generator generate(form.q, seed);
    for (std::size_t i = 0; i < documents_per_form; ++i) {
      const std::string doc = generate.document();
      expect_same(form.q, doc);
      if (HasFatalFailure()) return;
      (parsed_reference(form.q, doc).starts_with("ok ") ? parsed : refused)++;
    }
  }
  // Most documents are responses; the rest exercise the errors.
  EXPECT_GT(parsed, refused * 3);
  EXPECT_GT(refused, 0u);
}

TEST(ResponseDocument, GeneratedResponsesWriteAsBefore) {
  for (const auto& form : forms()) {
    Generator generate(form.q, seed + 1);
    for (std::size_t i = 0; i < documents_per_form; ++i) {
      expect_same_json(form.q, generate.response());
      if (HasFatalFailure()) return;
    }
  }
}

// Invalid UTF-8 makes nlohmann's dump() throw type_error 316: still so.
TEST(ResponseDocument, InvalidUtf8ThrowsAsBefore) {
  const Questionnaire& q = forms().front().q;
  const std::string id = q.items().front().id;
  for (const std::string& bad :
       {std::string("ab\xff"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
        std::string("H\xe1\xbb"), std::string("\xf4\x90\x80\x80"), std::string("ok\x80")}) {
    Response r = Response::empty_for(q);
    r.set(q, id, RawAnswer::of_string(bad));
    EXPECT_THAT(outcome([&] { return response_to_json(q, r); }), ::testing::StartsWith("json 316"));
    expect_same_json(q, r);
    r = Response::empty_for(q);
    r.language = bad;
    expect_same_json(q, r);
    r = Response::empty_for(q);
    r.unknown_items.push_back(bad);
    expect_same_json(q, r);
    r = Response::empty_for(q);
    r.set(q, id, RawAnswer::of_codes({RawCode{RawCode::Kind::String, 0, bad}}));
    expect_same_json(q, r);
  }
}

TEST(ResponseDocument, ErrorsKeepTheirIdAndMessage) {
  const Questionnaire& q = forms().front().q;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"",
       "response.malformed: not valid JSON (byte 1): syntax error while parsing value - "
       "unexpected end of input; expected '[', '{', or a literal"},
      {R"({"answers": {}} x)", ""},
      {R"({"answers": {"q1": 1e400}})",
       "response.malformed: not valid JSON: number overflow parsing '1e400'"},
      {"[]", "response.malformed: a response must be a JSON object"},
      {"\"answers\"", "response.malformed: a response must be a JSON object"},
      {R"({"zzz": 1, "extra": 2, "answers": {}})",
       "response.unknown_field: unknown field 'extra' in the response"},
      {R"({"extra": 1, "answers": 3})",
       "response.unknown_field: unknown field 'extra' in the response"},
      {R"({"questionnaire": 1, "version": 2, "answers": {}})",
       "response.malformed: 'questionnaire' must be a string"},
      {R"({"version": null, "answers": {}})", "response.malformed: 'version' must be a string"},
      {R"({"language": ["vi"], "answers": {}})", "response.malformed: 'language' must be a string"},
      {R"({"submission_id": {}, "answers": {}})",
       "response.malformed: 'submission_id' must be a string"},
      {R"({"submission_id": 5, "answers": 5})",
       "response.malformed: 'submission_id' must be a string"},
      {R"({"questionnaire": "x"})",
       "response.malformed: 'answers' must be an object {item id: answer}"},
      {R"({"answers": []})", "response.malformed: 'answers' must be an object {item id: answer}"},
      {R"({"answers": null})", "response.malformed: 'answers' must be an object {item id: answer}"},
      {R"({"answers": {}, "answers": "x"})",
       "response.malformed: 'answers' must be an object {item id: answer}"},
      {R"({"answers": {"a": [1, }})", ""},
      {R"({"answers": {"a": "\ud834"}})", ""},
      {"{\"answers\": {\"a\": \"\x01\"}}", ""},
      {R"({"zzz": 1, "answers": {} ])", ""},  // the syntax error wins
  };
  for (const auto& [text, expected] : cases) {
    const std::string got = parsed_new(q, text);
    EXPECT_EQ(got, parsed_reference(q, text)) << text;
    if (expected.empty()) {
      EXPECT_THAT(got, ::testing::HasSubstr("not valid JSON (byte ")) << text;
    } else {
      EXPECT_EQ(got, "ResponseError " + expected) << text;
    }
  }
}

// The DOM kept the last value of a key: still so, for fields and answer ids.
TEST(ResponseDocument, DuplicateKeysKeepTheLastValue) {
  const Questionnaire& q = forms().front().q;
  const std::string a = q.items()[0].id, b = q.items()[1].id;
  const std::string doc = R"({"language": "vi", "answers": {"x": 1}, "language": "en", )"
                          R"("answers": {")" +
                          a + R"(": 1, "zz": [1], ")" + b + R"(": "t", ")" + a +
                          R"(": [2, "3"], )"
                          R"("zz": null, "yy": 2, ")" +
                          b + R"(": null}})";
  expect_same(q, doc);
  const Response r = parse_response(q, doc);
  EXPECT_EQ(r.language, "en");
  EXPECT_EQ(r.answers[q.find(a)->slot].kind, RawAnswer::Kind::Array);
  EXPECT_EQ(r.answers[q.find(a)->slot].codes.size(), 2u);
  EXPECT_TRUE(r.answers[q.find(b)->slot].absent());
  EXPECT_THAT(r.unknown_items, ::testing::ElementsAre("yy", "zz"));  // sorted, once each
  expect_same(q, R"({"answers": 1, "answers": {}})");
  expect_same(q, R"({"version": 1, "version": "2", "answers": {}})");
}

TEST(ResponseDocument, AnswersOfEveryShapeAsBefore) {
  for (const auto& form : forms()) {
    const auto& items = form.q.items();
    std::string answers;
    const std::vector<std::string> values = {
        "1",
        "-7",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
        "1.25",
        "-0.0",
        "1e-320",
        "\"text\"",
        "true",
        "false",
        "null",
        "{}",
        "{\"a\": [1, {}]}",
        "[]",
        "[1, \"2\", 2.5, null, true, [1, [2]], {\"a\": [3]}, 18446744073709551615, -3]",
        "[[], {}]",
        "[" + nested(500) + ", 4]"};
    for (std::size_t i = 0; i < items.size(); ++i) {
      answers += (i ? ", \"" : "\"") + items[i].id + "\": " + values[i % values.size()];
    }
    expect_same(form.q, R"({"meta": {"a": [1, {"b": null}]}, "answers": {)" + answers + "}}");
  }
}

// nlohmann's parser is iterative: deep nesting is read, not a stack overflow.
TEST(ResponseDocument, DeepNestingAsBefore) {
  const Questionnaire& q = forms().front().q;
  const std::string id = q.items().front().id;
  const std::string deep = nested(100000);
  for (const std::string& doc :
       {deep, R"({"meta": )" + deep + R"(, "answers": {}})",
        R"({"answers": {")" + id + R"(": )" + deep + "}}",
        R"({"answers": {")" + id + R"(": [1, )" + deep + ", 2]}}", R"({"answers": )" + deep + "}",
        R"({"language": )" + deep + R"(, "answers": {}})",
        R"({"answers": {")" + id + R"(": )" + std::string(100000, '[')}) {
    expect_same(q, doc);
  }
}

// Every prefix of a document, and the document with one byte changed, fails
// (or not) with the same message both ways.
TEST(ResponseDocument, TruncatedAndGarbledDocumentsAsBefore) {
  static const std::string garbage = "}],:\"{[x0\\\x01\xff ";
  std::mt19937_64 rng(seed);
  for (const auto& form : forms()) {
    std::vector<std::string> docs;
    for (const auto& file : standard_files()) {  // the examples of this form
      std::string_view name = file.name;
      if (!name.starts_with("examples/responses/")) continue;
      name.remove_prefix(std::string_view("examples/responses/").size());
      if (form.name.find(name.substr(0, name.rfind('-'))) != std::string::npos) {
        docs.emplace_back(file.content);
      }
    }
    Generator generate(form.q, seed + 2);
    while (docs.size() < 6) {  // short ones: each costs its length squared
      std::string doc = generate.document();
      if (doc.size() < 600) docs.push_back(std::move(doc));
    }
    for (const auto& doc : docs) {
      for (std::size_t n = 0; n < doc.size(); ++n) {
        expect_same(form.q, std::string_view(doc).substr(0, n));
        std::string garbled = doc;
        garbled[n] = garbage[rng() % garbage.size()];
        expect_same(form.q, garbled);
        if (HasFatalFailure()) return;
      }
    }
  }
}

}  // namespace
