// The admin API: surveys, invitations, reserves, progress, exports, review.

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "io/file.hpp"
#include "questionnaires/error.hpp"
#include "questionnaires/standard_forms.hpp"
#include "survey_server/api_error.hpp"
#include "survey_server/progress_report.hpp"
#include "survey_server/public_url.hpp"
#include "survey_server/response_export.hpp"
#include "survey_server/sample_import.hpp"
#include "survey_server/service_internal.hpp"
#include "survey_server/url_encoding.hpp"

namespace sipas::survey_server {

namespace {

using Json = nlohmann::json;
namespace q = questionnaires;

constexpr std::int64_t default_export_limit = 10000;
constexpr std::int64_t max_export_limit = 100000;

HttpResponse json_reply(int status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

Json parse_json_body(const std::string& body) {
  Json document = Json::parse(body, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    throw ApiError(400, "request.malformed_json", "the body is not a JSON object");
  }
  return document;
}

Json survey_json(const SurveyRecord& s) {
  Json out = {{"id", s.id},
              {"state", to_string(s.state)},
              {"questionnaire", {{"id", s.questionnaire_id}, {"version", s.questionnaire_version}}},
              {"open_link", s.open_link},
              {"created_at", iso_time(s.created_at)},
              {"opened_at", nullptr},
              {"closed_at", nullptr}};
  if (s.opened_at) out["opened_at"] = iso_time(*s.opened_at);
  if (s.closed_at) out["closed_at"] = iso_time(*s.closed_at);
  return out;
}

// "open_link": true or false, when the body has it.
std::optional<bool> open_link_of(const Json& body) {
  if (!body.contains("open_link")) return std::nullopt;
  if (!body["open_link"].is_boolean()) {
    throw ApiError(400, "request.bad_parameter", "open_link is true or false", "open_link");
  }
  return body["open_link"].get<bool>();
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= text.size()) {
    auto j = text.find(',', i);
    if (j == std::string::npos) j = text.size();
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// A survey id is part of URLs and file names: keep it plain.
void check_survey_id(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 64;
  for (char c : id) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
  }
  if (!ok) {
    throw ApiError(400, "survey.bad_id",
                   "a survey id has 1 to 64 characters from a-z, 0-9, '-' and '_'", "id");
  }
}

std::int64_t parse_count(const std::optional<std::string>& text, std::int64_t fallback,
                         const std::string& field) {
  if (!text) return fallback;
  char* end = nullptr;
  long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || value < 0) {
    throw ApiError(400, "request.bad_parameter", field + " must be a whole number from 0", field);
  }
  return value;
}

// A temporary directory (0700) that removes itself: uploaded CSVs are read by
// the same reader as files, with line numbers in its messages.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sipas-upload-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
      throw Error("store.io", "cannot create a temporary directory for the upload");
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

std::string SurveyService::link_base(const Call& call) const {
  if (auto given = call.query_value("base_url")) {
    try {
      return checked_public_url(*given, "base_url");
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
    for (const auto& s : store->list_surveys())
      list.push_back(survey_json(s));
  }
  finish(*call, json_reply(200, {{"surveys", list}}));
}

void SurveyService::create_survey(const CallPtr& call) {
  const Json body = parse_json_body(call->request.body);
  if (!body.contains("id") || !body["id"].is_string()) {
    throw ApiError(400, "request.missing_field", "give the survey's id", "id");
  }
  const std::string id = body["id"].get<std::string>();
  check_survey_id(id);
  std::string text;
  if (body.contains("questionnaire") && body["questionnaire"].is_object()) {
    text = body["questionnaire"].dump();
  } else if (body.contains("standard") && body["standard"].is_string()) {
    const auto name = "forms/" + body["standard"].get<std::string>() + ".json";
    const auto* file = q::find_standard_file(name);
    if (!file) {
      throw ApiError(404, "questionnaire.not_found",
                     "no standard questionnaire '" + body["standard"].get<std::string>() + "'",
                     "standard");
    }
    text = std::string(file->content);
  } else {
    throw ApiError(400, "request.missing_field",
                   "give the questionnaire (an object) or the name of a standard one",
                   "questionnaire");
  }
  const bool open_link = open_link_of(body).value_or(false);
  auto questionnaire = q::load_questionnaire(text, id);  // DefinitionError → 422
  auto record = std::make_shared<std::optional<SurveyRecord>>();
  write(
      call,
      [id, text, qid = questionnaire.id(), version = questionnaire.version(), open_link,
       record](SurveyStore& s) {
        s.create_survey(id, text, qid, version, open_link);
        *record = s.find_survey(id);
      },
      [record] { return json_reply(201, survey_json(**record)); });
}

void SurveyService::get_survey(const CallPtr& call) {
  std::optional<SurveyRecord> record;
  {
    auto store = lease_store();
    record = store->find_survey(call->param("survey"));
  }
  if (!record) {
    throw ApiError(404, "survey.not_found", "no survey '" + call->param("survey") + "'", "survey");
  }
  finish(*call, json_reply(200, survey_json(*record)));
}

void SurveyService::set_state(const CallPtr& call, SurveyState state) {
  const std::string id = call->param("survey");
  auto record = std::make_shared<SurveyRecord>();
  write(
      call, [id, state, record](SurveyStore& s) { *record = s.set_survey_state(id, state); },
      [record] { return json_reply(200, survey_json(*record)); });
}

// The settings a manager may change on a survey: only open_link so far
// (state has its own routes, the questionnaire is immutable).
void SurveyService::patch_survey(const CallPtr& call) {
  const std::string id = call->param("survey");
  const Json body = parse_json_body(call->request.body);
  for (const auto& [key, value] : body.items()) {
    if (key != "open_link") {
      throw ApiError(400, "request.bad_parameter",
                     "'" + key + "' cannot be changed here; only open_link can", key);
    }
  }
  const auto open_link = open_link_of(body);
  if (!open_link) {
    throw ApiError(400, "request.missing_field", "give open_link: true or false", "open_link");
  }
  auto record = std::make_shared<SurveyRecord>();
  write(
      call, [id, on = *open_link, record](SurveyStore& s) { *record = s.set_open_link(id, on); },
      [record] { return json_reply(200, survey_json(*record)); });
}

void SurveyService::import_invitations(const CallPtr& call) {
  const std::string id = call->param("survey");
  survey(id);  // 404 before reading the upload
  const auto contacts = split_list(call->query_value("contact").value_or(""));
  const std::string base = link_base(*call);
  const auto csv = csv_options_for_raw(call->query_value("raw"));
  std::vector<InvitationInput> rows;
  try {
    // Read by the same reader as files, so that messages say "sample.csv:LINE".
    ScratchDir scratch;
    const auto file = scratch.path() / "sample.csv";
    if (call->request.body_file) {
      // Streamed to a temporary file by the server: read where it lies.
      std::filesystem::create_symlink(call->request.body_file->path(), file);
    } else {
      io::write_file_atomic(file, call->request.body, io::FileAccess::owner_only);
    }
    rows = read_sample(file, contacts);
  } catch (const Error& e) {
    throw ApiError(422, e.id(), e.what());
  }
  auto issued = std::make_shared<std::vector<IssuedInvitation>>();
  write(
      call,
      [id, rows = std::move(rows), issued](SurveyStore& s) {
        *issued = s.import_invitations(id, rows);
      },
      [issued, base, id, contacts, csv] {
        HttpResponse response;
        response.status = 201;
        response.content_type = "text/csv; charset=utf-8";
        response.body = links_csv(*issued, base, id, contacts, csv);
        response.headers.emplace_back("Cache-Control", "no-store");
        return response;
      });
}

void SurveyService::activate_reserves(const CallPtr& call) {
  const std::string id = call->param("survey");
  const auto csv = csv_options_for_raw(call->query_value("raw"));
  const Json body = parse_json_body(call->request.body);
  if (!body.contains("stratum") || !body["stratum"].is_string()) {
    throw ApiError(400, "request.missing_field", "give the stratum whose reserves to activate",
                   "stratum");
  }
  const std::string stratum = body["stratum"].get<std::string>();
  std::optional<std::string> psu;
  if (body.contains("psu") && body["psu"].is_string()) psu = body["psu"].get<std::string>();
  std::int64_t count = 1;
  if (body.contains("count")) {
    if (!body["count"].is_number_integer() || body["count"].get<std::int64_t>() < 1) {
      throw ApiError(400, "request.bad_parameter", "count must be a whole number from 1", "count");
    }
    count = body["count"].get<std::int64_t>();
  }
  const std::string base = link_base(*call);
  auto issued = std::make_shared<std::vector<IssuedInvitation>>();
  write(
      call,
      [id, stratum, psu, count, issued](SurveyStore& s) {
        *issued = s.activate_reserves(
            id, stratum, psu ? std::optional<std::string_view>(*psu) : std::nullopt, count);
      },
      [issued, base, id, csv] {
        HttpResponse response;
        response.status = 200;
        response.content_type = "text/csv; charset=utf-8";
        // The same contact columns as the import's links CSV: the manager
        // reaches the reserves the same way.
        response.body = links_csv(*issued, base, id, stored_contact_columns(*issued), csv);
        response.headers.emplace_back("Cache-Control", "no-store");
        return response;
      });
}

void SurveyService::get_progress(const CallPtr& call) {
  const std::string id = call->param("survey");
  survey(id);
  Progress progress;
  {
    auto store = lease_store();
    progress = store->progress(id);
  }
  finish(*call, json_reply(200, progress_json(id, progress)));
}

void SurveyService::export_responses(const CallPtr& call) {
  const std::string id = call->param("survey");
  auto cached = survey(id);
  const std::int64_t since = parse_count(call->query_value("since"), 0, "since");
  const std::int64_t limit = std::min(
      parse_count(call->query_value("limit"), default_export_limit, "limit"), max_export_limit);
  const std::string format = call->query_value("format").value_or("json");
  if (format != "json" && format != "csv") {
    throw ApiError(400, "request.bad_parameter", "format is json or csv", "format");
  }
  const auto csv = csv_options_for_raw(call->query_value("raw"));
  std::vector<ExportedResponse> rows;
  {
    auto store = lease_store();
    rows = store->export_responses(id, since, limit);
  }
  HttpResponse response;
  response.headers.emplace_back("Cache-Control", "no-store");
  if (format == "csv") {
    response.content_type = "text/csv; charset=utf-8";
    response.body = responses_csv(*cached->questionnaire, rows, csv);
    // The rows are not in seq order (SurveyStore::export_responses): the
    // cursor is the largest.
    std::int64_t next = since;
    for (const auto& row : rows)
      next = std::max(next, row.seq);
    response.headers.emplace_back("X-Next-Since", std::to_string(next));
  } else {
    response.body =
        responses_json(rows, since).dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  finish(*call, std::move(response));
}

void SurveyService::review_response(const CallPtr& call) {
  const std::string id = call->param("survey");
  const std::string& seq_text = call->param("seq");
  char* end = nullptr;
  const long long seq = std::strtoll(seq_text.c_str(), &end, 10);
  if (seq_text.empty() || *end != '\0' || seq < 1) {
    throw ApiError(404, "response.not_found", "no response '" + seq_text + "'", "seq");
  }
  const Json body = parse_json_body(call->request.body);
  std::optional<ReviewState> state;
  if (body.contains("state") && body["state"].is_string())
    state = review_state_from_string(body["state"].get<std::string>());
  if (!state) {
    throw ApiError(422, "review.bad_state", "state is received, approved or rejected", "state");
  }
  write(
      call, [id, seq, state](SurveyStore& s) { s.set_review_state(id, seq, *state); },
      [seq, state] {
        return json_reply(200, {{"response", seq}, {"review", to_string(*state)}});
      });
}

}  // namespace sipas::survey_server
