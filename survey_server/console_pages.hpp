#pragma once

// The console's pages (/admin/...), rendered on the server from the text
// catalogues, in Vietnamese or English; every value escaped; no inline
// script or style (the pages' Content-Security-Policy forbids them).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/live_indices.hpp"
#include "app/survey_overview.hpp"
#include "questionnaires/questionnaire.hpp"
#include "store/accounts.hpp"
#include "store/store.hpp"

namespace sipas::survey_server {

// "vi" unless ?lang= names another catalogue's language: a view of the
// catalogue's own code, which lives as long as the program.
std::string_view console_language(const std::optional<std::string>& requested);

struct LoginView {
  std::string_view lang;
  std::string csrf;                  // the form's _csrf
  std::string user;                  // the name typed before, shown again
  std::optional<std::string> error;  // a catalogue key: console.login_failed, ...
};
std::string render_login_page(const LoginView& view);

struct HomeView {
  std::string_view lang;
  std::string csrf;  // the logout form's _csrf
  store::UserRecord user;
  std::optional<store::UnitRecord> unit;
};
std::string render_console_home(const HomeView& view);

// The frame of a page for a person logged in: the masthead with the person
// and the logout button, the page's <h1>, and a <nav> of the pages their
// role has; then the caller's content, then close_console_page.
struct ConsoleFrame {
  std::string_view lang;
  std::string csrf;  // the logout form's _csrf
  const store::UserRecord* user = nullptr;
  std::string path;   // this page's path, for the language links
  std::string title;  // already in the page's language
};
void open_console_page(std::string& out, const ConsoleFrame& frame);
void close_console_page(std::string& out);

// A refusal or failure on a console page, for the person logged in: what
// happened in their language, the reason as the server states it (with its
// id, to quote when asking for help), and the way home.
std::string render_console_error(const ConsoleFrame& frame, int status, std::string_view code,
                                 std::string_view message);

// The units a person may see, as a table of links to their pages.
std::string render_units_page(const ConsoleFrame& frame,
                              const std::vector<store::UnitRecord>& units);
std::string render_unit_page(const ConsoleFrame& frame, const store::UnitRecord& unit,
                             const std::optional<store::UnitRecord>& parent,
                             const std::vector<store::UnitRecord>& children);

struct CreateSurveyForm;  // console_survey_pages.hpp

// The surveys, each linking to its page; for a manager, the form that
// creates one (null: not shown).
std::string render_surveys_page(const ConsoleFrame& frame,
                                const std::vector<store::SurveyRecord>& surveys,
                                const CreateSurveyForm* create = nullptr);

// One survey: its state (with the open/close button for a manager), response
// rates by stratum with the units' names (a <meter> each: a bar with the
// number beside it), and for analysts the live indices without a domain
// (estimate, SE, 95% interval, drawn as a bar with whiskers).
struct SurveyPageView {
  const app::SurveyOverview* overview = nullptr;
  bool can_change_state = false;
  bool can_manage = false;                    // options, sample, reserves, links (a manager)
  bool can_review = false;                    // the review queue
  bool can_export = false;                    // the exports
  const app::LiveIndices* indices = nullptr;  // null: not shown (a unit user)
  // The survey's questionnaire: the indices' names in the page's language.
  const questionnaires::Questionnaire* questionnaire = nullptr;
  // The indices shown are from before the newest answers; newer ones are
  // being computed.
  bool indices_updating = false;
  std::int64_t indices_refresh_seconds = 30;  // how often newer ones are computed at most
  int refresh_seconds = 20;                   // the progress script's interval
};
std::string render_survey_page(const ConsoleFrame& frame, const SurveyPageView& view);

}  // namespace sipas::survey_server
