#include "app/actor.hpp"

#include <pwd.h>
#include <unistd.h>

#include "app/use_case_error.hpp"

namespace sipas::app {

std::optional<store::Role> required_role(UseCase use_case) {
  switch (use_case) {
    case UseCase::ReadPublic:
    case UseCase::ReadQuestionnaire:
    case UseCase::SubmitResponse:
    case UseCase::SaveDraft:
    case UseCase::LogIn:
    case UseCase::UseConsole:  // a person, whatever their role: may() says
    case UseCase::ReadUnit:
      return std::nullopt;
    case UseCase::ListSurveys:
    case UseCase::ReadSurvey:
    case UseCase::ReadProgress:
    case UseCase::ExportResponses:
    case UseCase::ReadMetrics:
    case UseCase::ListUnits:
    case UseCase::ReadIndices:
      return store::Role::Analyst;
    case UseCase::CreateSurvey:
    case UseCase::SetSurveyOptions:
    case UseCase::OpenSurvey:
    case UseCase::CloseSurvey:
    case UseCase::ImportSample:
    case UseCase::ActivateReserves:
    case UseCase::ReissueLink:
    case UseCase::ReviewResponse:
    case UseCase::ReadAudit:
    case UseCase::CreateKey:
    case UseCase::ImportUnits:
    case UseCase::ManageUsers:
      return store::Role::Manager;
  }
  return store::Role::Manager;
}

std::string_view name_of(UseCase use_case) {
  switch (use_case) {
    case UseCase::ReadPublic:
      return "read a public page";
    case UseCase::ReadQuestionnaire:
      return "read the questionnaire";
    case UseCase::SubmitResponse:
      return "submit a response";
    case UseCase::SaveDraft:
      return "save a draft";
    case UseCase::ListSurveys:
      return "list surveys";
    case UseCase::ReadSurvey:
      return "read a survey";
    case UseCase::CreateSurvey:
      return "create a survey";
    case UseCase::SetSurveyOptions:
      return "change a survey's options";
    case UseCase::OpenSurvey:
      return "open a survey";
    case UseCase::CloseSurvey:
      return "close a survey";
    case UseCase::ImportSample:
      return "import a sample";
    case UseCase::ActivateReserves:
      return "activate reserves";
    case UseCase::ReissueLink:
      return "re-issue a link";
    case UseCase::ReadProgress:
      return "read progress";
    case UseCase::ExportResponses:
      return "export responses";
    case UseCase::ReviewResponse:
      return "review a response";
    case UseCase::ReadAudit:
      return "read the audit trail";
    case UseCase::CreateKey:
      return "create an API key";
    case UseCase::ReadMetrics:
      return "read metrics";
    case UseCase::ImportUnits:
      return "import units";
    case UseCase::ListUnits:
      return "list units";
    case UseCase::ReadIndices:
      return "read the live indices";
    case UseCase::ReadUnit:
      return "read a unit's page";
    case UseCase::ManageUsers:
      return "manage users";
    case UseCase::LogIn:
      return "log in";
    case UseCase::UseConsole:
      return "use the console";
  }
  return "?";
}

bool may(const Actor& actor, UseCase use_case) {
  if (use_case == UseCase::UseConsole || use_case == UseCase::ReadUnit)
    return actor.user_role.has_value() || actor.role == store::Role::Manager;
  // Users are the administrator's among people; the command line and
  // manager keys (whoever holds the database) may too.
  if (use_case == UseCase::ManageUsers && actor.user_role)
    return *actor.user_role == store::UserRole::Admin;
  const auto needed = required_role(use_case);
  if (!needed) return true;
  if (!actor.role) return false;
  return *actor.role == store::Role::Manager || *actor.role == *needed;
}

void authorize(const Actor& actor, UseCase use_case) {
  if (may(actor, use_case)) return;
  if (use_case == UseCase::UseConsole || use_case == UseCase::ReadUnit) {
    throw UseCaseError(Refusal::Forbidden, "auth.forbidden", "the console is for people logged in");
  }
  if (use_case == UseCase::ManageUsers && actor.user_role) {
    throw UseCaseError(Refusal::Forbidden, "auth.forbidden", "managing users needs the admin role");
  }
  throw UseCaseError(Refusal::Forbidden, "auth.forbidden",
                     "to " + std::string(name_of(use_case)) + " needs the " +
                         std::string(store::to_string(*required_role(use_case))) + " role");
}

Actor command_line_actor() {
  std::string user;
  if (const passwd* entry = ::getpwuid(::geteuid()); entry && entry->pw_name) {
    user = entry->pw_name;
  } else {
    user = "uid" + std::to_string(::geteuid());
  }
  return {"cli:" + user, store::Role::Manager};
}

Actor person_actor(const store::UserRecord& user) {
  Actor actor{"user:" + user.name, std::nullopt, user.role, user.unit};
  if (user.role == store::UserRole::Admin || user.role == store::UserRole::Manager)
    actor.role = store::Role::Manager;
  else if (user.role == store::UserRole::Analyst)
    actor.role = store::Role::Analyst;
  return actor;
}

}  // namespace sipas::app
