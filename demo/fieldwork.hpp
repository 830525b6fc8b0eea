#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "questionnaires/questionnaire.hpp"

namespace sipas::demo {

// An invitation as the links CSV gives it (survey_server/sample_import.hpp).
struct Invitation {
  std::string id;
  std::string stratum;
  std::string token;
};

// Reads the links CSV that the admin API returns on an import; reserves
// without a token are left out.
std::vector<Invitation> read_links(const std::filesystem::path& links_csv);

// What one simulated respondent does with an invitation.
struct Behaviour {
  bool responds = false;
  double satisfaction = 0.8;   // chance that a scored answer is a satisfied code
  bool invalid_first = false;  // first sends a response with a defect: must get 422
  bool replays = false;        // sends the same submission again: must get 200, same response
  bool answers_twice = false;  // then a new submission on the same token: must get 409
  // Answers the respondent gives as they are (e.g. the unit rated and the
  // respondent group, which the invitation fixes).
  std::vector<std::pair<std::string, std::string>> fixed;
};

struct FieldworkTally {
  std::size_t invited = 0;
  std::size_t answered = 0;          // 201 Created
  std::size_t invalid_rejected = 0;  // 422 for a response with a defect
  std::size_t replays_accepted = 0;  // 200 with the first result
  std::size_t second_refused = 0;    // 409 for a second response on a token
};

// The respondents answer over HTTP (POST /api/v1/surveys/{survey}/responses
// ?t=TOKEN, JSON) on `clients` keep-alive connections at once, each after
// fetching the questionnaire as a client app would. Invitations go to the
// clients in a fixed order and every client draws its answers from its own
// seeded generator, so a run is reproducible. Any reply other than the one
// the behaviour makes certain is a DemoError naming the invitation and status.
FieldworkTally answer_over_http(unsigned short port, const std::string& survey,
                                const questionnaires::Questionnaire& questionnaire,
                                const std::vector<Invitation>& invitations,
                                const std::function<Behaviour(const Invitation&)>& behaviour,
                                int clients, std::uint64_t seed);

}  // namespace sipas::demo
