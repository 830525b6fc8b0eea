#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "app/actor.hpp"
#include "store/store.hpp"

namespace sipas::app {

// Appends who did what to the audit trail, in the caller's transaction (call
// it inside atomically(), after the change succeeded).
void record_change(store::SurveyStore& store, const Actor& actor, std::string action,
                   std::optional<std::string> survey, std::optional<std::string> subject,
                   const nlohmann::json& before, const nlohmann::json& after);

struct ReadAudit {
  std::optional<std::string> survey;  // all surveys when empty
  std::int64_t since = 0;
  std::int64_t limit = 1000;
};

std::vector<store::AuditEntry> read_audit(store::SurveyStore& store, const Actor& actor,
                                          const ReadAudit& request);

// {"entries": [{"seq","at","actor","action","survey","subject","before","after"}],
// "next_since"}.
nlohmann::json audit_json(const std::vector<store::AuditEntry>& entries, std::int64_t since);
// One line per entry, tab-separated: seq, time, actor, action, survey,
// subject, before → after.
std::string audit_text(const std::vector<store::AuditEntry>& entries);

}  // namespace sipas::app
