#pragma once

// The console's pages for running a survey: creating one, uploading its
// sample, its review queue and one response with the questionnaire's
// wording. Rendered on the server; every value escaped.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "questionnaires/questionnaire.hpp"
#include "store/store.hpp"
#include "survey_server/console_pages.hpp"

namespace sipas::survey_server {

// The create form on the surveys page: what was typed, and why it was
// refused.
struct CreateSurveyForm {
  std::vector<std::string> standards;  // the standard instruments' names
  std::string id, standard;
  bool open_link = false;
  std::vector<std::string> problems;
};
void append_create_survey_form(std::string& out, const ConsoleFrame& frame,
                               const CreateSurveyForm& form);

// The sample upload page: the form, and each bad line of a refused file.
struct SampleForm {
  std::string survey;
  std::string contacts;  // the contact columns typed, comma-separated
  std::vector<std::string> problems;
};
std::string render_sample_page(const ConsoleFrame& frame, const SampleForm& form);

// The review queue: responses of one review state, oldest first.
struct ReviewQueueView {
  std::string survey;
  store::ReviewState state = store::ReviewState::Received;
  std::vector<store::ExportedResponse> rows;  // answers not shown here
  std::optional<std::int64_t> next_after;     // a next page starts after this seq
};
std::string render_review_queue(const ConsoleFrame& frame, const ReviewQueueView& view);

// One response: its answers with the questionnaire's wording (in the page's
// language when the questionnaire has it), its review history, and the
// review form for a manager.
struct ResponseView {
  std::string survey;
  const questionnaires::Questionnaire* questionnaire = nullptr;
  store::ExportedResponse response;
  std::vector<store::AuditEntry> history;  // its reviews, oldest first
  bool can_review = false;
};
std::string render_response_page(const ConsoleFrame& frame, const ResponseView& view);

}  // namespace sipas::survey_server
