#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/error.hpp"
#include "store/accounts.hpp"
#include "store/database.hpp"
#include "store/tokens.hpp"

namespace sipas::store {

// A store operation that cannot be done. Ids (stable, reach the HTTP error
// body): store.not_found (no such file, and not to be created), store.open_failed,
// store.newer_schema, store.migration_failed, store.corrupt, store.read_only, store.full, store.io,
// store.busy, store.constraint and store.error (an SQLite failure of another kind: a bug),
// survey.exists, survey.not_found, survey.bad_state,
// invitation.duplicate_respondent, invitation.invalid, invitation.not_found,
// invitation.inactive, invitation.already_responded, invitation.no_reserve,
// invitation.unknown_stratum, invitation.unknown_psu, response.bad_submission_id,
// response.submission_conflict, response.not_found, review.bad_state, key.invalid, key.not_found,
// unit.not_found, user.exists, user.not_found. (Tokens:
// token.random_failed, token.hash_failed: internal errors.)
class StoreError : public Error {
 public:
  using Error::Error;
};

enum class SurveyState : std::uint8_t { Draft, Open, Closed };

// A respondent's saved answers (a response document) and the furthest page
// of the web form reached.
struct Draft {
  std::string answers_json;
  std::int64_t page = 0;
};
std::string_view to_string(SurveyState state);
std::optional<SurveyState> survey_state_from_string(std::string_view text);

enum class ReviewState : std::uint8_t { Received, Approved, Rejected };
std::string_view to_string(ReviewState state);
std::optional<ReviewState> review_state_from_string(std::string_view text);

enum class Role : std::uint8_t { Manager, Analyst };
std::string_view to_string(Role role);
std::optional<Role> role_from_string(std::string_view text);

// Seconds since 1970-01-01 UTC, as stored (accounts.hpp).

struct SurveyRecord {
  std::string id;
  std::string questionnaire_json;  // the questionnaire as created; immutable
  std::string questionnaire_id, questionnaire_version;
  SurveyState state = SurveyState::Draft;
  Timestamp created_at = 0;
  std::optional<Timestamp> opened_at, closed_at;
  // Answers without an invitation token (GET/POST /s/{survey} without ?t=)
  // are taken only when on. Off for a new survey.
  bool open_link = false;
};

// What a public request needs to know of a survey, re-read on every request
// (the admin commands change it on the file while the server runs).
struct SurveyAccess {
  SurveyState state = SurveyState::Draft;
  bool open_link = false;
};

// One row of a sample.csv (sipas sample) to import as an invitation.
struct InvitationInput {
  std::string respondent_id;  // the frame id: opaque, links answers to the sample
  std::string stratum, psu;
  double inclusion_probability = 1, design_weight = 1;
  bool reserve = false;
  std::int64_t reserve_rank = 0;  // 0 for main
  // Carried columns: attributes go with the answers into exports (sex, age
  // group for calibration); contacts never do (only the links CSV has them).
  // Kept in their own tables, in this order.
  std::vector<std::pair<std::string, std::string>> attributes, contacts;
};

// A token issued once: the plaintext exists only in this value.
struct IssuedInvitation {
  std::int64_t invitation = 0;
  std::string respondent_id, stratum, psu;
  bool reserve = false;
  std::int64_t reserve_rank = 0;
  std::string token;  // 128 random bits, base64url without padding (22 chars)
  std::vector<std::pair<std::string, std::string>> contacts;
};

enum class InvitationStatus : std::uint8_t { Inactive, Pending, Opened, Responded };
std::string_view to_string(InvitationStatus status);

struct Invitation {
  std::int64_t id = 0;
  std::string survey, respondent_id, stratum, psu;
  double inclusion_probability = 1, design_weight = 1;
  bool reserve = false;
  std::int64_t reserve_rank = 0;
  InvitationStatus status = InvitationStatus::Pending;
};

// What became of one invitation, for weighting (`sipas weights --db`): the
// sampled unit's design values, its attributes (never its contacts), whether
// it was activated, opened and answered, and its response's review state.
struct InvitationOutcome {
  std::string respondent_id, stratum, psu;
  double inclusion_probability = 1, design_weight = 1;
  bool reserve = false;
  std::int64_t reserve_rank = 0;
  InvitationStatus status = InvitationStatus::Pending;
  std::optional<ReviewState> review;  // with a response only
  std::vector<std::pair<std::string, std::string>> attributes;
};

// A page of invitations (list_invitations): their outcomes without
// attributes, and the count of all that the listing covers.
struct InvitationListing {
  std::int64_t total = 0;
  std::vector<InvitationOutcome> rows;
};

// A validated response ready to store. `answers_json` is the response document
// (questionnaires/FORMAT.md, "Responses") as the server normalised it.
struct NewResponse {
  std::string survey;
  std::optional<std::int64_t> invitation;  // nullopt: open link
  std::string submission_id;               // client's, or the server's for forms
  std::string language;
  std::string answers_json;
  // Left empty: the column is kept for schema compatibility; client
  // addresses are never stored (PRIVACY.md).
  std::string client;
};

struct SubmitResult {
  enum class Outcome : std::uint8_t {
    Stored,            // a new row
    Repeated,          // same survey and submission_id as an earlier one: that one's result
    AlreadyResponded,  // the invitation has a response with another submission_id: nothing changed
    SurveyNotOpen,     // nothing changed
    InvitationInactive,
    InvitationRequired,  // no invitation, and the survey's open link is off: nothing changed
  };
  Outcome outcome = Outcome::Stored;
  std::int64_t response = 0;  // the stored (or earlier) response's sequence number
  Timestamp received_at = 0;
};

// One row of the audit trail: a change by a person (audit_log).
struct AuditEntry {
  std::int64_t seq = 0;  // given by the store
  Timestamp at = 0;
  std::string actor;   // "cli:alice", "key:analyst-1", "key-file:3fa2b1c0"
  std::string action;  // "survey.create", "survey.open", "response.review", ...
  std::optional<std::string> survey, subject;
  std::optional<std::string> before_json, after_json;  // the changed values, before and after
  // A person's words on the change (a reviewer's comment); nullopt for most.
  std::optional<std::string> note = std::nullopt;
};

// Which audit entries read_audit gives: every condition set must hold; the
// strings match exactly.
struct AuditFilter {
  std::optional<std::string> survey = std::nullopt;
  // "user:anna", "cli:root", "key:desk".
  std::optional<std::string> actor = std::nullopt;
  // What was changed: a response's seq, a stratum, a respondent id, ...
  std::optional<std::string> subject = std::nullopt;
  std::optional<std::string> action = std::nullopt;  // "response.review", ...
  // at >= from, at < to (seconds, UTC).
  std::optional<Timestamp> from = std::nullopt;
  std::optional<Timestamp> to = std::nullopt;
  std::int64_t since = 0;     // seq > since
  std::int64_t limit = 1000;  // none when < 1
  // Newest first (the console's "the latest 200 that match"); else oldest
  // first (a cursor: pass the largest seq read as `since`).
  bool newest_first = false;
};

struct StratumProgress {
  std::string stratum;
  std::int64_t invited = 0;    // active invitations
  std::int64_t opened = 0;     // of those, opened at least once (responded ones included)
  std::int64_t responded = 0;  // of those, with a response
  std::int64_t reserves_waiting = 0;
};

struct Progress {
  std::vector<StratumProgress> strata;  // sorted by stratum
  std::int64_t open_link_responses = 0;
};

struct ExportedResponse {
  std::int64_t seq = 0;  // increasing in insertion order: the `since` cursor
  std::string submission_id, language, answers_json;
  Timestamp received_at = 0;
  ReviewState review = ReviewState::Received;
  // Answered through the open link (no invitation): not a sampled unit.
  bool open_link = false;
  // From the invitation; empty / nullopt for open-link responses.
  std::optional<std::string> respondent_id, stratum, psu;
  std::optional<double> inclusion_probability, design_weight;
  std::vector<std::pair<std::string, std::string>> attributes;
};

struct ApiKeyInfo {
  std::int64_t id = 0;
  std::string name;
  Role role = Role::Analyst;
  Timestamp created_at = 0;
  std::optional<Timestamp> revoked_at;  // a revoked key is refused (find_api_key)
};

// Versioned schema: migrations in migrations.cpp, applied in order at open.
int latest_schema_version();

// The store, on SQLite or PostgreSQL. One object is one connection; not safe to use from two
// threads at once (each server thread opens its own). Opening applies pending
// migrations in one transaction; a database written by a newer sipas is
// refused (store.newer_schema) and left untouched; a file that is not a
// database is refused (store.corrupt) and left untouched. WAL,
// synchronous=FULL, foreign keys on, a busy timeout; every statement is
// prepared once per connection and every value bound.
// Each write operation is atomic: on its own it is one BEGIN IMMEDIATE ...
// COMMIT (durable when it returns); inside a transaction (transaction(), or
// the CommitQueue's group commit) it is a savepoint of that transaction, so a
// failed operation undoes only itself. The server groups its writes through
// CommitQueue. A moved-from store may only be destroyed or assigned to.
class SurveyStore {
 public:
  struct Options {
    bool create = true;  // create the file when missing
    // Open read-only: no migration, so an older schema is refused
    // (store.read_only) as is a newer one (store.newer_schema); every write
    // fails with store.read_only. A file the process may not write (chmod
    // 0444) opens read-only the same way.
    bool read_only = false;
    // Run PRAGMA quick_check right after the first read, before anything could
    // write: a damaged file (a page overwritten, a truncated file) is refused
    // as store.corrupt, naming the file and SQLite's first findings, and left
    // as it is. It reads every page: about a second per few hundred MB.
    bool quick_check = false;
    int busy_timeout_ms = 10000;
    // Where the tokens of imported and activated invitations come from
    // (empty: random_token; tokens.hpp).
    TokenSource token_source;
  };

  // `path`: an SQLite file, or a postgresql:// URL (db::is_postgres_url; its
  // password from PGPASSFILE or PGPASSWORD, never in the URL:
  // store.password_in_url). PostgreSQL ignores quick_check and
  // busy_timeout_ms; a database there without sipas' tables is
  // store.not_found unless `create`.
  explicit SurveyStore(const std::filesystem::path& path);
  SurveyStore(const std::filesystem::path& path, Options options);
  SurveyStore(SurveyStore&&) noexcept;
  SurveyStore& operator=(SurveyStore&&) noexcept;
  ~SurveyStore();

  int schema_version() const;
  // The SQLite file, or the postgresql:// URL, as given.
  const std::filesystem::path& path() const;
  db::Backend backend() const;
  // Opened read-only (Options::read_only, or a file the process may not write).
  bool read_only() const;

  // Surveys. The id is checked by the application layer (app/survey_id.hpp);
  // an existing id: survey.exists. A new survey is a draft, its open link off
  // unless asked for.
  void create_survey(const std::string& id, const std::string& questionnaire_json,
                     const std::string& questionnaire_id, const std::string& questionnaire_version,
                     bool open_link = false);
  std::optional<SurveyRecord> find_survey(std::string_view id);
  // Only the state: cheap, for every public request (the questionnaire is cached).
  std::optional<SurveyState> find_survey_state(std::string_view id);
  // The state and the open link: as cheap, for the public routes.
  std::optional<SurveyAccess> find_survey_access(std::string_view id);
  // Turns the survey's open link on or off, in any state; returns the
  // survey. Unknown id: survey.not_found.
  SurveyRecord set_open_link(std::string_view id, bool on);
  std::vector<SurveyRecord> list_surveys();
  // draft → open, open → closed, closed → open. Others: survey.bad_state;
  // unknown id: survey.not_found. opened_at is the first opening, closed_at
  // the last closing (cleared while open again).
  SurveyRecord set_survey_state(std::string_view id, SurveyState state);

  // Invitations. All rows or none (one transaction). Main rows get a token and
  // are active; reserves are stored inactive, without a token. Returns the
  // issued main rows in input order (reserves are issued by
  // activate_reserves). Errors: survey.not_found;
  // invitation.duplicate_respondent (the id repeats in `rows` or is already in
  // the survey; the message names it); invitation.invalid (empty respondent
  // id, a probability outside (0, 1], a weight ≤ 0; the message names the row).
  // Allowed in any survey state: a closed survey may be reopened with more.
  std::vector<IssuedInvitation> import_invitations(std::string_view survey,
                                                   const std::vector<InvitationInput>& rows);
  // Activates up to `count` waiting reserves of a stratum (and PSU, when
  // given), lowest reserve_rank first, then import order; issues their tokens
  // and returns them with their stored contacts (for the links CSV).
  // Returns fewer than `count` when fewer wait; none waiting at all:
  // invitation.no_reserve. A stratum with no invitation in the survey:
  // invitation.unknown_stratum (the message lists the known strata); a PSU
  // with none in that stratum: invitation.unknown_psu. count < 1:
  // invitation.invalid. Unknown survey: survey.not_found.
  std::vector<IssuedInvitation> activate_reserves(std::string_view survey, std::string_view stratum,
                                                  std::optional<std::string_view> psu,
                                                  std::int64_t count);
  // A new token for an active invitation whose link was lost: the old hash
  // is replaced, so the old link stops working at once; the draft, if any,
  // stays with the invitation. Returns it as activate_reserves does (with its
  // stored contacts, for the links CSV). Errors: survey.not_found;
  // invitation.not_found (no such respondent id in the survey, named);
  // invitation.inactive (a waiting reserve: activate reserves instead);
  // invitation.already_responded (answered: nothing to re-issue).
  IssuedInvitation reissue_invitation(std::string_view survey, std::string_view respondent_id);
  // Looks a token up by its hash (the plaintext is never stored). nullopt for
  // a malformed token, an unknown one, or one of another survey.
  std::optional<Invitation> find_invitation_by_token(std::string_view survey,
                                                     std::string_view token);
  // Records the first opening (later ones keep the first time). Unknown id:
  // invitation.not_found.
  void mark_opened(std::int64_t invitation, Timestamp at);

  // Drafts (save and resume), one per invitation, replaced on each save,
  // with the furthest page of the web form the person reached (0-based;
  // nullopt keeps the page saved before, 0 for a new draft).
  // save_draft: invitation.not_found; invitation.inactive (a waiting
  // reserve); invitation.already_responded once the invitation has a
  // response (the draft could never be used).
  void save_draft(std::int64_t invitation, const std::string& answers_json, Timestamp at,
                  std::optional<std::int64_t> page = std::nullopt);
  std::optional<Draft> load_draft(std::int64_t invitation);

  // Stores a response, or says why not; nothing changes unless Stored. In
  // order: a known (survey, submission_id) → Repeated with the first seq and
  // time (even if the survey has closed since); survey not open →
  // SurveyNotOpen; no invitation while the survey's open link is off →
  // InvitationRequired; invitation not active → InvitationInactive; invitation
  // already answered → AlreadyResponded (with that response's seq and time);
  // else Stored, and the invitation's draft is removed. One response per
  // invitation and one row per (survey, submission_id) are UNIQUE
  // constraints, so this holds across connections and processes too.
  // Throws survey.not_found; invitation.not_found (unknown, or of another
  // survey); response.submission_conflict when the submission_id is already
  // used for another invitation of the survey (a client reusing ids: the
  // answers would otherwise be dropped as a "repeat").
  SubmitResult insert_response(const NewResponse& response, Timestamp at);

  // survey.not_found for an unknown survey.
  Progress progress(std::string_view survey);
  // Every invitation of the survey with its outcome, in import order (the
  // order of the sample file), read in one statement. survey.not_found for
  // an unknown survey.
  std::vector<InvitationOutcome> invitation_outcomes(std::string_view survey);
  // A page of the survey's invitations in import order (`limit` rows after
  // `offset`; none when limit < 1), without attributes or contacts, and how
  // many there are in all; with `unit`, only those whose stratum is that unit
  // or a unit below it (as unit_and_below). Through an index: a page of
  // 100,000 invitations in milliseconds. survey.not_found.
  InvitationListing list_invitations(std::string_view survey, std::optional<std::string_view> unit,
                                     std::int64_t offset, std::int64_t limit);
  // The first `limit` responses with seq > since in order of arrival (none
  // when limit < 1), given in an order that does not depend on arrival: the
  // invitations' answers by the invitation's place in the imported sample,
  // then the open-link answers by submission id. Never reads contacts.
  // survey.not_found for an unknown survey.
  std::vector<ExportedResponse> export_responses(std::string_view survey, std::int64_t since,
                                                 std::int64_t limit);
  // Changes with every response stored and every change by a person to the
  // survey (a review is one): the counts and the largest seqs of its
  // responses and of its audit entries. Both tables are append-only for
  // their rows' existence, so a count grows with every row committed, also
  // one whose seq is lower than one already seen (PostgreSQL).
  std::string answers_version(std::string_view survey);
  // Approved or Rejected may be set from any state (a reviewer may change
  // their mind); Received only while still received: a review is changed,
  // not undone (review.bad_state). response.not_found for a seq not of this
  // survey.
  // Returns the state before.
  ReviewState set_review_state(std::string_view survey, std::int64_t seq, ReviewState state);

  // The audit trail, append only (the database refuses UPDATE and DELETE on
  // it). append_audit joins the caller's transaction, so an entry is stored
  // with its change or not at all. read_audit: the entries that pass the
  // filter, at most `limit`, by seq (oldest or newest first). Every value is
  // bound; the WHERE clause is made of fixed fragments, one per condition set.
  void append_audit(const AuditEntry& entry);
  std::vector<AuditEntry> read_audit(const AuditFilter& filter);

  // API keys: 256 random bits, base64url (43 characters), returned once;
  // only SHA-256 is stored. An empty name: key.invalid. find_api_key: nullopt
  // for a malformed, unknown or revoked key.
  std::string create_api_key(const std::string& name, Role role);
  std::optional<ApiKeyInfo> find_api_key(std::string_view key);
  // Every key, revoked ones too, by id; never a hash.
  std::vector<ApiKeyInfo> list_api_keys();
  // Revokes a key for good (revoked_at set; the key is refused from then
  // on); revoking a revoked key changes nothing. Returns the key as it was
  // before. key.not_found for an unknown id.
  ApiKeyInfo revoke_api_key(std::int64_t id);

  // Units (store_accounts.cpp). upsert_units: every row added or updated, or
  // none (one transaction; a parent may come later in `units` but must be
  // among them or stored: unit.not_found names it when not). The rows are
  // checked by the application layer (app/units.hpp).
  UnitImportCounts upsert_units(const std::vector<UnitRecord>& units);
  std::vector<UnitRecord> list_units();  // by id
  std::optional<UnitRecord> find_unit(std::string_view id);
  // The unit and every unit below it (children, their children, ...), by id.
  // Empty for an unknown unit.
  std::vector<std::string> unit_and_below(std::string_view id);

  // Users. create_user: user.exists for a taken name, unit.not_found for an
  // unknown unit; returns the new id. The name is checked by the application
  // layer. set_user_disabled and set_user_password end every session of the
  // user; both throw user.not_found.
  std::int64_t create_user(const UserRecord& user);
  std::optional<UserRecord> find_user(std::string_view name);
  std::optional<UserRecord> find_user_by_id(std::int64_t id);
  std::vector<UserRecord> list_users();  // by name
  void set_user_disabled(std::string_view name, bool disabled);
  void set_user_password(std::string_view name, const std::string& password_hash, Timestamp at);

  // Console sessions, by the SHA-256 of their id. find_session gives the
  // session whatever its age and its user's state: the application layer
  // decides. touch_session moves last_seen_at; delete_session ends one;
  // delete_sessions_before removes those last seen before `idle_before` or
  // made before `made_before` (expired either way). Return how many rows.
  void create_session(const std::string& id_hash, std::int64_t user, Timestamp at);
  std::optional<SessionRecord> find_session(std::string_view id_hash);
  void touch_session(std::string_view id_hash, Timestamp at);
  std::int64_t delete_session(std::string_view id_hash);
  std::int64_t delete_sessions_before(Timestamp idle_before, Timestamp made_before);

  // Wrong passwords by the name typed, shared by every node.
  void record_login_failure(std::string_view user_name, Timestamp at);
  std::int64_t count_login_failures(std::string_view user_name, Timestamp since);
  std::int64_t delete_login_failures_before(Timestamp before);

  // Runs `body` in one transaction (BEGIN IMMEDIATE ... COMMIT); rolls back
  // and rethrows when it throws.
  template <typename F>
  void transaction(F&& body) {
    begin();
    try {
      body();
    } catch (...) {
      rollback();
      throw;
    }
    commit();
  }
  void begin();
  // Throws when COMMIT fails; the transaction may then still be open
  // (in_transaction()): roll it back.
  void commit();
  // Never throws; a no-op outside a transaction.
  void rollback();
  // A savepoint inside a transaction, so one failing job of a group commit
  // does not undo the others. rollback_to_savepoint() undoes the job's work
  // and drops the savepoint; it throws when the savepoint is gone (SQLite
  // rolled the whole transaction back, or the job ended it): then nothing
  // of the transaction can be trusted.
  void savepoint();
  void release();
  void rollback_to_savepoint();
  bool in_transaction() const;

  // Runs one trivial statement: throws the store's error when the database
  // cannot be reached (store.unavailable for a PostgreSQL server that is
  // gone; a lost connection is made again first).
  void ping();

  // "ok", or the problems PRAGMA integrity_check lists.
  std::string integrity_check();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipas::store
