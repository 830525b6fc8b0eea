// The admin API: each route parses its request, calls its use case (app/),
// and renders the result. Authorisation was decided at admission, from the
// header (SurveyService::route_call, app::authorize).

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/audit.hpp"
#include "app/clock.hpp"
#include "app/invitations.hpp"
#include "app/live_indices.hpp"
#include "app/private_folder.hpp"
#include "app/progress_report.hpp"
#include "app/public_url.hpp"
#include "app/response_export.hpp"
#include "app/responses.hpp"
#include "app/sample_import.hpp"
#include "app/survey_id.hpp"
#include "app/surveys.hpp"
#include "app/use_case_error.hpp"
#include "io/file.hpp"
#include "io/text_lists.hpp"
#include "survey_server/api_error.hpp"
#include "survey_server/json_reply.hpp"
#include "survey_server/query_values.hpp"
#include "survey_server/service_internal.hpp"

namespace sipas::survey_server {

namespace {

using Json = nlohmann::json;

constexpr std::int64_t default_export_limit = 10000;
constexpr std::int64_t max_export_limit = 100000;
constexpr std::int64_t default_audit_limit = 1000;

// "open_link": true or false, when the body has it.
std::optional<bool> open_link_of(const Json& body) {
  if (!body.contains("open_link")) return std::nullopt;
  if (!body["open_link"].is_boolean()) {
    throw ApiError(400, "request.bad_parameter", "open_link is true or false", "open_link");
  }
  return body["open_link"].get<bool>();
}

HttpResponse links_reply(int status, std::string csv) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/csv; charset=utf-8";
  response.body = std::move(csv);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace

std::string SurveyService::link_base(const Call& call) const {
  if (auto given = call.query_value("base_url")) {
    try {
      return app::checked_public_url(*given, "base_url");
    } catch (const Error& e) {
      throw ApiError(400, e.id(), e.what(), "base_url");
    }
  }
  if (options_.public_url.empty()) {
    throw ApiError(400, "server.public_url_missing",
                   "links need a public URL: start sipas serve with --public-url https://... or "
                   "give ?base_url=https://...",
                   "base_url");
  }
  return options_.public_url;
}

void SurveyService::list_surveys(const CallPtr& call) {
  Json list = Json::array();
  {
    auto store = lease_store();
    for (const auto& s : app::list_surveys(*store, call->actor))
      list.push_back(app::survey_json(s));
  }
  finish(*call, json_reply(200, {{"surveys", list}}));
}

void SurveyService::create_survey(const CallPtr& call) {
  const Json body = parse_json_object(call->request.body);
  if (!body.contains("id") || !body["id"].is_string()) {
    throw ApiError(400, "request.missing_field", "give the survey's id", "id");
  }
  app::CreateSurvey request;
  request.survey = body["id"].get<std::string>();
  // The id is the body's "id" here, before anything else is read.
  try {
    app::check_survey_id(request.survey);
  } catch (const app::UseCaseError& e) {
    throw ApiError(400, e.id(), e.what(), "id");
  }
  if (body.contains("questionnaire") && body["questionnaire"].is_object()) {
    request.questionnaire_text = body["questionnaire"].dump();
    request.questionnaire_origin = request.survey;
  } else if (body.contains("standard") && body["standard"].is_string()) {
    request.questionnaire_text = app::standard_questionnaire(body["standard"].get<std::string>());
    request.questionnaire_origin = request.survey;
  } else {
    throw ApiError(400, "request.missing_field",
                   "give the questionnaire (an object) or the name of a standard one",
                   "questionnaire");
  }
  request.open_link = open_link_of(body).value_or(false);
  auto record = std::make_shared<store::SurveyRecord>();
  write(
      call,
      [request = std::move(request), actor = call->actor, record](store::SurveyStore& s) {
        *record = app::create_survey(s, actor, request);
      },
      [record] { return json_reply(201, app::survey_json(*record)); });
}

void SurveyService::get_survey(const CallPtr& call) {
  store::SurveyRecord record;
  {
    auto store = lease_store();
    record = app::find_survey(*store, call->actor, call->param("survey"));
  }
  finish(*call, json_reply(200, app::survey_json(record)));
}

void SurveyService::set_state(const CallPtr& call, store::SurveyState state) {
  const std::string id = call->param("survey");
  auto record = std::make_shared<store::SurveyRecord>();
  write(
      call,
      [id, state, actor = call->actor, record](store::SurveyStore& s) {
        *record = state == store::SurveyState::Open ? app::open_survey(s, actor, id)
                                                    : app::close_survey(s, actor, id);
      },
      [record] { return json_reply(200, app::survey_json(*record)); });
}

// The settings a manager may change on a survey: only open_link so far
// (state has its own routes, the questionnaire is immutable).
void SurveyService::patch_survey(const CallPtr& call) {
  const Json body = parse_json_object(call->request.body);
  for (const auto& [key, value] : body.items()) {
    if (key != "open_link") {
      throw ApiError(400, "request.bad_parameter",
                     "'" + key + "' cannot be changed here; only open_link can", key);
    }
  }
  app::SetSurveyOptions request{call->param("survey"), open_link_of(body)};
  auto record = std::make_shared<store::SurveyRecord>();
  write(
      call,
      [request, actor = call->actor, record](store::SurveyStore& s) {
        *record = app::set_survey_options(s, actor, request);
      },
      [record] { return json_reply(200, app::survey_json(*record)); });
}

void SurveyService::import_invitations(const CallPtr& call) {
  app::ImportSample request;
  request.survey = call->param("survey");
  survey(request.survey);  // 404 before reading the upload
  const auto contacts = io::split_list(call->query_value("contact").value_or(""));
  const std::string base = link_base(*call);
  const auto csv = csv_options_for_raw(call->query_value("raw"));
  try {
    // Read by the same reader as files, so that messages say "sample.csv:LINE".
    app::PrivateFolder scratch("sipas-upload");
    const auto file = scratch.path() / "sample.csv";
    if (call->request.body_file) {
      // Streamed to a temporary file by the server: read where it lies.
      std::filesystem::create_symlink(call->request.body_file->path(), file);
    } else {
      io::write_file_atomic(file, call->request.body, io::FileAccess::owner_only);
    }
    request.rows = app::read_sample(file, contacts);
  } catch (const Error& e) {
    throw ApiError(422, e.id(), e.what());
  }
  auto imported = std::make_shared<app::ImportedSample>();
  write(
      call,
      [request = std::move(request), actor = call->actor, imported](store::SurveyStore& s) {
        *imported = app::import_sample(s, actor, request);
      },
      [imported, base, id = call->param("survey"), contacts, csv] {
        return links_reply(201, app::links_csv(imported->issued, base, id, contacts, csv));
      });
}

void SurveyService::activate_reserves(const CallPtr& call) {
  app::ActivateReserves request;
  request.survey = call->param("survey");
  const auto csv = csv_options_for_raw(call->query_value("raw"));
  const Json body = parse_json_object(call->request.body);
  if (!body.contains("stratum") || !body["stratum"].is_string()) {
    throw ApiError(400, "request.missing_field", "give the stratum whose reserves to activate",
                   "stratum");
  }
  request.stratum = body["stratum"].get<std::string>();
  if (body.contains("psu") && body["psu"].is_string()) request.psu = body["psu"].get<std::string>();
  if (body.contains("count")) {
    if (!body["count"].is_number_integer()) {
      throw ApiError(400, "request.bad_parameter", "count must be a whole number from 1", "count");
    }
    request.count = body["count"].get<std::int64_t>();
  }
  const std::string base = link_base(*call);
  auto activated = std::make_shared<app::ActivatedReserves>();
  write(
      call,
      [request, actor = call->actor, activated](store::SurveyStore& s) {
        *activated = app::activate_reserves(s, actor, request);
      },
      [activated, base, id = request.survey, csv] {
        // The same contact columns as the import's links CSV: the manager
        // reaches the reserves the same way.
        auto response =
            links_reply(200, app::links_csv(activated->issued, base, id,
                                            app::stored_contact_columns(activated->issued), csv));
        // Fewer than asked when no more were waiting: the headers say so.
        response.headers.emplace_back("X-Reserves-Requested", std::to_string(activated->requested));
        response.headers.emplace_back("X-Reserves-Activated",
                                      std::to_string(activated->issued.size()));
        return response;
      });
}

// A new link for one invitation (the old one stops working): the links CSV
// of that one row, with its stored contacts, as activated reserves get.
void SurveyService::reissue_link(const CallPtr& call) {
  app::ReissueLink request{call->param("survey"), call->param("id")};
  const auto csv = csv_options_for_raw(call->query_value("raw"));
  const std::string base = link_base(*call);
  auto issued = std::make_shared<store::IssuedInvitation>();
  write(
      call,
      [request, actor = call->actor, issued](store::SurveyStore& s) {
        *issued = app::reissue_link(s, actor, request);
      },
      [issued, base, id = request.survey, csv] {
        const std::vector<store::IssuedInvitation> rows{*issued};
        return links_reply(200,
                           app::links_csv(rows, base, id, app::stored_contact_columns(rows), csv));
      });
}

void SurveyService::get_progress(const CallPtr& call) {
  const std::string id = call->param("survey");
  store::Progress progress;
  {
    auto store = lease_store();
    progress = app::read_progress(*store, call->actor, id);
  }
  finish(*call, json_reply(200, app::progress_json(id, progress)));
}

// The analysis runs on a worker (the route is offloaded): a few hundred
// milliseconds for a province's answers.
void SurveyService::get_indices(const CallPtr& call) {
  app::ReadIndices request;
  request.survey = call->param("survey");
  if (auto by = call->query_value("by")) request.by = *by;
  std::shared_ptr<const app::LiveIndices> indices;
  {
    auto store = lease_store();
    indices = indices_cache_.get(*store, call->actor, request);
  }
  finish(*call, json_reply(200, app::live_indices_json(*indices)));
}

void SurveyService::export_responses(const CallPtr& call) {
  app::ExportResponses request;
  request.survey = call->param("survey");
  auto cached = survey(request.survey);
  request.since = count_parameter(call->query_value("since"), 0, "since");
  request.limit = std::min(
      count_parameter(call->query_value("limit"), default_export_limit, "limit"), max_export_limit);
  const std::string format = call->query_value("format").value_or("json");
  if (format != "json" && format != "csv") {
    throw ApiError(400, "request.bad_parameter", "format is json or csv", "format");
  }
  const auto csv = csv_options_for_raw(call->query_value("raw"));
  app::ExportedResponses exported;
  {
    auto store = lease_store();
    exported = app::export_responses(*store, call->actor, request);
  }
  const auto& rows = exported.rows;
  HttpResponse response;
  response.headers.emplace_back("Cache-Control", "no-store");
  if (format == "csv") {
    response.content_type = "text/csv; charset=utf-8";
    response.body = app::responses_csv(*cached->questionnaire, rows, csv);
    // The rows are not in seq order (SurveyStore::export_responses): the
    // cursor is the largest.
    std::int64_t next = request.since;
    for (const auto& row : rows)
      next = std::max(next, row.seq);
    response.headers.emplace_back("X-Next-Since", std::to_string(next));
  } else {
    response.body = app::responses_json(rows, request.since)
                        .dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  finish(*call, std::move(response));
}

void SurveyService::review_response(const CallPtr& call) {
  app::ReviewResponse request;
  request.survey = call->param("survey");
  const std::string& seq_text = call->param("seq");
  char* end = nullptr;
  request.response = std::strtoll(seq_text.c_str(), &end, 10);
  if (seq_text.empty() || *end != '\0' || request.response < 1) {
    throw ApiError(404, "response.not_found", "no response '" + seq_text + "'", "seq");
  }
  const Json body = parse_json_object(call->request.body);
  std::optional<store::ReviewState> state;
  if (body.contains("state") && body["state"].is_string())
    state = store::review_state_from_string(body["state"].get<std::string>());
  if (!state) {
    throw ApiError(422, "review.bad_state", "state is received, approved or rejected", "state");
  }
  request.state = *state;
  if (body.contains("comment") && !body["comment"].is_null()) {
    if (!body["comment"].is_string()) {
      throw ApiError(400, "review.bad_comment", "comment is text", "comment");
    }
    request.comment = body["comment"].get<std::string>();
  }
  write(
      call,
      [request, actor = call->actor](store::SurveyStore& s) {
        app::review_response(s, actor, request);
      },
      [request] {
        return json_reply(
            200, {{"response", request.response}, {"review", store::to_string(request.state)}});
      });
}

void SurveyService::get_audit(const CallPtr& call) {
  app::ReadAudit request;
  request.survey = call->query_value("survey");
  request.since = count_parameter(call->query_value("since"), 0, "since");
  request.limit = std::min(
      count_parameter(call->query_value("limit"), default_audit_limit, "limit"), max_export_limit);
  // An empty value (a form's empty field) filters nothing.
  auto given = [&](const char* name) {
    auto value = call->query_value(name);
    return value && !value->empty() ? value : std::nullopt;
  };
  request.actor = given("actor");
  // Days in UTC; `to` takes its whole day.
  if (auto from = given("from")) request.from = app::parse_utc_day(*from, "from");
  if (auto to = given("to")) request.to = app::parse_utc_day(*to, "to") + app::seconds_per_day;
  std::vector<store::AuditEntry> entries;
  {
    auto store = lease_store();
    entries = app::read_audit(*store, call->actor, request);
  }
  finish(*call, json_reply(200, app::audit_json(entries, request.since)));
}

}  // namespace sipas::survey_server
