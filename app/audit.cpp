#include "app/audit.hpp"

#include "app/clock.hpp"
#include "app/survey_id.hpp"
#include "app/use_case_error.hpp"

namespace sipas::app {
namespace {

using Json = nlohmann::json;

std::optional<std::string> dump_or_null(const Json& value) {
  if (value.is_null()) return std::nullopt;
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json parse_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return Json::parse(*text, nullptr, false);
}

}  // namespace

void record_change(store::SurveyStore& store, const Actor& actor, std::string action,
                   std::optional<std::string> survey, std::optional<std::string> subject,
                   const Json& before, const Json& after, std::optional<std::string> note) {
  store::AuditEntry entry;
  entry.at = now_seconds();
  entry.actor = actor.name;
  entry.action = std::move(action);
  entry.survey = std::move(survey);
  entry.subject = std::move(subject);
  entry.before_json = dump_or_null(before);
  entry.after_json = dump_or_null(after);
  entry.note = std::move(note);
  store.append_audit(entry);
}

std::vector<store::AuditEntry> read_audit(store::SurveyStore& store, const Actor& actor,
                                          const ReadAudit& request) {
  authorize(actor, UseCase::ReadAudit);
  if (request.survey) check_survey_id(*request.survey);
  if (request.since < 0 || request.limit < 0) {
    throw UseCaseError(Refusal::BadRequest, "request.bad_parameter",
                       "since and limit are whole numbers from 0",
                       request.since < 0 ? "since" : "limit");
  }
  for (const auto& [value, field] :
       {std::pair{&request.actor, "actor"}, std::pair{&request.subject, "subject"},
        std::pair{&request.action, "action"}}) {
    if (*value && (*value)->empty()) {
      throw UseCaseError(Refusal::BadRequest, "request.bad_parameter",
                         std::string(field) + " is empty: leave it out to read every one", field);
    }
  }
  if (request.from && request.to && *request.from >= *request.to) {
    throw UseCaseError(Refusal::BadRequest, "request.bad_parameter",
                       "the period ends before it starts: to must come after from", "to");
  }
  store::AuditFilter filter;
  filter.survey = request.survey;
  filter.actor = request.actor;
  filter.subject = request.subject;
  filter.action = request.action;
  filter.from = request.from;
  filter.to = request.to;
  filter.since = request.since;
  filter.limit = request.limit;
  filter.newest_first = request.newest_first;
  return store.read_audit(filter);
}

Json audit_json(const std::vector<store::AuditEntry>& entries, std::int64_t since) {
  Json list = Json::array();
  std::int64_t next = since;
  for (const auto& e : entries) {
    list.push_back({{"seq", e.seq},
                    {"at", iso_time(e.at)},
                    {"actor", e.actor},
                    {"action", e.action},
                    {"survey", e.survey ? Json(*e.survey) : Json(nullptr)},
                    {"subject", e.subject ? Json(*e.subject) : Json(nullptr)},
                    {"before", parse_or_null(e.before_json)},
                    {"after", parse_or_null(e.after_json)},
                    {"note", e.note ? Json(*e.note) : Json(nullptr)}});
    next = std::max(next, e.seq);
  }
  return {{"entries", list}, {"next_since", next}};
}

std::string audit_text(const std::vector<store::AuditEntry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    out += std::to_string(e.seq) + '\t' + iso_time(e.at) + '\t' + e.actor + '\t' + e.action + '\t' +
           e.survey.value_or("-") + '\t' + e.subject.value_or("-") + '\t' +
           e.before_json.value_or("-") + " -> " + e.after_json.value_or("-");
    if (e.note) out += '\t' + *e.note;
    out += '\n';
  }
  return out;
}

}  // namespace sipas::app
