// The responses CSV: one column per name, the answer before a preloaded
// attribute of the same name.

#include "survey_server/response_export.hpp"

#include <gtest/gtest.h>

#include "questionnaires/questionnaire.hpp"
#include "tests/support/forms.hpp"

namespace sipas::survey_server {
namespace {

TEST(ResponseExportTest, AnAttributeNamedLikeAnAnswerIsLeftOut) {
  const auto questionnaire = test::load(
      test::form_with({{{"id", "group"}, {"type", "text"}, {"text", test::text("Nhóm")}},
                       {{"id", "q1"}, {"type", "integer"}, {"text", test::text("Số")}}}));
  ExportedResponse row;
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
            "seq,submission_id,received_at,review,respondent_id,stratum,psu,inclusion_probability,"
            "design_weight,language,district,group,q1");
  const std::string line = csv.substr(csv.find('\n') + 1);
  // The answer (hdnd), not the preloaded attribute; the invitation's stratum.
  EXPECT_NE(line.find(",A,"), std::string::npos) << line;
  EXPECT_NE(line.find(",D01,hdnd,4"), std::string::npos) << line;
  EXPECT_EQ(line.find("lead_dept"), std::string::npos) << line;
}

}  // namespace
}  // namespace sipas::survey_server
