#pragma once

// The console's page of a survey's downloads (/admin/surveys/{survey}/exports):
// each file with what it holds and which answers, linking to
// /admin/surveys/{survey}/exports/{format} (app/survey_exports.hpp).

#include <string>
#include <string_view>

#include "survey_server/console_pages.hpp"

namespace sipas::survey_server {

std::string render_exports_page(const ConsoleFrame& frame, std::string_view survey);

}  // namespace sipas::survey_server
