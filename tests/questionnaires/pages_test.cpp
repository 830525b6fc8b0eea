// The pages of the web form (pages.hpp): where they break, which apply, the
// problems on one page, where a person carries on, and merging a page's
// answers into a draft.

#include "questionnaires/pages.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "questionnaires/standard_forms.hpp"
#include "tests/support/forms.hpp"

namespace {

using namespace sipas::questionnaires;
using sipas::test::Json;
using sipas::test::text;
using ::testing::ElementsAre;

// Three sections: "a" (age, then a break before "pet"), "b" (only for those
// with a pet: a matrix of three rows, broken before its third), "c" (a note
// and a comment).
Json three_sections() {
  Json form = sipas::test::form_with(Json::array());
  Json pets = {{"code", 1}, {"label", text("yes")}};
  form["scales"]["yesno"] = {
      {"choices", Json::array({pets, {{"code", 2}, {"label", text("no")}}})}};
  form["sections"] = Json::array(
      {{{"id", "a"},
        {"title", text("A")},
        {"items",
         Json::array(
             {{{"id", "age"}, {"type", "integer"}, {"text", text("Age")}, {"required", true}},
              {{"id", "pet"},
               {"type", "single"},
               {"text", text("Pet?")},
               {"scale", "yesno"},
               {"required", true},
               {"page_break", true}}})}},
       {{"id", "b"},
        {"title", text("B")},
        {"relevant", "${pet} = 1"},
        {"items",
         Json::array(
             {{{"id", "m"},
               {"type", "matrix"},
               {"text", text("Rate")},
               {"scale", "sat5"},
               {"required", true},
               {"rows",
                Json::array({{{"id", "m1"}, {"text", text("one")}},
                             {{"id", "m2"}, {"text", text("two")}},
                             {{"id", "m3"}, {"text", text("three")}, {"page_break", true}}})}}})}},
       {{"id", "c"},
        {"title", text("C")},
        {"items", Json::array({{{"id", "hello"}, {"type", "note"}, {"text", text("Hi")}},
                               {{"id", "comment"}, {"type", "text"}, {"text", text("Say")}}})}}});
  return form;
}

std::vector<std::string> ids(const Questionnaire& q, std::span<const std::uint32_t> slots) {
  std::vector<std::string> out;
  for (auto slot : slots)
    out.push_back(q.items()[slot].id);
  return out;
}

TEST(Pages, SectionsAndPageBreaksMakeThePagesAndASplitMatrixIsShownAgain) {
  const Questionnaire q = sipas::test::load(three_sections());
  const Pages pages(q);
  ASSERT_EQ(pages.size(), 5u);
  EXPECT_THAT(ids(q, pages.slots(0)), ElementsAre("age"));
  EXPECT_THAT(ids(q, pages.slots(1)), ElementsAre("pet"));
  EXPECT_THAT(ids(q, pages.slots(2)), ElementsAre("m", "m1", "m2"));
  EXPECT_THAT(ids(q, pages.slots(3)), ElementsAre("m", "m3"));
  EXPECT_THAT(ids(q, pages.slots(4)), ElementsAre("hello", "comment"));
  EXPECT_FALSE(pages[0].continues_section);
  EXPECT_TRUE(pages[1].continues_section);
  EXPECT_TRUE(pages[3].continues_section);
  EXPECT_EQ(pages[3].section, 1u);
  EXPECT_EQ(pages.page_of(q.find("m")->slot), 2u);
  EXPECT_EQ(pages.page_of(q.find("m3")->slot), 3u);
  EXPECT_EQ(pages.page_of(q.find("comment")->slot), 4u);
}

TEST(Pages, APageWhoseItemsDoNotApplyIsSkippedBothWays) {
  const Questionnaire q = sipas::test::load(three_sections());
  const Pages pages(q);
  Validator v(q);
  v.validate(sipas::test::response_for(q, {{"age", 30}, {"pet", 2}}));
  EXPECT_FALSE(pages.applies(2, v));
  EXPECT_FALSE(pages.applies(3, v));
  EXPECT_EQ(pages.next(1, v), std::optional<std::size_t>(4));
  EXPECT_EQ(pages.previous(4, v), std::optional<std::size_t>(1));
  EXPECT_EQ(pages.next(4, v), std::nullopt);
  EXPECT_EQ(pages.previous(0, v), std::nullopt);

  v.validate(sipas::test::response_for(q, {{"age", 30}, {"pet", 1}}));
  EXPECT_EQ(pages.next(1, v), std::optional<std::size_t>(2));
  EXPECT_EQ(pages.next(2, v), std::optional<std::size_t>(3));
}

TEST(Pages, TheProblemsOfOnePageAndWhereToCarryOn) {
  const Questionnaire q = sipas::test::load(three_sections());
  const Pages pages(q);
  Validator v(q);
  // Age and pet answered, the matrix not: its rows are required.
  const auto& all = v.validate(sipas::test::response_for(q, {{"age", 30}, {"pet", 1}}));
  ASSERT_FALSE(all.ok());
  EXPECT_TRUE(pages.issues_on(0, all).ok());
  EXPECT_EQ(pages.issues_on(2, all).issues.size(), 2u);  // m1, m2
  EXPECT_EQ(pages.issues_on(3, all).issues.size(), 1u);  // m3
  EXPECT_EQ(pages.first_with_issues(all), std::optional<std::size_t>(2));
  // Reached page 2: carry on there; reached page 4 with page 2 incomplete:
  // back to page 2.
  EXPECT_EQ(pages.resume(2, v, all), 2u);
  EXPECT_EQ(pages.resume(4, v, all), 2u);
  // Complete up to the end: the page reached.
  const auto& done = v.validate(
      sipas::test::response_for(q, {{"age", 30}, {"pet", 1}, {"m1", 5}, {"m2", 4}, {"m3", 3}}));
  EXPECT_TRUE(done.ok());
  EXPECT_EQ(pages.resume(4, v, done), 4u);
  EXPECT_EQ(pages.resume(99, v, done), 4u);
  // A page reached that no longer applies: the nearest before it that does.
  const auto& no_pet = v.validate(sipas::test::response_for(q, {{"age", 30}, {"pet", 2}}));
  EXPECT_EQ(pages.resume(3, v, no_pet), 1u);
}

TEST(Pages, MergeReplacesThePagesAnswersAndKeepsTheOthers) {
  const Questionnaire q = sipas::test::load(three_sections());
  const Pages pages(q);
  const Response draft =
      sipas::test::response_for(q, {{"age", 30}, {"pet", 1}, {"m1", 5}, {"m2", 4}});
  // Page 2 posted with m1 changed and m2 left empty: m2 is cleared.
  const Response posted = sipas::test::response_for(q, {{"m1", 2}, {"age", 99}});
  const Response merged = pages.merge(2, draft, posted);
  EXPECT_EQ(merged.answers[q.find("m1")->slot].integer, 2);
  EXPECT_TRUE(merged.answers[q.find("m2")->slot].absent());
  EXPECT_EQ(merged.questionnaire, "test");
  EXPECT_EQ(merged.version, "1");
  // A first page with no draft yet: the post names the form.
  const Response first = pages.merge(0, Response::empty_for(q), posted);
  EXPECT_EQ(first.questionnaire, "test");
  EXPECT_EQ(first.answers[q.find("age")->slot].integer, 99);
  // Not on the page: the draft's, whatever was posted.
  EXPECT_EQ(merged.answers[q.find("age")->slot].integer, 30);
  EXPECT_EQ(merged.answers[q.find("pet")->slot].integer, 1);
}

TEST(Pages, APageBreakMustBeTrueOrFalse) {
  Json form = three_sections();
  form["sections"][0]["items"][1]["page_break"] = "yes";
  auto problems = sipas::test::problems_of(form);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "questionnaire.wrong_type");
  EXPECT_EQ(problems[0].path, "/sections/0/items/1/page_break");
}

// The citizen form: six pages, the satisfaction statements split at the
// service block, and "don't know" (9) a valid answer kept out of the index.
TEST(Pages, TheCitizenFormHasSixPages) {
  const auto* file = find_standard_file("forms/sipas-citizen.json");
  ASSERT_NE(file, nullptr);
  const Questionnaire q = load_questionnaire(file->content, "sipas-citizen.json");
  const Pages pages(q);
  ASSERT_EQ(pages.size(), 6u);
  EXPECT_EQ(pages.page_of(q.find("q9_14")->slot), 3u);
  EXPECT_EQ(pages.page_of(q.find("q9_15")->slot), 4u);
  EXPECT_EQ(pages.page_of(q.find("q10")->slot), 5u);
  const Item& row = *q.find("q9_01");
  ASSERT_EQ(row.scale->choices.size(), 6u);
  EXPECT_EQ(row.scale->choices[5].code.to_string(), "9");
  EXPECT_TRUE(row.scale->is_excluded(5));
}

}  // namespace
