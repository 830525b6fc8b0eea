// A posted form becomes a questionnaires::Response (form_submission.hpp):
// answers typed per item so that validation says exactly what is wrong,
// control fields, unknown and preloaded fields, bounds, and the dropping of
// answers that the skip logic hides.

#include "survey_server/form_submission.hpp"
#include "app/hidden_answers.hpp"
#include "io/percent_encoding.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <charconv>

#include "questionnaires/synthetic_responses.hpp"
#include "questionnaires/validation.hpp"
#include "tests/support/forms.hpp"

namespace {

using namespace sipas::survey_server;
using namespace sipas::questionnaires;
using sipas::test::Json;
using sipas::test::text;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

const Questionnaire& example() {
  static const Questionnaire q = load_questionnaire_file(
      sipas::test::source_dir() + "/questionnaires/examples/example-questionnaire.json");
  return q;
}

const Questionnaire& form(const std::string& name) {
  static std::map<std::string, Questionnaire> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    it = cache
             .emplace(name, load_questionnaire_file(sipas::test::source_dir() +
                                                    "/questionnaires/forms/" + name + ".json"))
             .first;
  }
  return it->second;
}

const RawAnswer& answer(const Questionnaire& q, const Response& r, const std::string& id) {
  return r.answers.at(q.find(id)->slot);
}

// The (item, error id) pairs of a response's validation.
std::vector<std::pair<std::string, std::string>> issues(const Questionnaire& q, const Response& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& issue : validate(q, r).issues)
    out.emplace_back(issue.item, issue.id);
  return out;
}

std::string form_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const FormError& e) {
    return e.id();
  }
  return "no error";
}

TEST(ParseForm, ChoiceCodesAreTypedByTheScale) {
  auto s = parse_form(example(), "sex=2&visited=1&service_1=5");
  EXPECT_EQ(answer(example(), s.response, "sex").kind, RawAnswer::Kind::Integer);
  EXPECT_EQ(answer(example(), s.response, "sex").integer, 2);
  // A matrix row is answered under its own id.
  EXPECT_EQ(answer(example(), s.response, "service_1").integer, 5);

  auto letters = sipas::test::load(sipas::test::form_with(Json::array(
      {{{"id", "l"},
        {"type", "single"},
        {"text", text("l")},
        {"choices",
         {{{"code", "a"}, {"label", text("a")}}, {{"code", "b"}, {"label", text("b")}}}}},
       {{"id", "n"},
        {"type", "single"},
        {"text", text("n")},
        {"choices",
         {{{"code", "7"}, {"label", text("seven")}},
          {{"code", "8"}, {"label", text("eight")}}}}}})));
  auto l = parse_form(letters, "l=b&n=7");
  EXPECT_EQ(answer(letters, l.response, "l").kind, RawAnswer::Kind::String);
  EXPECT_EQ(answer(letters, l.response, "l").text, "b");
  // "7" is a string code there: it stays a string and matches.
  EXPECT_EQ(answer(letters, l.response, "n").kind, RawAnswer::Kind::String);
  EXPECT_THAT(issues(letters, l.response), IsEmpty());
}

TEST(ParseForm, ANonNumericValueForAnIntegerCodedItemIsAWrongType) {
  auto s = parse_form(example(), "sex=abc");
  EXPECT_EQ(answer(example(), s.response, "sex").kind, RawAnswer::Kind::String);
  EXPECT_THAT(issues(example(), s.response),
              ::testing::Contains(Pair("sex", "response.wrong_type")));
  // An integer that is not a choice is an unknown code.
  auto t = parse_form(example(), "sex=3");
  EXPECT_THAT(issues(example(), t.response),
              ::testing::Contains(Pair("sex", "response.unknown_code")));
}

TEST(ParseForm, MultipleChoiceRepeatsTheName) {
  auto s = parse_form(example(), "channels=1&channels=3&channels=");
  const auto& a = answer(example(), s.response, "channels");
  ASSERT_EQ(a.kind, RawAnswer::Kind::Array);
  ASSERT_EQ(a.codes.size(), 2u);
  EXPECT_EQ(a.codes[0].kind, RawCode::Kind::Integer);
  EXPECT_EQ(a.codes[0].integer, 1);
  EXPECT_EQ(a.codes[1].integer, 3);
  auto duplicate = parse_form(example(), "channels=1&channels=1");
  EXPECT_THAT(issues(example(), duplicate.response),
              ::testing::Contains(Pair("channels", "response.duplicate_selection")));
  auto word = parse_form(example(), "channels=x");
  EXPECT_THAT(issues(example(), word.response),
              ::testing::Contains(Pair("channels", "response.wrong_type")));
}

TEST(ParseForm, NumbersAreParsedStrictly) {
  const auto& q = example();
  auto kind = [&](const std::string& body, const std::string& id) {
    return answer(q, parse_form(q, body).response, id).kind;
  };
  EXPECT_EQ(kind("age=42", "age"), RawAnswer::Kind::Integer);
  EXPECT_EQ(kind("age=%2B42", "age"), RawAnswer::Kind::String);
  EXPECT_EQ(kind("age=+42", "age"), RawAnswer::Kind::Integer);  // '+' is a space
  EXPECT_EQ(kind("age=-3", "age"), RawAnswer::Kind::Integer);
  EXPECT_EQ(kind("age=%2042%09", "age"), RawAnswer::Kind::Integer);  // spaces and tabs trimmed
  EXPECT_EQ(kind("age=4e1", "age"), RawAnswer::Kind::String);
  EXPECT_EQ(kind("age=0x10", "age"), RawAnswer::Kind::String);
  EXPECT_EQ(kind("age=99999999999999999999", "age"), RawAnswer::Kind::String);
  EXPECT_EQ(kind("height=1.75", "height"), RawAnswer::Kind::Number);
  EXPECT_EQ(kind("height=1,75", "height"), RawAnswer::Kind::String);
  EXPECT_EQ(kind("height=.5", "height"), RawAnswer::Kind::String);
  EXPECT_EQ(kind("height=2.", "height"), RawAnswer::Kind::String);
  EXPECT_EQ(kind("height=inf", "height"), RawAnswer::Kind::String);
  EXPECT_EQ(answer(q, parse_form(q, "height=1.75").response, "height").number, 1.75);

  EXPECT_THAT(issues(q, parse_form(q, "age=4e1").response),
              ::testing::Contains(Pair("age", "response.wrong_type")));
  // 2.5 reads as a number, and validation says a whole number was expected.
  EXPECT_THAT(issues(q, parse_form(q, "age=2.5").response),
              ::testing::Contains(Pair("age", "response.wrong_type")));
  EXPECT_THAT(issues(q, parse_form(q, "height=1,75").response),
              ::testing::Contains(Pair("height", "response.wrong_type")));
  EXPECT_THAT(issues(q, parse_form(q, "age=7").response),
              ::testing::Contains(Pair("age", "response.out_of_range")));
}

TEST(ParseForm, AnEmptyValueIsNoAnswer) {
  const auto& q = example();
  auto s = parse_form(q, "age=&sex=&phone=&channels=&height=%20");
  for (const char* id : {"age", "sex", "phone", "channels", "height"}) {
    EXPECT_TRUE(answer(q, s.response, id).absent()) << id;
  }
  EXPECT_THAT(issues(q, s.response), ::testing::Contains(Pair("age", "response.required_missing")));
}

TEST(ParseForm, TextIsKeptAsTypedWithLineBreaksAsLf) {
  const auto& q = example();
  auto s = parse_form(q, "phone=+0912+&comments=a%0D%0Ab%0D%0A%0D%0Ac%0D&visit_date=+2024-05-01+");
  EXPECT_EQ(answer(q, s.response, "phone").text, " 0912 ");
  EXPECT_EQ(answer(q, s.response, "comments").text, "a\nb\n\nc\r");
  EXPECT_EQ(answer(q, s.response, "visit_date").text, "2024-05-01");
}

TEST(ParseForm, ControlFields) {
  const auto& q = example();
  auto s = parse_form(q, "_submission=abc-123&_action=save&_lang=en&_future=1&age=40");
  EXPECT_EQ(s.submission_id, "abc-123");
  EXPECT_EQ(s.response.submission_id, "abc-123");
  EXPECT_EQ(s.action, "save");
  EXPECT_EQ(s.response.language, "en");
  EXPECT_EQ(s.response.questionnaire, "example");
  EXPECT_EQ(s.response.version, "1");
  EXPECT_THAT(s.response.unknown_items, IsEmpty());  // _future is ignored

  auto plain = parse_form(q, "age=40");
  EXPECT_EQ(plain.action, "submit");
  EXPECT_EQ(plain.submission_id, "");
  EXPECT_EQ(plain.response.language, "");
  EXPECT_EQ(parse_form(q, "_action=submit").action, "submit");
  EXPECT_EQ(form_error([&] { parse_form(q, "_action=delete"); }), "form.malformed");
  EXPECT_FALSE(plain.page);
}

TEST(ParseForm, PageButtonsAndThePagePosted) {
  const auto& q = example();
  auto next = parse_form(q, "_action=next&_page=2&age=40");
  EXPECT_EQ(next.action, "next");
  EXPECT_EQ(next.page, std::optional<std::size_t>(2));
  EXPECT_EQ(parse_form(q, "_action=back&_page=1").action, "back");
  EXPECT_EQ(parse_form(q, "_page=%202%20").page, std::optional<std::size_t>(2));
  for (const char* bad :
       {"_page=0", "_page=-1", "_page=two", "_page=", "_page=1.5", "_page=99999999999999999999"}) {
    EXPECT_EQ(form_error([&] { parse_form(q, bad); }), "form.malformed") << bad;
  }
}

TEST(ParseForm, UnknownNamesAreReportedOnce) {
  const auto& q = example();
  auto s = parse_form(q, "zzz=1&zzz=2&age=40&other=");
  EXPECT_THAT(s.response.unknown_items, ElementsAre("zzz", "other"));
  EXPECT_THAT(issues(q, s.response), ::testing::Contains(Pair("zzz", "response.unknown_item")));
}

// "visit" is a section of the example questionnaire, not an item: a field of
// that name crashed the server before Questionnaire::find ignored sections.
TEST(ParseForm, AFieldNamedAfterASectionIsAnUnknownItem) {
  const auto& q = example();
  auto s = parse_form(q, "visit=1&age=40");
  EXPECT_THAT(s.response.unknown_items, ElementsAre("visit"));
  EXPECT_THAT(issues(q, s.response), ::testing::Contains(Pair("visit", "response.unknown_item")));
}

TEST(ParseForm, ItemsThatTakeNoAnswerAreReported) {
  const auto& q = example();
  auto s = parse_form(q, "welcome=hi&age_months=5&service=1");
  EXPECT_THAT(issues(q, s.response),
              ::testing::IsSupersetOf({Pair("welcome", "response.not_answerable"),
                                       Pair("age_months", "response.not_answerable"),
                                       Pair("service", "response.not_answerable")}));
}

TEST(ParseForm, ASecondValueForASingleAnswerIsAWrongType) {
  const auto& q = example();
  auto s = parse_form(q, "sex=1&sex=2&age=40&age=41&phone=a&phone=b");
  EXPECT_THAT(issues(q, s.response),
              ::testing::IsSupersetOf({Pair("age", "response.wrong_type"),
                                       Pair("sex", "response.wrong_type"),
                                       Pair("phone", "response.wrong_type")}));
}

TEST(ParseForm, PreloadedItemsAreNotTakenFromTheForm) {
  const auto& q = form("par-officials");
  const Item* preload = nullptr;
  for (const auto& item : q.items()) {
    if (item.preload_invitation) preload = &item;
  }
  ASSERT_NE(preload, nullptr);
  auto s = parse_form(q, preload->id + "=forged");
  EXPECT_TRUE(s.response.answers[preload->slot].absent());
  EXPECT_THAT(s.response.unknown_items, IsEmpty());
}

TEST(ParseForm, RejectsMalformedBodiesAndTooManyFields) {
  const auto& q = example();
  EXPECT_EQ(form_error([&] { parse_form(q, "phone=%FF"); }), "form.malformed");
  EXPECT_EQ(form_error([&] { parse_form(q, "phone=%4"); }), "form.malformed");
  std::size_t limit = max_form_fields(q);
  // Every field the page can send, plus the three controls, fits.
  EXPECT_GE(limit, q.items().size() + 5 + 3);
  std::string body;
  for (std::size_t i = 0; i <= limit; ++i)
    body += "age=1&";
  EXPECT_EQ(form_error([&] { parse_form(q, body); }), "form.too_many_fields");
}

// The body a browser would post for a response (every answer as form fields).
std::string as_form_body(const Questionnaire& q, const Response& r) {
  std::string body = "_submission=s1&_lang=" + sipas::io::percent_encode(r.language);
  for (const auto& item : q.items()) {
    const RawAnswer& a = r.answers[item.slot];
    auto add = [&](const std::string& value) {
      body += "&" + sipas::io::percent_encode(item.id) + "=" + sipas::io::percent_encode(value);
    };
    switch (a.kind) {
      case RawAnswer::Kind::Integer:
        add(std::to_string(a.integer));
        break;
      case RawAnswer::Kind::Number: {
        char buffer[32];
        auto [end, ec] =
            std::to_chars(buffer, buffer + sizeof buffer, a.number, std::chars_format::fixed);
        add(std::string(buffer, end));
        break;
      }
      case RawAnswer::Kind::String:
        add(a.text);
        break;
      case RawAnswer::Kind::Array:
        for (const auto& c : a.codes)
          add(c.kind == RawCode::Kind::Integer ? std::to_string(c.integer) : c.text);
        break;
      default:
        break;
    }
  }
  return body;
}

TEST(ParseForm, ValidResponsesSurviveTheFormRoundTrip) {
  for (const Questionnaire* q : {&example(), &form("sipas-citizen"), &form("par-officials")}) {
    for (auto& r : generate_valid_responses(*q, 40, 20260101)) {
      auto s = parse_form(*q, as_form_body(*q, r));
      // Preloaded values come from the invitation, not the form.
      for (const auto& item : q->items()) {
        if (item.preload_invitation) s.response.answers[item.slot] = r.answers[item.slot];
      }
      EXPECT_THAT(issues(*q, s.response), IsEmpty()) << q->id();
      r.questionnaire = q->id();
      r.version = q->version();
      r.submission_id = "s1";
      EXPECT_EQ(Json::parse(response_to_json(*q, s.response)), Json::parse(response_to_json(*q, r)))
          << q->id();
    }
  }
}

TEST(DropHiddenAnswers, DropsAnswersToSkippedItemsAndSections) {
  const auto& q = example();
  auto s = parse_form(q,
                      "age=40&sex=1&channels=1&channels_other=radio&visited=2&visit_date=2024-05-"
                      "01&service_1=5&ease=3");
  EXPECT_THAT(issues(q, s.response),
              ::testing::Contains(Pair("channels_other", "response.not_relevant")));
  auto dropped = sipas::app::drop_hidden_answers(q, s.response);
  EXPECT_THAT(dropped, UnorderedElementsAre("channels_other", "visit_date", "service_1", "ease"));
  EXPECT_TRUE(answer(q, s.response, "channels_other").absent());
  EXPECT_FALSE(answer(q, s.response, "age").absent());
  EXPECT_THAT(issues(q, s.response), IsEmpty());
  EXPECT_THAT(sipas::app::drop_hidden_answers(q, s.response), IsEmpty());
}

TEST(DropHiddenAnswers, KeepsAnswersWhoseRelevanceReadsAnInvalidAnswer) {
  auto q = sipas::test::load(sipas::test::form_with(Json::array(
      {{{"id", "n"}, {"type", "integer"}, {"text", text("n")}},
       {{"id", "follow"}, {"type", "text"}, {"text", text("follow")}, {"relevant", "${n} > 3"}}})));
  auto invalid = parse_form(q, "n=abc&follow=x");
  EXPECT_THAT(sipas::app::drop_hidden_answers(q, invalid.response), IsEmpty());
  EXPECT_FALSE(answer(q, invalid.response, "follow").absent());
  EXPECT_THAT(issues(q, invalid.response), ElementsAre(Pair("n", "response.wrong_type")));

  auto hidden = parse_form(q, "n=1&follow=x");
  EXPECT_THAT(sipas::app::drop_hidden_answers(q, hidden.response), ElementsAre("follow"));
  auto shown = parse_form(q, "n=5&follow=x");
  EXPECT_THAT(sipas::app::drop_hidden_answers(q, shown.response), IsEmpty());
}

TEST(DropHiddenAnswers, WorksPastTheCapOnReportedIssues) {
  // More hidden answers than validation lists at once.
  Json items = Json::array({{{"id", "gate"}, {"type", "integer"}, {"text", text("gate")}}});
  std::string body = "gate=0";
  for (int i = 0; i < 1100; ++i) {
    std::string id = "t" + std::to_string(i);
    items.push_back(
        {{"id", id}, {"type", "text"}, {"text", text(id)}, {"relevant", "${gate} = 1"}});
    body += "&" + id + "=x";
  }
  auto q = sipas::test::load(sipas::test::form_with(items));
  auto s = parse_form(q, body);
  EXPECT_EQ(sipas::app::drop_hidden_answers(q, s.response).size(), 1100u);
  EXPECT_THAT(issues(q, s.response), IsEmpty());
}

}  // namespace
