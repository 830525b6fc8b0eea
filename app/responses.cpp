#include "app/responses.hpp"

#include "app/atomically.hpp"
#include "app/audit.hpp"
#include "app/survey_id.hpp"
#include "app/surveys.hpp"
#include "app/use_case_error.hpp"
#include "io/utf8.hpp"

namespace sipas::app {

namespace {

constexpr std::string_view review_action = "response.review";

// The comment as kept: trimmed of spaces and line ends, nullopt when empty.
std::optional<std::string> checked_comment(const std::optional<std::string>& comment) {
  if (!comment) return std::nullopt;
  auto refuse = [](const std::string& why) {
    throw UseCaseError(Refusal::BadRequest, "review.bad_comment", "the comment " + why, "comment");
  };
  if (!io::is_valid_utf8(*comment)) refuse("is not valid UTF-8 text");
  std::string_view text = *comment;
  constexpr std::string_view blank = " \t\r\n";
  const auto first = text.find_first_not_of(blank);
  if (first == std::string_view::npos) return std::nullopt;
  text = text.substr(first, text.find_last_not_of(blank) - first + 1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    // C0 and DEL, and C1 (U+0080 to U+009F: 0xC2 0x80..0x9F in UTF-8).
    const bool c1 = byte == 0xC2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) <= 0x9F;
    if (byte < 0x20 || byte == 0x7F || c1) refuse("holds a control character (a line break too)");
  }
  if (io::utf8_length(text).value_or(0) > max_review_comment) {
    refuse("is longer than " + std::to_string(max_review_comment) + " characters");
  }
  return std::string(text);
}

}  // namespace

void review_response(store::SurveyStore& store, const Actor& actor, const ReviewResponse& request) {
  authorize(actor, UseCase::ReviewResponse);
  check_survey_id(request.survey);
  auto comment = checked_comment(request.comment);
  atomically(store, [&] {
    const auto before = store.set_review_state(request.survey, request.response, request.state);
    record_change(store, actor, std::string(review_action), request.survey,
                  std::to_string(request.response), {{"review", store::to_string(before)}},
                  {{"review", store::to_string(request.state)}}, comment);
  });
}

std::vector<store::AuditEntry> review_history(store::SurveyStore& store, const Actor& actor,
                                              const std::string& survey, std::int64_t response) {
  authorize(actor, UseCase::ReviewResponse);
  check_survey_id(survey);
  require_survey(store, survey);
  store::AuditFilter filter;
  filter.survey = survey;
  filter.subject = std::to_string(response);
  filter.action = std::string(review_action);
  // A response is reviewed a few times at most; a bound all the same.
  filter.limit = 1000;
  return store.read_audit(filter);
}

AnswersNotRejected answers_not_rejected(std::vector<store::ExportedResponse> rows) {
  AnswersNotRejected out;
  for (auto& row : rows) {
    if (row.review == store::ReviewState::Rejected) {
      ++out.rejected;
      continue;
    }
    if (row.open_link) ++out.open_link;
    out.kept.push_back(std::move(row));
  }
  return out;
}

ExportedResponses export_responses(store::SurveyStore& store, const Actor& actor,
                                   const ExportResponses& request) {
  authorize(actor, UseCase::ExportResponses);
  check_survey_id(request.survey);
  if (request.since < 0 || request.limit < 0) {
    throw UseCaseError(Refusal::BadRequest, "request.bad_parameter",
                       "since and limit are whole numbers from 0",
                       request.since < 0 ? "since" : "limit");
  }
  ExportedResponses out;
  out.survey = require_survey(store, request.survey);
  out.rows = store.export_responses(request.survey, request.since, request.limit);
  return out;
}

store::Progress read_progress(store::SurveyStore& store, const Actor& actor,
                              const std::string& survey) {
  authorize(actor, UseCase::ReadProgress);
  check_survey_id(survey);
  require_survey(store, survey);
  return store.progress(survey);
}

}  // namespace sipas::app
