// The responses CSV: one column per name, the answer before a preloaded
// attribute of the same name.

#include "app/response_export.hpp"

#include <gtest/gtest.h>

#include "questionnaires/questionnaire.hpp"
#include "tests/support/forms.hpp"

namespace sipas::app {
namespace {

TEST(ResponseExportTest, AnAttributeNamedLikeAnAnswerIsLeftOut) {
  const auto questionnaire = test::load(
      test::form_with({{{"id", "group"}, {"type", "text"}, {"text", test::text("Nhóm")}},
                       {{"id", "q1"}, {"type", "integer"}, {"text", test::text("Số")}}}));
  store::ExportedResponse row;
  row.seq = 7;
  row.submission_id = "s7";
  row.language = "vi";
  row.answers_json = R"({"answers": {"group": "hdnd", "q1": 4}})";
  row.respondent_id = "r1";
  row.stratum = "A";
  row.attributes = {{"district", "D01"}, {"group", "lead_dept"}, {"stratum", "X"}};
  const std::string csv = responses_csv(questionnaire, {row});
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_EQ(header,
            "seq,submission_id,received_at,review,channel,respondent_id,stratum,psu,"
            "inclusion_probability,design_weight,language,district,group,q1");
  const std::string line = csv.substr(csv.find('\n') + 1);
  // The answer (hdnd), not the preloaded attribute; the invitation's stratum.
  EXPECT_NE(line.find(",A,"), std::string::npos) << line;
  EXPECT_NE(line.find(",D01,hdnd,4"), std::string::npos) << line;
  EXPECT_EQ(line.find("lead_dept"), std::string::npos) << line;
  EXPECT_NE(line.find(",received,invitation,r1,A,"), std::string::npos) << line;
}

// Issue 15: an answer through the open link is marked as such in both
// formats, its design columns empty (null).
TEST(ResponseExportTest, OpenLinkAnswersAreMarkedInBothFormats) {
  const auto questionnaire = test::load(
      test::form_with({{{"id", "q1"}, {"type", "integer"}, {"text", test::text("Số")}}}));
  store::ExportedResponse invited, open;
  invited.seq = 1;
  invited.submission_id = "s1";
  invited.answers_json = R"({"answers": {"q1": 4}})";
  invited.respondent_id = "r1";
  invited.stratum = "A";
  invited.psu = "A1";
  invited.inclusion_probability = 0.5;
  invited.design_weight = 2;
  open.seq = 2;
  open.submission_id = "s2";
  open.answers_json = R"({"answers": {"q1": 1}})";
  open.open_link = true;
  const std::string csv = responses_csv(questionnaire, {invited, open});
  EXPECT_NE(csv.find("\n1,s1,1970-01-01T00:00:00Z,received,invitation,r1,A,A1,0.5,2,,4\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\n2,s2,1970-01-01T00:00:00Z,received,open_link,,,,,,,1\n"), std::string::npos)
      << csv;
  const auto json = responses_json({invited, open}, 0);
  EXPECT_EQ(json["responses"][0]["channel"], "invitation");
  EXPECT_EQ(json["responses"][1]["channel"], "open_link");
  EXPECT_TRUE(json["responses"][1]["stratum"].is_null());
}

}  // namespace
}  // namespace sipas::app
