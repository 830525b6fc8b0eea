// No page shows a catalogue key, or a placeholder left unfilled, instead of a
// text: the form (with errors, a saved draft and the draft button), the
// thank-you page, the error pages and the HTML report, in both languages.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "questionnaires/questionnaire.hpp"
#include "questionnaires/validation.hpp"
#include "reports/report.hpp"
#include "survey_server/form_page.hpp"
#include "survey_server/page_messages.hpp"
#include "tests/support/forms.hpp"
#include "texts/texts.hpp"

namespace {

namespace texts = sipas::texts;
namespace q = sipas::questionnaires;
namespace server = sipas::survey_server;
namespace reports = sipas::reports;
using Json = nlohmann::json;
using ::testing::HasSubstr;

// Every key of every catalogue that occurs in `page`, and every "{name}".
void expect_only_texts(const std::string& page, const std::string& what) {
  for (const auto& language : texts::languages()) {
    for (const auto& key : texts::keys(language))
      EXPECT_THAT(page, ::testing::Not(HasSubstr(key))) << what << " shows the key " << key;
  }
  static const std::regex placeholder(R"(\{[a-z0-9_]+\})");
  std::smatch found;
  EXPECT_FALSE(std::regex_search(page, found, placeholder))
      << what << " shows the placeholder " << found.str();
}

const q::Questionnaire& questionnaire(const std::string& path) {
  static std::map<std::string, q::Questionnaire> cache;
  auto it = cache.find(path);
  if (it == cache.end()) {
    it = cache.emplace(path, q::load_questionnaire_file(sipas::test::source_dir() + "/" + path))
             .first;
  }
  return it->second;
}

TEST(Pages, TheFormShowsTextsInEveryLanguage) {
  for (const char* path : {"questionnaires/examples/example-questionnaire.json",
                           "questionnaires/forms/sipas-citizen.json"}) {
    const auto& form = questionnaire(path);
    for (std::size_t language = 0; language < form.languages().size(); ++language) {
      const std::string& code = form.languages()[language];
      auto answers = sipas::test::response_for(form, Json::object(), code);
      auto errors = q::validate(form, answers);
      ASSERT_FALSE(errors.ok()) << path;  // required items unanswered
      server::FormPage page;
      page.questionnaire = &form;
      page.language = language;
      page.action = "/s/hn-2026?t=abc";
      page.submission_id = "sub-1";
      page.answers = &answers;
      page.errors = &errors;
      page.can_save_draft = true;
      page.draft_saved = true;
      const std::string html = server::render_form(page);
      expect_only_texts(html, std::string(path) + " " + code);
      EXPECT_THAT(html, HasSubstr(texts::text(code, "form.error_summary_title")));
      EXPECT_THAT(html, HasSubstr(texts::text(code, "form.save")));
      // The page a first visit gets, pre-rendered per language.
      server::FormTemplate cached(form);
      page.answers = nullptr;
      page.errors = nullptr;
      expect_only_texts(cached.render(page), std::string(path) + " " + code + " (template)");
    }
  }
}

TEST(Pages, TheThanksPageShowsTheDefaultSentence) {
  auto form = sipas::test::load(sipas::test::form_with(
      Json::array({{{"id", "n"}, {"type", "integer"}, {"text", sipas::test::text("n")}}})));
  for (std::size_t language = 0; language < form.languages().size(); ++language) {
    const std::string html = server::render_thanks(form, language);
    expect_only_texts(html, "thanks " + form.languages()[language]);
    EXPECT_THAT(html, HasSubstr(texts::text(form.languages()[language], "form.thanks_default")));
  }
}

TEST(Pages, ErrorPagesShowTextsForEveryStatusAndCode) {
  const std::vector<std::pair<std::string, int>> errors = {{"request.rate_limited", 429},
                                                           {"request.cross_site", 403},
                                                           {"survey.not_found", 404},
                                                           {"invitation.invalid_token", 403},
                                                           {"request.bad_encoding", 400},
                                                           {"request.too_large", 413},
                                                           {"request.unsupported_media_type", 415},
                                                           {"response.invalid", 422},
                                                           {"auth.forbidden", 401},
                                                           {"survey.closed", 410},
                                                           {"invitation.used", 409},
                                                           {"store.read_only", 503},
                                                           {"internal", 500},
                                                           {"unknown", 418}};
  for (const char* language : {"vi", "en", "fr"}) {
    for (const auto& [code, status] : errors) {
      const std::string message = server::public_page_message(code, status, language);
      const std::string html = server::render_message(status, message, language);
      expect_only_texts(html, code + " " + language);
    }
    const std::string utf8 = server::public_page_message("request.bad_form", 400, language,
                                                         "the form is not valid UTF-8");
    EXPECT_EQ(utf8, texts::text(texts::language_or_english(language), "page.not_utf8"));
    for (const std::string& sentence :
         {server::closed_message(language), server::invalid_token_message(language),
          server::answered_message(language), server::invitation_required_title(language),
          server::invitation_required_message(language),
          server::store_unavailable_message(language)}) {
      expect_only_texts(server::render_message(403, sentence, language), language);
    }
  }
}

// ------------------------------------------------------------ the report

Json estimate(const std::string& statistic, const std::string& variable, const std::string& unit,
              double value) {
  return {{"statistic", statistic},
          {"variable", variable},
          {"domain", unit.empty() ? Json(nullptr) : Json{{"district", unit}}},
          {"estimate", value},
          {"se", 1.5},
          {"ci_low", value - 3},
          {"ci_high", value + 3},
          {"ci_method", "wald"},
          {"df", 12},
          {"n", 40},
          {"weighted_n", 210},
          {"deff", nullptr}};
}

reports::ReportInputs report_inputs() {
  Json estimates = Json::array();
  for (const std::string unit : {"", "H01", "H02"}) {
    estimates.push_back(estimate("overall_index", "overall", unit, 82.5));
    for (const char* element : {"E3", "E4", "E5"})
      estimates.push_back(estimate("element_index", element, unit, 80));
  }
  for (int code = 1; code <= 5; ++code)
    estimates.push_back(estimate("answer_share", "s1=" + std::to_string(code), "", 20));
  // Raking, so that the methods name a calibration.
  const Json design = Json::parse(R"({
      "kind": "linearization", "variance": "Taylor linearization", "strata": "district",
      "psu": ["commune"], "weights": "w", "fpc": [], "lonely_psu": "fail", "rows": 200,
      "weight_sum": 1050.5, "df": 12, "level": 0.95, "replicates": null,
      "calibration": {"method": "raking", "iterations": 6, "weight_min": 1.5, "weight_max": 9.25,
                      "g_min": 0.5, "g_max": 2.0, "max_margin_error": 1e-12,
                      "margins": {"file": "margins.csv", "sha256": ")" +
                                  std::string(64, 'a') + R"("}},
      "inputs": {"data": {"file": "answers.csv", "sha256": ")" +
                                  std::string(64, 'b') + R"("}},
      "command": "sipas analyze --data answers.csv --by district"})");
  reports::ReportInputs in;
  in.results = reports::parse_results(Json{{"design", design}, {"estimates", estimates}}.dump(),
                                      "results.json");
  in.questionnaire.emplace(questionnaire("questionnaires/forms/sipas-short.json"));
  in.questionnaire_source = "sipas-short.json";
  in.progress = reports::parse_progress(
      R"({"survey": "s", "overall": {"invited": 80, "opened": 60, "responded": 50,
          "response_rate": 0.625, "open_rate": 0.75, "open_link_responses": 2},
          "strata": [{"stratum": "H01", "invited": 80, "opened": 60, "responded": 50,
                      "response_rate": 0.625, "open_rate": 0.75, "reserves_waiting": 3}]})",
      "progress.json");
  in.par_index = reports::parse_par_index(
      R"({"format": "sipas-par-index-result/1",
          "scheme": {"id": "p", "title": {"vi": "CCHC", "en": "PAR"}},
          "thresholds": [{"group": "A", "min": 90}, {"group": "B", "min": 80}],
          "precision": 1, "nodes": [],
          "units": [{"unit": "H01", "name": "Đông Anh", "points": 81.24, "max_points": 100,
                     "index": 81.24, "rank": 1, "group": "B", "rescaled": true,
                     "survey_missing": ["S1"]},
                    {"unit": "H02", "name": "Mê Linh", "points": 50, "max_points": 100,
                     "index": 50, "rank": null, "group": null, "ranked": false}]})",
      "par-index.json");
  return in;
}

TEST(Pages, TheReportShowsTextsInBothLanguages) {
  const auto in = report_inputs();
  for (auto language : {reports::Language::Vi, reports::Language::En}) {
    reports::ReportOptions options;
    options.language = language;
    const std::string html = reports::render_report(in, options);
    const std::string code = reports::language_code(language);
    expect_only_texts(html, "report " + code);
    for (const char* key : {"report.sec_headline", "report.sec_rates", "report.sec_par",
                            "report.sec_methods", "report.cal_raking"}) {
      EXPECT_THAT(html, HasSubstr(texts::text(code, key))) << code << " " << key;
    }
  }
}

}  // namespace
