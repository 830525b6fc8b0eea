#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace sipas::app {

// Who asks. `name` goes into the audit trail: "cli:USER" for a command run on
// the database file, "key:NAME" for a key from the database, "key-file:HASH8"
// for one from the server's key file, "respondent" for the public side.
struct Actor {
  std::string name;
  std::optional<store::Role> role;  // nullopt: the public (a respondent)
  // A person logged in to the console ("user:NAME"): their role, and for a
  // unit user their unit. `role` is then what that role may do of the
  // keys' use cases (admin and manager: Manager; analyst: Analyst).
  std::optional<store::UserRole> user_role = std::nullopt;
  std::optional<std::string> unit = std::nullopt;
};

// Every use case, for its one authorisation rule (required_role).
enum class UseCase {
  ReadPublic,  // health, static assets
  ReadQuestionnaire,
  SubmitResponse,
  SaveDraft,
  ListSurveys,
  ReadSurvey,
  CreateSurvey,
  SetSurveyOptions,
  OpenSurvey,
  CloseSurvey,
  ImportSample,
  ActivateReserves,
  ReissueLink,
  ReadProgress,
  ExportResponses,
  ReviewResponse,
  ReadAudit,
  CreateKey,
  ReadMetrics,
  ImportUnits,
  ListUnits,
  ReadIndices,
  ReadUnit,  // a unit's page: any person, a unit user only their unit and those below it
  ManageUsers,
  LogIn,       // the console's login form: anyone
  UseConsole,  // the console's pages: any person logged in
};

// The role a use case needs: nullopt for the public ones. A manager may do
// everything an analyst may.
std::optional<store::Role> required_role(UseCase use_case);
std::string_view name_of(UseCase use_case);

// Whether the actor may: true, or throws UseCaseError (Forbidden,
// "auth.forbidden"). Callers that know the actor from a request's header
// (the server's admission) call it before reading the body.
void authorize(const Actor& actor, UseCase use_case);
bool may(const Actor& actor, UseCase use_case);

// The command line acts on the database file: whoever may write the file is
// its manager. "cli:" and the login name.
Actor command_line_actor();

// The actor of a person logged in to the console.
Actor person_actor(const store::UserRecord& user);

}  // namespace sipas::app
