#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "store/store.hpp"

namespace sipas::app {

// The fieldwork progress of a survey as the admin API returns it (GET
// /api/v1/surveys/{id}/progress) and `sipas survey progress` writes it:
// invited, opened, responded, AAPOR RR1 and reserves waiting by stratum and
// overall; rates of strata with nobody invited are null.
nlohmann::json progress_json(const std::string& survey, const store::Progress& progress);

}  // namespace sipas::app
