#pragma once

// The public pages of a survey, rendered on the server as complete HTML
// documents: the questionnaire's form, the thank-you page, and message pages
// (errors such as an unknown survey, a used invitation, a closed survey).
//
// The form works without JavaScript: it is a plain <form method=post> whose
// fields parse_form() (form_submission.hpp) reads back. It is mobile-first:
// one column, large touch targets, one page a section (FormPage::pages). A
// Likert statement (a matrix row, a likert item) of at most 7 points is one
// compact row: the statement, then a row of buttons at least 44 px square
// (numbers with the scale's end labels above from 4 points, each named by its
// label for a screen reader; short labels below 4), "don't know" (an excluded
// code) apart at the end. Other choices are a list of labelled radios or
// checkboxes; each matrix row of them is its own fieldset (a table by CSS on
// a wide screen). It is accessible: every input has a <label>, choice groups,
// matrix rows and sections are <fieldset>s with a <legend>, hints and errors
// are tied to inputs with aria-describedby, invalid inputs carry
// aria-invalid, and an error summary at the top links to each problem. It
// has `novalidate`: the server validates and answers in the respondent's
// language.
//
// Field names: an item's id (matrix rows by their own id); a multiple choice
// repeats the name once per selected code; control fields start with '_':
// _submission (the idempotency key), _action ("submit"; "save" for a draft;
// "next" and "back" between pages), _lang, _page (the page posted, 1-based). Element ids: item-{id}
// (an item's container), section-{id}, f-{id} (a text-like input) or f-{id}-{choice index} (a radio
// or checkbox), hint-{id}, error-{id}; the page's own elements start with "sipas-" (which no item
// id can produce, since ids have no '-').
//
// Assets: every page links {asset_base}form.css; the form page also loads
// {asset_base}form.js (deferred), which reads the skip logic from
// <script type="application/json" id="sipas-logic"> (form_logic_to_json,
// questionnaires/expression_json.hpp), hides the items and sections that do
// not apply (hidden attribute) and disables their inputs so that they are not
// submitted. Nothing is inline but that JSON data block, so a strict
// Content-Security-Policy (default-src 'self') fits. The files are in
// embedded_server_assets() as "assets/form.css" and "assets/form.js".
//
// Choices are listed in the scale's order; a scale displayed `descending` is
// listed from its last code to its first (5 down to 1, as the printed SIPAS
// form), except that its excluded ("don't know") codes stay last. A rating of
// at most 11 values is a row of radio buttons, a wider one a number box.
// Numbers are typed in text boxes with inputmode (not type=number, which a
// browser empties when it cannot read it, hiding the mistake from the server).
// Items with `preload` are shown read-only and not posted: the server sets
// them from the invitation. A calculate item renders nothing.
//
// Everything that comes from the questionnaire or the respondent is escaped
// (io/html_escape.hpp). Texts may name another item as ${id}: it is replaced by that
// item's current answer (a choice's label), and the script keeps it current.
//
// Interface texts (buttons, the error summary's title, ...) are the
// catalogues' "form.*" and "status.*" (texts/), in Vietnamese and English; any
// other language gets English.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "questionnaires/pages.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/validation.hpp"

namespace sipas::survey_server {

// Where the server serves assets/form.css and assets/form.js.
inline constexpr std::string_view default_asset_base = "/assets/";

struct FormPage {
  const questionnaires::Questionnaire* questionnaire = nullptr;  // required
  std::string survey_id;
  std::size_t language = 0;  // index into questionnaire->languages()
  // The form's action (path and query, e.g. "/s/hn-2026?t=TOKEN"); escaped by
  // the renderer, so pass it as the URL itself.
  std::string action;
  std::string submission_id;  // hidden field _submission
  // Prefill: a draft, or the answers just rejected. Choices stay checked and
  // texts filled, even invalid ones, so the respondent can correct them.
  const questionnaires::Response* answers = nullptr;
  // Issues shown next to their items, and listed in a summary at the top
  // (with links to the items); issues of no item are listed only there.
  const questionnaires::ValidationResult* errors = nullptr;
  bool can_save_draft = false;  // a "save and continue later" button (_action=save)
  bool draft_saved = false;     // a "your answers are saved" notice
  // The language links are this URL with "lang=xx" appended after '?' or '&';
  // empty: `action`.
  std::string language_switch_base;
  std::string asset_base = std::string(default_asset_base);

  // One page of the form (pages.hpp), or the whole form at once when null.
  // A page shows a progress bar ("Trang 2/6"), its section's part of the
  // questionnaire, a hidden _page (1-based), and the buttons: "next", or
  // "submit" on the last page that applies; "back" when an earlier page
  // applies; "save" as above. The answers of the other pages are hidden
  // fields, so that the script's skip logic sees them and an open link,
  // which keeps no draft, carries them from page to page.
  const questionnaires::Pages* pages = nullptr;
  std::size_t page = 0;
  bool back = false;
  bool last = false;
  // A notice above the error summary that the problems shown here were
  // found by the final check (the person pressed submit on another page).
  bool issues_elsewhere = false;
};

std::string render_form(const FormPage& page);

// The same pages for one questionnaire, faster: each page (and the whole
// form) of each language is rendered once, and a request without answers or
// errors (a first visit, the common case) only copies it with the request's
// action, submission id, language links, notice and draft button filled in.
// Other requests are rendered in full, with the skip logic's JSON still
// computed only once. render(page) returns exactly render_form(page). Holds
// the questionnaire's Pages (pages()). Immutable once built; render() is
// safe to call from several threads at once. The questionnaire must outlive
// it.
class FormTemplate {
 public:
  explicit FormTemplate(const questionnaires::Questionnaire& q,
                        std::string_view asset_base = default_asset_base);
  ~FormTemplate();
  FormTemplate(const FormTemplate&) = delete;
  FormTemplate& operator=(const FormTemplate&) = delete;

  const questionnaires::Pages& pages() const { return pages_; }

  // For a person who has answered nothing yet (no draft: the common first
  // visit), worked out once: the first page that applies, and for each page
  // whether a page before and one after it apply.
  struct BlankPages {
    std::size_t first = 0;
    std::vector<bool> applies, back, next;
  };
  const BlankPages& blank_pages() const { return blank_; }

  // page.questionnaire is ignored (the template's own is used), and so is
  // page.pages but for being null or not (the template's own are used).
  std::string render(const FormPage& page) const;

 private:
  struct Compiled;
  const questionnaires::Questionnaire& q_;
  questionnaires::Pages pages_;
  BlankPages blank_;
  std::string asset_base_;
  std::vector<std::string> logic_json_;           // by page; the last: the whole form
  std::vector<std::vector<Compiled>> languages_;  // [language][page as logic_json_]
};

// After a successful submission: the title and the questionnaire's closing
// text (or a default thank-you sentence).
std::string render_thanks(const questionnaires::Questionnaire& q, std::size_t language,
                          std::string_view asset_base = default_asset_base);

// A page with a heading and a message (the message's line breaks become
// paragraphs). `lang` is the page's language code.
std::string render_message(std::string_view title, std::string_view message, std::string_view lang,
                           std::string_view asset_base = default_asset_base);
// The same, titled for an HTTP status (404 "Không tìm thấy" / "Not found", 409
// "Phiếu đã được trả lời" / "Already answered", 410 "Khảo sát đã đóng" /
// "Survey closed", ...).
std::string render_message(int status, std::string_view message, std::string_view lang,
                           std::string_view asset_base = default_asset_base);

}  // namespace sipas::survey_server
