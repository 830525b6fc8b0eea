// The console's pages for running a survey (console_survey_pages.hpp):
// create, options, sample upload, reserves, the review queue, progress for
// the page's script. Each is a thin layer over a use case of app/; who may
// was decided at admission (the route's use case), before the body was read.

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/invitations.hpp"
#include "app/private_folder.hpp"
#include "app/responses.hpp"
#include "app/sample_import.hpp"
#include "app/sessions.hpp"
#include "app/survey_id.hpp"
#include "app/survey_overview.hpp"
#include "app/surveys.hpp"
#include "app/use_case_error.hpp"
#include "io/error.hpp"
#include "io/file.hpp"
#include "io/percent_encoding.hpp"
#include "io/text_lists.hpp"
#include "questionnaires/error.hpp"
#include "questionnaires/questionnaire_loader.hpp"
#include "survey_server/api_error.hpp"
#include "survey_server/console_html.hpp"
#include "survey_server/console_survey_pages.hpp"
#include "survey_server/json_reply.hpp"
#include "survey_server/multipart_form.hpp"
#include "survey_server/page_replies.hpp"
#include "survey_server/query_values.hpp"
#include "survey_server/service_internal.hpp"
#include "survey_server/url_encoding.hpp"
#include "texts/texts.hpp"

namespace sipas::survey_server {

namespace {

using Json = nlohmann::json;

// A review page shows this many responses; the scan for them reads the
// export in chunks.
constexpr std::size_t review_page_size = 50;
// The first chunk is a few pages' worth; each next one twice the last, up to
// the largest (a state rare among many answers is found in few reads).
constexpr std::int64_t review_first_chunk = 200;
constexpr std::int64_t review_largest_chunk = 6400;

// A name for a downloaded file: the survey's id kept to safe characters.
std::string download_name(std::string_view survey, std::string_view suffix) {
  std::string name;
  for (char c : survey) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    name += safe ? c : '_';
  }
  return name + std::string(suffix);
}

HttpResponse csv_download(std::string csv, const std::string& file_name) {
  HttpResponse response;
  response.status = 200;
  response.content_type = "text/csv; charset=utf-8";
  response.body = std::move(csv);
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"" + file_name + "\"");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

// An uploaded file's name for messages ("mau.csv:12: ..."): its last
// component, when plain; else the name the API uses.
std::string message_file_name(const std::optional<std::string>& given, std::string fallback) {
  if (!given) return fallback;
  std::string name = *given;
  if (auto slash = name.find_last_of("/\\"); slash != std::string::npos) name.erase(0, slash + 1);
  if (name.empty() || name.size() > 100 || name.front() == '.') return fallback;
  for (char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.' || c == ' ';
    if (!plain) return fallback;
  }
  return name;
}

std::string back_to(const std::string& path, std::string_view lang) {
  return path + "?lang=" + std::string(lang);
}

std::int64_t response_seq(const std::string& text) {
  char* end = nullptr;
  const auto seq = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || seq < 1)
    throw ApiError(404, "response.not_found", "no response '" + text + "'", "seq");
  return seq;
}

}  // namespace

// The body of a multipart console form, as text: in memory, or where the
// server spooled a large one.
std::vector<FormPart> SurveyService::console_multipart(Call& call) {
  const auto boundary = multipart_boundary(call.request.header("content-type").value_or(""));
  if (!boundary) {
    throw ApiError(400, "request.bad_multipart", "the form's Content-Type has no boundary",
                   "content-type");
  }
  if (call.request.body_file) {
    call.request.body = io::read_file(call.request.body_file->path(), options_.import_body_limit);
  }
  return parse_multipart(call.request.body, *boundary);
}

void SurveyService::post_console_create_survey(const CallPtr& call) {
  const auto parts = console_multipart(*call);
  auto text = [&](std::string_view name) {
    const auto* part = find_part(parts, name);
    return part ? std::string(part->body) : std::string();
  };
  const auto* token = find_part(parts, "_csrf");
  require_csrf(*call, token ? std::optional<std::string_view>(token->body) : std::nullopt);
  CreateSurveyForm form;
  form.standards = app::standard_questionnaire_names();
  form.id = text("id");
  form.standard = text("standard");
  form.open_link = text("open_link") == "on";
  const auto* file = find_part(parts, "questionnaire");
  const bool uploaded = file && file->file_name && !file->file_name->empty();
  app::CreateSurvey request;
  request.survey = form.id;
  request.open_link = form.open_link;
  try {
    app::check_survey_id(form.id);
  } catch (const app::UseCaseError& e) {
    form.problems.push_back(e.what());
  }
  if (uploaded == !form.standard.empty()) {
    form.problems.push_back(texts::text(console_language(call->query_value("lang")),
                                        "console.choose_one_questionnaire"));
  } else if (uploaded) {
    request.questionnaire_text = std::string(file->body);
    request.questionnaire_origin = message_file_name(file->file_name, "questionnaire.json");
  } else {
    try {
      request.questionnaire_text = app::standard_questionnaire(form.standard);
      request.questionnaire_origin = "standard " + form.standard;
    } catch (const app::UseCaseError& e) {
      form.problems.push_back(e.what());
    }
  }
  if (form.problems.empty()) {
    // Checked here to show on the form; create_survey checks again.
    try {
      questionnaires::load_questionnaire(request.questionnaire_text, request.questionnaire_origin);
    } catch (const Error& e) {
      form.problems.push_back(e.what());
    }
  }
  if (form.problems.empty()) {
    auto store = lease_store();
    if (store->find_survey(form.id)) {
      form.problems.push_back("survey '" + form.id + "' exists already");
    }
  }
  if (!form.problems.empty()) {
    std::vector<store::SurveyRecord> surveys;
    {
      auto store = lease_store();
      surveys = app::console_surveys(*store, call->actor);
    }
    const auto frame = console_frame(*call, *call->user, "/admin/surveys", "console.surveys");
    return finish(*call, html(422, render_surveys_page(frame, surveys, &form)));
  }
  const auto lang = console_language(call->query_value("lang"));
  write(
      call,
      [request = std::move(request), actor = call->actor](store::SurveyStore& s) {
        app::create_survey(s, actor, request);
      },
      [id = form.id, lang] { return redirect(back_to(console_html::survey_path(id), lang)); });
}

void SurveyService::post_console_survey_options(const CallPtr& call) {
  const auto fields = checked_console_form(*call);
  const auto open_link = find_field(fields, "open_link");
  app::SetSurveyOptions request{call->param("survey"), open_link && *open_link == "on"};
  const auto lang = console_language(call->query_value("lang"));
  write(
      call,
      [request, actor = call->actor](store::SurveyStore& s) {
        app::set_survey_options(s, actor, request);
      },
      [id = request.survey, lang] {
        return redirect(back_to(console_html::survey_path(id), lang));
      });
}

void SurveyService::get_console_sample(const CallPtr& call) {
  const std::string id = call->param("survey");
  survey(id);  // 404 for an unknown survey
  auto frame = console_frame(*call, *call->user, console_html::survey_path(id, "/sample"),
                             "console.sample_title");
  frame.title = texts::format(frame.lang, "console.sample_title_of", {{"survey", id}});
  finish(*call, html(200, render_sample_page(frame, {id, "", {}})));
}

void SurveyService::post_console_sample(const CallPtr& call) {
  const std::string id = call->param("survey");
  survey(id);
  const auto parts = console_multipart(*call);
  const auto* token = find_part(parts, "_csrf");
  require_csrf(*call, token ? std::optional<std::string_view>(token->body) : std::nullopt);
  SampleForm form{id, "", {}};
  if (const auto* contacts = find_part(parts, "contact")) form.contacts = contacts->body;
  const auto contacts = io::split_list(form.contacts);
  const auto* file = find_part(parts, "sample");
  auto frame = console_frame(*call, *call->user, console_html::survey_path(id, "/sample"),
                             "console.sample_title");
  frame.title = texts::format(frame.lang, "console.sample_title_of", {{"survey", id}});
  if (!file || file->body.empty()) {
    form.problems.push_back(texts::text(frame.lang, "console.sample_missing"));
    return finish(*call, html(422, render_sample_page(frame, form)));
  }
  std::string base;
  app::ImportSample request;
  request.survey = id;
  try {
    base = link_base(*call);
    app::PrivateFolder dir("sipas-console");
    const auto path = dir.path() / message_file_name(file->file_name, "sample.csv");
    io::write_file_atomic(path, file->body, io::FileAccess::owner_only);
    request.rows = app::read_sample(path, contacts);
  } catch (const app::SampleError& e) {
    form.problems = e.problems();
  } catch (const ApiError& e) {
    form.problems.push_back(e.what());
  } catch (const Error& e) {
    form.problems.push_back(e.what());
  }
  if (!form.problems.empty()) return finish(*call, html(422, render_sample_page(frame, form)));
  auto imported = std::make_shared<app::ImportedSample>();
  write(
      call,
      [request = std::move(request), actor = call->actor, imported](store::SurveyStore& s) {
        *imported = app::import_sample(s, actor, request);
      },
      [imported, base, id, contacts] {
        // The links exist only now: the tokens are stored hashed.
        return csv_download(app::links_csv(imported->issued, base, id, contacts),
                            download_name(id, "-links.csv"));
      });
}

void SurveyService::post_console_reserves(const CallPtr& call) {
  const auto fields = checked_console_form(*call);
  app::ActivateReserves request;
  request.survey = call->param("survey");
  const auto stratum = find_field(fields, "stratum");
  if (!stratum || stratum->empty())
    throw ApiError(400, "request.missing_field", "give the stratum", "stratum");
  request.stratum = std::string(*stratum);
  if (auto count = find_field(fields, "count"); count && !count->empty()) {
    request.count = count_parameter(std::string(*count), 1, "count");
  }
  const std::string base = link_base(*call);
  auto activated = std::make_shared<app::ActivatedReserves>();
  write(
      call,
      [request, actor = call->actor, activated](store::SurveyStore& s) {
        *activated = app::activate_reserves(s, actor, request);
      },
      [activated, base, request] {
        auto response = csv_download(
            app::links_csv(activated->issued, base, request.survey,
                           app::stored_contact_columns(activated->issued)),
            download_name(request.survey, "-reserves-" + download_name(request.stratum, ".csv")));
        response.headers.emplace_back("X-Reserves-Requested", std::to_string(activated->requested));
        response.headers.emplace_back("X-Reserves-Activated",
                                      std::to_string(activated->issued.size()));
        return response;
      });
}

void SurveyService::get_console_review(const CallPtr& call) {
  ReviewQueueView view;
  view.survey = call->param("survey");
  if (auto state = call->query_value("state")) {
    auto parsed = store::review_state_from_string(*state);
    if (!parsed)
      throw ApiError(400, "request.bad_parameter", "state is received, approved or rejected",
                     "state");
    view.state = *parsed;
  }
  std::int64_t after = count_parameter(call->query_value("after"), 0, "after");
  {
    // The queue in order of arrival, read a chunk at a time until a page is
    // full: the received ones are mostly the newest, the reviewed the oldest.
    auto store = lease_store();
    std::int64_t chunk_size = review_first_chunk;
    while (view.rows.size() <= review_page_size) {
      auto chunk =
          app::export_responses(*store, call->actor, {view.survey, after, chunk_size}).rows;
      if (chunk.empty()) break;
      std::sort(chunk.begin(), chunk.end(),
                [](const auto& a, const auto& b) { return a.seq < b.seq; });
      for (auto& row : chunk) {
        after = row.seq;
        if (row.review != view.state) continue;
        row.answers_json.clear();
        view.rows.push_back(std::move(row));
        if (view.rows.size() > review_page_size) break;
      }
      if (static_cast<std::int64_t>(chunk.size()) < chunk_size) break;
      chunk_size = std::min(chunk_size * 2, review_largest_chunk);
    }
  }
  if (view.rows.size() > review_page_size) {
    view.rows.pop_back();
    view.next_after = view.rows.back().seq;
  }
  auto frame = console_frame(*call, *call->user, console_html::survey_path(view.survey, "/review"),
                             "console.review_queue");
  frame.title = texts::format(frame.lang, "console.review_queue_of", {{"survey", view.survey}});
  finish(*call, html(200, render_review_queue(frame, view)));
}

void SurveyService::get_console_response(const CallPtr& call) {
  ResponseView view;
  view.survey = call->param("survey");
  const auto seq = response_seq(call->param("seq"));
  auto cached = survey(view.survey);
  view.questionnaire = cached->questionnaire.get();
  view.can_review = app::may(call->actor, app::UseCase::ReviewResponse);
  {
    auto store = lease_store();
    auto rows = app::export_responses(*store, call->actor, {view.survey, seq - 1, 1}).rows;
    if (rows.empty() || rows.front().seq != seq)
      throw ApiError(404, "response.not_found",
                     "no response " + std::to_string(seq) + " in this survey", "seq");
    view.response = std::move(rows.front());
    view.history = app::review_history(*store, call->actor, view.survey, seq);
  }
  auto frame =
      console_frame(*call, *call->user,
                    console_html::survey_path(view.survey, "/responses/" + std::to_string(seq)),
                    "console.response");
  frame.title =
      texts::format(frame.lang, "console.response_number", {{"seq", std::to_string(seq)}});
  finish(*call, html(200, render_response_page(frame, view)));
}

void SurveyService::post_console_review(const CallPtr& call) {
  const auto fields = checked_console_form(*call);
  app::ReviewResponse request;
  request.survey = call->param("survey");
  request.response = response_seq(call->param("seq"));
  const auto state = find_field(fields, "state");
  auto parsed = state ? store::review_state_from_string(*state) : std::nullopt;
  if (!parsed || *parsed == store::ReviewState::Received)
    throw ApiError(400, "request.bad_parameter", "state is approved or rejected", "state");
  request.state = *parsed;
  if (auto comment = find_field(fields, "comment"); comment && !comment->empty())
    request.comment = std::string(*comment);
  const auto lang = console_language(call->query_value("lang"));
  write(
      call,
      [request, actor = call->actor](store::SurveyStore& s) {
        app::review_response(s, actor, request);
      },
      [request, lang] {
        return redirect(
            back_to(console_html::survey_path(request.survey,
                                              "/responses/" + std::to_string(request.response)),
                    lang));
      });
}

// For the survey page's script: the same numbers as its progress table.
void SurveyService::get_console_progress(const CallPtr& call) {
  app::SurveyOverview overview;
  {
    auto store = lease_store();
    overview = app::survey_overview(*store, call->actor, call->param("survey"));
  }
  Json strata = Json::array();
  for (const auto& row : overview.strata) {
    const auto& p = row.progress;
    strata.push_back({{"stratum", p.stratum},
                      {"invited", p.invited},
                      {"responded", p.responded},
                      {"reserves_waiting", p.reserves_waiting}});
  }
  auto response = json_reply(200, {{"survey", overview.survey.id},
                                   {"state", store::to_string(overview.survey.state)},
                                   {"strata", strata}});
  response.headers.emplace_back("Cache-Control", "no-store");
  finish(*call, std::move(response));
}

}  // namespace sipas::survey_server
