// The console's downloads of a survey (issue 22): GET
// /admin/surveys/{survey}/exports, the page that lists them, and GET
// /admin/surveys/{survey}/exports/{format}, the file as an attachment, made
// by app::export_survey as the command line makes it.

#include "app/survey_exports.hpp"
#include "io/percent_encoding.hpp"
#include "survey_server/console_export_page.hpp"
#include "survey_server/page_replies.hpp"
#include "survey_server/service_internal.hpp"
#include "texts/texts.hpp"

namespace sipas::survey_server {

void SurveyService::get_console_exports(const CallPtr& call) {
  const auto& user = *call->user;
  store::SurveyRecord survey;
  {
    auto store = lease_store();
    survey = app::find_survey_to_export(*store, call->actor, call->param("survey"));
  }
  auto frame =
      console_frame(*call, user, "/admin/surveys/" + io::percent_encode(survey.id) + "/exports",
                    "console.exports");
  frame.title = texts::format(frame.lang, "console.exports_title", {{"survey", survey.id}});
  finish(*call, html(200, render_exports_page(frame, survey.id)));
}

// On a worker (the route is offloaded): the results and the report run the
// analysis, and every format reads all the survey's answers.
void SurveyService::get_console_export(const CallPtr& call) {
  const auto format = app::parse_export_format(call->param("format"));
  if (!format) {
    throw ApiError(404, "request.not_found",
                   "no such download: the formats are csv, sav, dta, xlsx and html");
  }
  const auto lang = console_language(call->query_value("lang"));
  app::ExportedFile file;
  {
    auto store = lease_store();
    file = app::export_survey(*store, call->actor,
                              {call->param("survey"), *format,
                               lang == "en" ? reports::Language::En : reports::Language::Vi});
  }
  HttpResponse response;
  response.content_type = file.content_type;
  response.body = std::move(file.bytes);
  // The name is ASCII (a survey id and a fixed ending): no filename* needed.
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"" + file.file_name + "\"");
  // Answers are personal data: no copy in a cache on the way or on the disk.
  response.headers.emplace_back("Cache-Control", "no-store");
  finish(*call, std::move(response));
}

}  // namespace sipas::survey_server
