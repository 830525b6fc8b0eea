// The route table: each route's path, method, use case (its authorisation),
// body type and handler.

#include "survey_server/service_internal.hpp"

namespace sipas::survey_server {

// ------------------------------------------------------------------ routes

std::vector<SurveyService::Route> SurveyService::make_routes() {
  auto path = [](std::string_view p) {
    std::vector<std::string> out;
    std::size_t i = 1;
    while (i <= p.size()) {
      auto j = p.find('/', i);
      if (j == std::string_view::npos) j = p.size();
      out.emplace_back(p.substr(i, j - i));
      i = j + 1;
    }
    return out;
  };
  using S = SurveyService;
  using U = app::UseCase;
  const std::string json = "application/json";
  const std::string form = "application/x-www-form-urlencoded";
  std::vector<Route> r;
  // upload: a large body, spooled to a file and read on a worker.
  enum Body { small, upload, offload };
  auto add = [&](std::string method, std::string p, app::UseCase use_case, std::string content_type,
                 bool is_html, std::function<void(SurveyService&, const CallPtr&)> run,
                 Body body = small) {
    r.push_back(Route{method, path(p), method + " " + p, use_case, std::move(content_type), is_html,
                      body == upload, body != small, std::move(run)});
  };
  add("GET", "/healthz", U::ReadPublic, "", false,
      [](S& s, const CallPtr& c) { s.get_health(*c); });
  // Request counts say who uses the server how: for analysts (or on a
  // listener of its own, sipas serve --metrics-listen).
  add("GET", "/metrics", U::ReadMetrics, "", false,
      [](S& s, const CallPtr& c) { s.get_metrics(*c); });
  add("GET", "/assets/{name}", U::ReadPublic, "", false, &S::get_asset);
  // Browsers ask for it on every first visit; an empty answer keeps logs quiet.
  add("GET", "/favicon.ico", U::ReadPublic, "", false, [](S& s, const CallPtr& c) {
    HttpResponse response;
    response.status = 204;
    response.content_type = "image/x-icon";
    response.headers.emplace_back("Cache-Control", "public, max-age=86400");
    s.finish(*c, std::move(response));
  });
  add("GET", "/s/{survey}", U::ReadQuestionnaire, "", true, &S::get_form);
  add("POST", "/s/{survey}", U::SubmitResponse, form, true, &S::post_form, offload);
  add("GET", "/s/{survey}/thanks", U::ReadQuestionnaire, "", true, &S::get_thanks);
  add("GET", "/api/v1/surveys/{survey}/questionnaire", U::ReadQuestionnaire, "", false,
      &S::get_questionnaire);
  add("POST", "/api/v1/surveys/{survey}/responses", U::SubmitResponse, json, false,
      &S::post_response_json, offload);
  add("POST", "/api/v1/surveys/{survey}/drafts", U::SaveDraft, json, false, &S::post_draft_json,
      offload);
  // Admin.
  add("GET", "/api/v1/surveys", U::ListSurveys, "", false, &S::list_surveys);
  add("POST", "/api/v1/surveys", U::CreateSurvey, json, false, &S::create_survey);
  add("GET", "/api/v1/surveys/{survey}", U::ReadSurvey, "", false, &S::get_survey);
  add("PATCH", "/api/v1/surveys/{survey}", U::SetSurveyOptions, json, false, &S::patch_survey);
  add("POST", "/api/v1/surveys/{survey}/open", U::OpenSurvey, "", false,
      [](S& s, const CallPtr& c) { s.set_state(c, store::SurveyState::Open); });
  add("POST", "/api/v1/surveys/{survey}/close", U::CloseSurvey, "", false,
      [](S& s, const CallPtr& c) { s.set_state(c, store::SurveyState::Closed); });
  add("POST", "/api/v1/surveys/{survey}/invitations", U::ImportSample, "text/csv", false,
      &S::import_invitations, upload);
  add("POST", "/api/v1/surveys/{survey}/reserves/activate", U::ActivateReserves, json, false,
      &S::activate_reserves);
  add("POST", "/api/v1/surveys/{survey}/invitations/{id}/reissue", U::ReissueLink, "", false,
      &S::reissue_link);
  add("GET", "/api/v1/surveys/{survey}/progress", U::ReadProgress, "", false, &S::get_progress);
  add("GET", "/api/v1/surveys/{survey}/indices", U::ReadIndices, "", false, &S::get_indices,
      offload);
  add("GET", "/api/v1/surveys/{survey}/responses", U::ExportResponses, "", false,
      &S::export_responses);
  add("POST", "/api/v1/surveys/{survey}/responses/{seq}/review", U::ReviewResponse, json, false,
      &S::review_response);
  add("GET", "/api/v1/audit", U::ReadAudit, "", false, &S::get_audit);
  // The console. The login checks a password (Argon2id, a tenth of a
  // second): off the I/O threads.
  add("GET", "/admin/login", U::LogIn, "", true, &S::get_login);
  add("POST", "/admin/login", U::LogIn, form, true, &S::post_login, offload);
  add("GET", "/admin", U::UseConsole, "", true, &S::get_console_home);  // and /admin/
  add("POST", "/admin/logout", U::UseConsole, form, true, &S::post_logout);
  add("GET", "/admin/surveys", U::ReadUnit, "", true, &S::get_console_surveys);
  add("GET", "/admin/surveys/{survey}", U::ReadUnit, "", true, &S::get_console_survey, offload);
  add("POST", "/admin/surveys/{survey}/state", U::OpenSurvey, form, true,
      &S::post_console_survey_state);
  // Forms with a file (a questionnaire, a sample): multipart, spooled to a
  // temporary file when large, read off the I/O threads.
  const std::string multipart = "multipart/form-data";
  add("POST", "/admin/surveys", U::CreateSurvey, multipart, true, &S::post_console_create_survey,
      upload);
  add("POST", "/admin/surveys/{survey}/options", U::SetSurveyOptions, form, true,
      &S::post_console_survey_options);
  add("GET", "/admin/surveys/{survey}/sample", U::ImportSample, "", true, &S::get_console_sample);
  add("POST", "/admin/surveys/{survey}/sample", U::ImportSample, multipart, true,
      &S::post_console_sample, upload);
  add("POST", "/admin/surveys/{survey}/reserves", U::ActivateReserves, form, true,
      &S::post_console_reserves);
  add("GET", "/admin/surveys/{survey}/review", U::ReviewResponse, "", true, &S::get_console_review,
      offload);
  add("GET", "/admin/surveys/{survey}/responses/{seq}", U::ReviewResponse, "", true,
      &S::get_console_response);
  add("POST", "/admin/surveys/{survey}/responses/{seq}/review", U::ReviewResponse, form, true,
      &S::post_console_review);
  add("GET", "/admin/surveys/{survey}/progress", U::ReadUnit, "", false, &S::get_console_progress);
  add("GET", "/admin/units", U::ReadUnit, "", true, &S::get_console_units);
  add("GET", "/admin/units/{unit}", U::ReadUnit, "", true, &S::get_console_unit);
  add("GET", "/admin/users", U::ManageUsers, "", true, &S::get_console_users);
  add("POST", "/admin/users", U::ManageUsers, form, true, &S::post_console_add_user, offload);
  add("POST", "/admin/users/{name}/state", U::ManageUsers, form, true, &S::post_console_user_state);
  add("POST", "/admin/users/{name}/password", U::ManageUsers, form, true,
      &S::post_console_user_password, offload);
  add("GET", "/admin/keys", U::CreateKey, "", true, &S::get_console_keys);
  add("POST", "/admin/keys", U::CreateKey, form, true, &S::post_console_add_key);
  add("POST", "/admin/keys/{key}/revoke", U::CreateKey, form, true, &S::post_console_revoke_key);
  add("GET", "/admin/audit", U::ReadAudit, "", true, &S::get_console_audit);
  add("GET", "/admin/surveys/{survey}/invitations", U::ReadUnit, "", true,
      &S::get_console_invitations);
  add("GET", "/admin/surveys/{survey}/links", U::ReissueLink, "", true, &S::get_console_links);
  add("POST", "/admin/surveys/{survey}/links", U::ReissueLink, form, true,
      &S::post_console_reissue);
  // Downloads; a file runs the analysis (results, report) or reads every answer.
  add("GET", "/admin/surveys/{survey}/exports", U::ExportResponses, "", true,
      &S::get_console_exports);
  add("GET", "/admin/surveys/{survey}/exports/{format}", U::ExportResponses, "", true,
      &S::get_console_export, offload);
  return r;
}

}  // namespace sipas::survey_server
