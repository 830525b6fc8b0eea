#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "app/actor.hpp"
#include "store/store.hpp"

namespace sipas::app {

// Appends who did what to the audit trail, in the caller's transaction (call
// it inside atomically(), after the change succeeded).
// `note`: a person's words on the change (a review's comment).
void record_change(store::SurveyStore& store, const Actor& actor, std::string action,
                   std::optional<std::string> survey, std::optional<std::string> subject,
                   const nlohmann::json& before, const nlohmann::json& after,
                   std::optional<std::string> note = std::nullopt);

// Which entries to read; every condition given must hold (exact matches).
struct ReadAudit {
  std::optional<std::string> survey;  // all surveys when empty
  std::int64_t since = 0;             // seq > since
  std::int64_t limit = 1000;
  std::optional<std::string> actor = std::nullopt;    // "user:anna", "cli:root", "key:desk"
  std::optional<std::string> subject = std::nullopt;  // what was changed
  std::optional<std::string> action = std::nullopt;   // "response.review", ...
  // Seconds, UTC: at >= from, at < to (parse_utc_day for the edges' days).
  std::optional<store::Timestamp> from = std::nullopt;
  std::optional<store::Timestamp> to = std::nullopt;
  bool newest_first = false;  // the newest `limit` that match, newest first
};

// request.bad_parameter (with the field) for since or limit below 0, an
// empty actor, subject or action, or from not before to; survey.bad_id.
std::vector<store::AuditEntry> read_audit(store::SurveyStore& store, const Actor& actor,
                                          const ReadAudit& request);

// {"entries": [{"seq","at","actor","action","survey","subject","before","after","note"}],
// "next_since"}.
nlohmann::json audit_json(const std::vector<store::AuditEntry>& entries, std::int64_t since);
// One line per entry, tab-separated: seq, time, actor, action, survey,
// subject, before → after, and the note when there is one.
std::string audit_text(const std::vector<store::AuditEntry>& entries);

}  // namespace sipas::app
