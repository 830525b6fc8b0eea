#include "store/migrations.hpp"

#include <array>
#include <chrono>
#include <string>

#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace sipas::store {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// Append only: a released step is never edited, because databases in the field
// are already past it. A change to the schema is a new step.
constexpr std::array migrations{
    Migration{1, "surveys, invitations with attributes and contacts, responses, API keys",
              R"sql(
CREATE TABLE schema_migrations (
  version INTEGER PRIMARY KEY,
  applied_at INTEGER NOT NULL,
  description TEXT NOT NULL
);

CREATE TABLE surveys (
  id TEXT PRIMARY KEY NOT NULL,
  questionnaire_json TEXT NOT NULL,
  questionnaire_id TEXT NOT NULL,
  questionnaire_version TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('draft', 'open', 'closed')),
  created_at INTEGER NOT NULL,
  opened_at INTEGER,
  closed_at INTEGER
);

-- One row per sampled unit. token_hash is the hex SHA-256 of the token (the
-- token itself is never stored); NULL while a reserve waits.
CREATE TABLE invitations (
  id INTEGER PRIMARY KEY,
  survey TEXT NOT NULL REFERENCES surveys (id),
  respondent_id TEXT NOT NULL,
  stratum TEXT NOT NULL,
  psu TEXT NOT NULL,
  inclusion_probability REAL NOT NULL,
  design_weight REAL NOT NULL,
  reserve INTEGER NOT NULL CHECK (reserve IN (0, 1)),
  reserve_rank INTEGER NOT NULL,
  import_order INTEGER NOT NULL,
  token_hash TEXT UNIQUE,
  active INTEGER NOT NULL CHECK (active IN (0, 1)),
  activated_at INTEGER,
  opened_at INTEGER,
  UNIQUE (survey, respondent_id),
  CHECK (active = 0 OR token_hash IS NOT NULL)
);
CREATE INDEX invitations_by_stratum
  ON invitations (survey, stratum, active, reserve_rank, import_order);

-- Carried frame columns that go with the answers (calibration variables).
CREATE TABLE invitation_attributes (
  invitation INTEGER NOT NULL REFERENCES invitations (id),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (invitation, position)
) WITHOUT ROWID;

-- Personal contact data: a table of its own that no export query names.
CREATE TABLE invitation_contacts (
  invitation INTEGER NOT NULL REFERENCES invitations (id),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (invitation, position)
) WITHOUT ROWID;

-- AUTOINCREMENT: seq never goes back, so it is a safe export cursor.
-- UNIQUE (invitation): one response per invitation, whatever the callers do.
-- UNIQUE (survey, submission_id): a retried submission finds the first one.
CREATE TABLE responses (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  survey TEXT NOT NULL REFERENCES surveys (id),
  invitation INTEGER UNIQUE REFERENCES invitations (id),
  submission_id TEXT NOT NULL,
  language TEXT NOT NULL,
  answers_json TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  client TEXT NOT NULL,
  UNIQUE (survey, submission_id)
);
CREATE INDEX responses_by_survey ON responses (survey, seq);

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('manager', 'analyst')),
  key_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
)sql"},
    Migration{2, "drafts (save and resume); review state of responses",
              R"sql(
CREATE TABLE drafts (
  invitation INTEGER PRIMARY KEY REFERENCES invitations (id),
  answers_json TEXT NOT NULL,
  saved_at INTEGER NOT NULL
);

ALTER TABLE responses ADD COLUMN review_state TEXT NOT NULL DEFAULT 'received'
  CHECK (review_state IN ('received', 'approved', 'rejected'));
ALTER TABLE responses ADD COLUMN reviewed_at INTEGER;
)sql"},
    Migration{3, "progress counts per stratum, kept by triggers",
              R"sql(
-- What GET /progress reports, kept up to date in the transaction that changes
-- an invitation or a response, so that reading it costs a few rows instead of
-- a scan of the survey's invitations. An invitation counts as invited when
-- active, opened when active and opened or answered, responded when active
-- and answered; a reserve waits while inactive.
CREATE TABLE stratum_progress (
  survey TEXT NOT NULL,
  stratum TEXT NOT NULL,
  invited INTEGER NOT NULL DEFAULT 0,
  opened INTEGER NOT NULL DEFAULT 0,
  responded INTEGER NOT NULL DEFAULT 0,
  reserves_waiting INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (survey, stratum)
) WITHOUT ROWID;

INSERT INTO stratum_progress (survey, stratum, invited, opened, responded, reserves_waiting)
SELECT i.survey, i.stratum, SUM(i.active),
       SUM(i.active AND (i.opened_at IS NOT NULL OR r.seq IS NOT NULL)),
       SUM(i.active AND r.seq IS NOT NULL), SUM(i.reserve AND NOT i.active)
FROM invitations i LEFT JOIN responses r ON r.invitation = i.id
GROUP BY i.survey, i.stratum;

CREATE TRIGGER stratum_progress_invitation_added AFTER INSERT ON invitations BEGIN
  INSERT OR IGNORE INTO stratum_progress (survey, stratum) VALUES (NEW.survey, NEW.stratum);
  UPDATE stratum_progress SET
    invited = invited + NEW.active,
    opened = opened + (NEW.active AND (NEW.opened_at IS NOT NULL OR
                       EXISTS (SELECT 1 FROM responses WHERE invitation = NEW.id))),
    responded = responded + (NEW.active AND
                             EXISTS (SELECT 1 FROM responses WHERE invitation = NEW.id)),
    reserves_waiting = reserves_waiting + (NEW.reserve AND NOT NEW.active)
  WHERE survey = NEW.survey AND stratum = NEW.stratum;
END;

CREATE TRIGGER stratum_progress_invitation_removed AFTER DELETE ON invitations BEGIN
  UPDATE stratum_progress SET
    invited = invited - OLD.active,
    opened = opened - (OLD.active AND (OLD.opened_at IS NOT NULL OR
                       EXISTS (SELECT 1 FROM responses WHERE invitation = OLD.id))),
    responded = responded - (OLD.active AND
                             EXISTS (SELECT 1 FROM responses WHERE invitation = OLD.id)),
    reserves_waiting = reserves_waiting - (OLD.reserve AND NOT OLD.active)
  WHERE survey = OLD.survey AND stratum = OLD.stratum;
END;

-- The old row's counts out, the new row's in (its response, if any, is the
-- same before and after).
CREATE TRIGGER stratum_progress_invitation_changed
AFTER UPDATE OF survey, stratum, active, reserve, opened_at ON invitations BEGIN
  UPDATE stratum_progress SET
    invited = invited - OLD.active,
    opened = opened - (OLD.active AND (OLD.opened_at IS NOT NULL OR
                       EXISTS (SELECT 1 FROM responses WHERE invitation = OLD.id))),
    responded = responded - (OLD.active AND
                             EXISTS (SELECT 1 FROM responses WHERE invitation = OLD.id)),
    reserves_waiting = reserves_waiting - (OLD.reserve AND NOT OLD.active)
  WHERE survey = OLD.survey AND stratum = OLD.stratum;
  INSERT OR IGNORE INTO stratum_progress (survey, stratum) VALUES (NEW.survey, NEW.stratum);
  UPDATE stratum_progress SET
    invited = invited + NEW.active,
    opened = opened + (NEW.active AND (NEW.opened_at IS NOT NULL OR
                       EXISTS (SELECT 1 FROM responses WHERE invitation = NEW.id))),
    responded = responded + (NEW.active AND
                             EXISTS (SELECT 1 FROM responses WHERE invitation = NEW.id)),
    reserves_waiting = reserves_waiting + (NEW.reserve AND NOT NEW.active)
  WHERE survey = NEW.survey AND stratum = NEW.stratum;
END;

-- An invitation gains its one response (UNIQUE): it is now responded, and
-- opened if it was not already.
CREATE TRIGGER stratum_progress_response_added
AFTER INSERT ON responses WHEN NEW.invitation IS NOT NULL BEGIN
  UPDATE stratum_progress SET
    opened = opened + (SELECT active AND opened_at IS NULL FROM invitations
                       WHERE id = NEW.invitation),
    responded = responded + (SELECT active FROM invitations WHERE id = NEW.invitation)
  WHERE (survey, stratum) = (SELECT survey, stratum FROM invitations WHERE id = NEW.invitation);
END;

CREATE TRIGGER stratum_progress_response_removed
AFTER DELETE ON responses WHEN OLD.invitation IS NOT NULL BEGIN
  UPDATE stratum_progress SET
    opened = opened - (SELECT active AND opened_at IS NULL FROM invitations
                       WHERE id = OLD.invitation),
    responded = responded - (SELECT active FROM invitations WHERE id = OLD.invitation)
  WHERE (survey, stratum) = (SELECT survey, stratum FROM invitations WHERE id = OLD.invitation);
END;

CREATE TRIGGER stratum_progress_response_moved AFTER UPDATE OF invitation ON responses BEGIN
  UPDATE stratum_progress SET
    opened = opened - (SELECT active AND opened_at IS NULL FROM invitations
                       WHERE id = OLD.invitation),
    responded = responded - (SELECT active FROM invitations WHERE id = OLD.invitation)
  WHERE OLD.invitation IS NOT NULL AND
        (survey, stratum) = (SELECT survey, stratum FROM invitations WHERE id = OLD.invitation);
  UPDATE stratum_progress SET
    opened = opened + (SELECT active AND opened_at IS NULL FROM invitations
                       WHERE id = NEW.invitation),
    responded = responded + (SELECT active FROM invitations WHERE id = NEW.invitation)
  WHERE NEW.invitation IS NOT NULL AND
        (survey, stratum) = (SELECT survey, stratum FROM invitations WHERE id = NEW.invitation);
END;
)sql"},
    Migration{4, "open link per survey (off unless a survey lives on it)",
              R"sql(
-- Whether the survey takes answers without an invitation token (the open
-- link, /s/{survey} without ?t=). Off for new surveys: on a sample survey a
-- token-less answer is ballot stuffing, with no stratum and no weight.
ALTER TABLE surveys ADD COLUMN open_link INTEGER NOT NULL DEFAULT 0
  CHECK (open_link IN (0, 1));

-- Existing surveys took open-link answers without being asked. They keep the
-- link only where turning it off would stop a survey that has worked through
-- it alone: no invitations, and open-link answers already received (a kiosk
-- or a short form on a website). A survey with invitations loses it: that is
-- the hole this step closes; a manager can turn it back on.
UPDATE surveys SET open_link = 1
WHERE NOT EXISTS (SELECT 1 FROM invitations i WHERE i.survey = surveys.id)
  AND EXISTS (SELECT 1 FROM responses r WHERE r.survey = surveys.id AND r.invitation IS NULL);
)sql"},
    Migration{5, "the audit trail: every change by a person, append-only",
              R"sql(
-- Who did what, when, to what, before and after: one row per change by a
-- person (a manager's command, an API key's request), written in the
-- transaction of the change. Rows are never updated or deleted.
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  survey TEXT,
  subject TEXT,
  before_json TEXT,
  after_json TEXT
);
CREATE INDEX audit_log_survey ON audit_log (survey, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
)sql"},
    Migration{6, "the page of the web form a draft has reached",
              R"sql(
ALTER TABLE drafts ADD COLUMN page INTEGER NOT NULL DEFAULT 0 CHECK (page >= 0);
)sql"},
};

bool is_environmental(const std::string& id) {
  return id == "store.full" || id == "store.io" || id == "store.busy" || id == "store.read_only" ||
         id == "store.corrupt";
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// After a failure: undo what is left of the transaction (SQLite may already
// have rolled it back) without hiding the first error.
void rollback_quietly(sqlite::Database& db) noexcept {
  try {
    if (db.in_transaction()) db.exec("ROLLBACK");
  } catch (...) {
  }
}

void apply(sqlite::Database& db, const Migration& step) {
  db.exec(step.sql);
  sqlite::Statement record(
      db, "INSERT INTO schema_migrations (version, applied_at, description) VALUES (?1, ?2, ?3)");
  record.bind(1, step.version);
  record.bind(2, now_seconds());
  record.bind(3, step.description);
  record.run();
  // A pragma takes no parameters; the value is our own integer, not input.
  db.exec("PRAGMA user_version = " + std::to_string(step.version));
}

}  // namespace

int latest_schema_version() {
  return migrations.back().version;
}

int user_version(sqlite::Database& db) {
  sqlite::Statement query(db, "PRAGMA user_version");
  if (!query.step()) return 0;
  return static_cast<int>(query.column_int64(0));
}

void migrate(sqlite::Database& db, int target) {
  db.exec("BEGIN IMMEDIATE");
  int from = 0;
  const Migration* current = nullptr;
  try {
    from = user_version(db);
    if (from > target) {
      throw StoreError("store.newer_schema",
                       db.path().string() + ": the database has schema version " +
                           std::to_string(from) + ", newer than this sipas knows (" +
                           std::to_string(target) + "); open it with a newer sipas");
    }
    for (const Migration& step : migrations) {
      if (step.version <= from || step.version > target) continue;
      current = &step;
      apply(db, step);
    }
    db.exec("COMMIT");
  } catch (const sqlite::SqliteError& error) {
    rollback_quietly(db);
    if (is_environmental(error.id()) || current == nullptr) throw;
    throw StoreError("store.migration_failed",
                     db.path().string() + ": migration to schema version " +
                         std::to_string(current->version) + " (" + current->description +
                         ") failed, nothing was changed: " + error.what());
  } catch (...) {
    rollback_quietly(db);
    throw;
  }
}

void migrate_to(const std::filesystem::path& path, int version) {
  if (version < 0 || version > latest_schema_version()) {
    throw StoreError("store.migration_failed", "migrate_to: no schema version " +
                                                   std::to_string(version) + " (latest is " +
                                                   std::to_string(latest_schema_version()) + ")");
  }
  sqlite::Database db(path, sqlite::Database::Mode::ReadWriteCreate);
  db.set_busy_timeout(10000);
  user_version(db);
  db.exec("PRAGMA journal_mode = WAL");
  migrate(db, version);
}

}  // namespace sipas::store
