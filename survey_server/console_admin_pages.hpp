#pragma once

// The console's pages for people and keys, the audit trail, a survey's
// invitations and re-issued links. Rendered on the server; every value
// escaped; a secret (a made password, a new key, a new link) is shown once,
// on a page no one caches.

#include <optional>
#include <string>
#include <vector>

#include "app/invitation_list.hpp"
#include "store/accounts.hpp"
#include "store/store.hpp"
#include "survey_server/console_pages.hpp"

namespace sipas::survey_server {

// The add form of the users page: what was typed and why it was refused.
struct AddUserForm {
  std::string name, role, unit;
  std::vector<std::string> problems;
};
std::string render_users_page(const ConsoleFrame& frame,
                              const std::vector<store::UserRecord>& users,
                              const std::vector<store::UnitRecord>& units, const AddUserForm& form);

// A secret shown once: a heading, what it is for, the value, a way back.
struct SecretView {
  std::string heading;      // in the page's language
  std::string explanation;  // in the page's language
  std::string secret;
  std::string back_path;  // where the "back" link goes
};
std::string render_secret_page(const ConsoleFrame& frame, const SecretView& view);

struct AddKeyForm {
  std::string name, role;
  std::vector<std::string> problems;
};
std::string render_keys_page(const ConsoleFrame& frame, const std::vector<store::ApiKeyInfo>& keys,
                             const AddKeyForm& form);

// The audit trail's filter as typed, and the entries it gave (newest first).
struct AuditFilterForm {
  std::string actor, survey, from, to;
  std::vector<std::string> problems;
};
std::string render_audit_page(const ConsoleFrame& frame, const AuditFilterForm& filter,
                              const std::vector<store::AuditEntry>& entries, std::size_t limit);

struct InvitationsView {
  std::string survey;
  app::InvitationPage page;
  std::int64_t offset = 0, limit = 100;
};
std::string render_invitations_page(const ConsoleFrame& frame, const InvitationsView& view);

// The re-issue form (a respondent id) and why a request was refused.
struct ReissueForm {
  std::string survey, respondent_id;
  std::vector<std::string> problems;
};
std::string render_links_page(const ConsoleFrame& frame, const ReissueForm& form);

}  // namespace sipas::survey_server
