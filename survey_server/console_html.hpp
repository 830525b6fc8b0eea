#pragma once

// Pieces every console page is made of: catalogue texts, hidden inputs,
// table headings, links to units, numbers in the report's formats, the error
// summary. Every value escaped.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/accounts.hpp"
#include "store/store.hpp"

namespace sipas::survey_server::console_html {

const std::string& t(std::string_view lang, std::string_view key);
void append_text(std::string& out, std::string_view lang, std::string_view key);
void append_hidden(std::string& out, std::string_view name, std::string_view value);
void append_th(std::string& out, std::string_view lang, std::string_view key);
// A unit by its name, the id in small print, linking to its page.
void append_unit_link(std::string& out, std::string_view lang, const store::UnitRecord& unit);
// Numbers as the report prints them (Vietnamese 1.234,5; English 1,234.5).
std::string count_text(std::string_view lang, std::int64_t n);
std::string percent_text(std::string_view lang, double percent);
std::string_view state_key(store::SurveyState state);
// "2026-12-08 09:15:02 UTC": the server keeps times in UTC and says so.
std::string utc_time(store::Timestamp at);
// "/admin/surveys/ID" + rest, the id percent-encoded (not yet HTML-escaped).
std::string survey_path(std::string_view survey, std::string_view rest = "");
// <form method="post" action="PATH?lang=LANG" ...> with its _csrf.
void open_post_form(std::string& out, std::string_view lang, std::string_view path,
                    std::string_view csrf, bool multipart = false);
// The error summary forms open with: a heading, then each problem as is
// (messages name the file and line, or the field).
void append_error_summary(std::string& out, std::string_view lang, std::string_view heading_key,
                          const std::vector<std::string>& problems);
// A form field's <label class="question" for=ID> and its hint <p id=ID>.
void append_label(std::string& out, std::string_view lang, std::string_view id,
                  std::string_view key);
void append_hint(std::string& out, std::string_view lang, std::string_view id,
                 std::string_view key);
// A table's frame: on a narrow screen the table scrolls inside it, not the
// page (close it with "</div>"). Focusable, so keyboards can scroll it.
void open_table_scroll(std::string& out, std::string_view lang);
// <p><a href="PATH?lang=LANG">text</a></p>: the way back or on.
void append_link(std::string& out, std::string_view lang, std::string_view path,
                 std::string_view key);
// A message that something was done: role="status".
void append_notice(std::string& out, std::string_view text);

}  // namespace sipas::survey_server::console_html
