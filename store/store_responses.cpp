// SurveyStore: responses (insert, export, review) and drafts.

#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "store/store_impl.hpp"

namespace sipas::store {
namespace {

// Submission ids come from clients (a UUID, typically); bounded so that a
// hostile client cannot fill the UNIQUE index with megabytes per row.
constexpr std::size_t max_submission_id_length = 128;

struct Earlier {
  std::int64_t seq = 0;
  Timestamp received_at = 0;
  std::optional<std::int64_t> invitation;
  std::string submission_id;
};

std::optional<Earlier> find_submission(SurveyStore::Impl& impl, std::string_view survey,
                                       std::string_view submission_id) {
  auto& query = impl.statement(
      "SELECT seq, received_at, invitation FROM responses "
      "WHERE survey = ?1 AND submission_id = ?2");
  db::Reset reset(query);
  query.bind(1, survey);
  query.bind(2, submission_id);
  if (!query.step()) return std::nullopt;
  return Earlier{query.column_int64(0), query.column_int64(1), query.column_optional_int64(2), {}};
}

std::optional<Earlier> find_response_of(SurveyStore::Impl& impl, std::int64_t invitation) {
  auto& query = impl.statement(
      "SELECT seq, received_at, invitation, submission_id FROM responses WHERE invitation = ?1");
  db::Reset reset(query);
  query.bind(1, invitation);
  if (!query.step()) return std::nullopt;
  return Earlier{query.column_int64(0), query.column_int64(1), query.column_optional_int64(2),
                 query.column_text(3)};
}

SubmitResult result(SubmitResult::Outcome outcome, std::int64_t seq = 0, Timestamp at = 0) {
  SubmitResult out;
  out.outcome = outcome;
  out.response = seq;
  out.received_at = at;
  return out;
}

// A known submission id: the first result, unless it was used for another
// invitation (a client that reuses ids would otherwise lose answers silently).
SubmitResult repeated(const NewResponse& response, const Earlier& earlier) {
  if (earlier.invitation != response.invitation) {
    throw StoreError("response.submission_conflict",
                     "submission id \"" + response.submission_id +
                         "\" was already used for another respondent of survey \"" +
                         response.survey + "\"; send a new submission id");
  }
  return result(SubmitResult::Outcome::Repeated, earlier.seq, earlier.received_at);
}

}  // namespace

SubmitResult SurveyStore::insert_response(const NewResponse& response, Timestamp at) {
  if (response.submission_id.empty() || response.submission_id.size() > max_submission_id_length) {
    throw StoreError("response.bad_submission_id",
                     "a submission id has 1 to " + std::to_string(max_submission_id_length) +
                         " characters (got " + std::to_string(response.submission_id.size()) + ")");
  }
  using Outcome = SubmitResult::Outcome;
  return impl_->write([&]() -> SubmitResult {
    std::string state;
    bool open_link = false;
    {
      auto& query = impl_->statement("SELECT state, open_link FROM surveys WHERE id = ?1");
      db::Reset reset(query);
      query.bind(1, response.survey);
      if (!query.step())
        throw StoreError("survey.not_found", "no survey \"" + response.survey + "\"");
      state = query.column_text(0);
      open_link = query.column_int64(1) != 0;
    }
    if (auto earlier = find_submission(*impl_, response.survey, response.submission_id))
      return repeated(response, *earlier);
    if (state != "open") return result(Outcome::SurveyNotOpen);
    // Checked here too, under the write lock: the server checks before
    // reading the body, and the link may be turned off in between.
    if (!response.invitation && !open_link) return result(Outcome::InvitationRequired);
    if (response.invitation) {
      auto& query = impl_->statement("SELECT survey, active FROM invitations WHERE id = ?1");
      db::Reset reset(query);
      query.bind(1, *response.invitation);
      if (!query.step() || query.column_text(0) != response.survey) {
        throw StoreError("invitation.not_found", "no invitation " +
                                                     std::to_string(*response.invitation) +
                                                     " in survey \"" + response.survey + "\"");
      }
      if (query.column_int64(1) == 0) return result(Outcome::InvitationInactive);
      // The same submission, committed by another node between the lookup
      // by submission id above and this one (PostgreSQL reads each statement
      // afresh): a repeat, not another answer.
      if (auto earlier = find_response_of(*impl_, *response.invitation)) {
        if (earlier->submission_id == response.submission_id) return repeated(response, *earlier);
        return result(Outcome::AlreadyResponded, earlier->seq, earlier->received_at);
      }
    }
    // Writers of a seq hold the cursor until they commit (PostgreSQL: see
    // Impl::hold_cursor); a no-op in SQLite.
    impl_->hold_cursor(Impl::Cursor::Responses);
    // ON CONFLICT DO NOTHING: the checks above cannot see a writer of another
    // connection (another node, in PostgreSQL) that got in first; the UNIQUE
    // constraints are the guard, and the answer is the same. In PostgreSQL
    // the insert waits for that writer's commit.
    const std::optional<std::int64_t> seq = impl_->insert(
        "INSERT INTO responses (survey, invitation, submission_id, language, answers_json, "
        "received_at, client) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
        "seq", [&](db::Statement& insert) {
          insert.bind(1, response.survey);
          insert.bind(2, response.invitation);
          insert.bind(3, response.submission_id);
          insert.bind(4, response.language);
          insert.bind(5, response.answers_json);
          insert.bind(6, at);
          insert.bind(7, response.client);
        });
    if (!seq) {
      if (auto earlier = find_submission(*impl_, response.survey, response.submission_id))
        return repeated(response, *earlier);
      if (response.invitation) {
        if (auto earlier = find_response_of(*impl_, *response.invitation)) {
          if (earlier->submission_id == response.submission_id) return repeated(response, *earlier);
          return result(Outcome::AlreadyResponded, earlier->seq, earlier->received_at);
        }
      }
      throw StoreError("store.constraint", impl_->conn->name() + ": the response of submission \"" +
                                               response.submission_id +
                                               "\" conflicts with a row that is gone");
    }
    if (response.invitation) {
      auto& drop = impl_->statement("DELETE FROM drafts WHERE invitation = ?1");
      db::Reset reset(drop);
      drop.bind(1, *response.invitation);
      drop.run();
    }
    return result(Outcome::Stored, *seq, at);
  });
}

void SurveyStore::save_draft(std::int64_t invitation, const std::string& answers_json, Timestamp at,
                             std::optional<std::int64_t> page) {
  impl_->write([&] {
    {
      auto& query = impl_->statement(
          "SELECT i.active, r.seq FROM invitations i "
          "LEFT JOIN responses r ON r.invitation = i.id WHERE i.id = ?1");
      db::Reset reset(query);
      query.bind(1, invitation);
      if (!query.step())
        throw StoreError("invitation.not_found", "no invitation " + std::to_string(invitation));
      if (query.column_int64(0) == 0) {
        throw StoreError("invitation.inactive",
                         "invitation " + std::to_string(invitation) + " is not active");
      }
      if (!query.is_null(1)) {
        throw StoreError("invitation.already_responded",
                         "invitation " + std::to_string(invitation) + " already has a response");
      }
    }
    auto& upsert = impl_->statement(
        "INSERT INTO drafts (invitation, answers_json, saved_at, page) "
        "VALUES (?1, ?2, ?3, coalesce(?4, 0)) "
        "ON CONFLICT (invitation) DO UPDATE SET answers_json = excluded.answers_json, "
        "saved_at = excluded.saved_at, page = coalesce(?4, drafts.page)");
    db::Reset reset(upsert);
    upsert.bind(1, invitation);
    upsert.bind(2, answers_json);
    upsert.bind(3, at);
    if (page) {
      upsert.bind(4, *page);
    } else {
      upsert.bind_null(4);
    }
    upsert.run();
  });
}

std::optional<Draft> SurveyStore::load_draft(std::int64_t invitation) {
  auto& query = impl_->statement("SELECT answers_json, page FROM drafts WHERE invitation = ?1");
  db::Reset reset(query);
  query.bind(1, invitation);
  if (!query.step()) return std::nullopt;
  return Draft{query.column_text(0), query.column_int64(1)};
}

std::vector<ExportedResponse> SurveyStore::export_responses(std::string_view survey,
                                                            std::int64_t since,
                                                            std::int64_t limit) {
  require_survey(*impl_, survey);
  std::vector<ExportedResponse> out;
  if (limit < 1) return out;
  impl_->read_settled(Impl::Cursor::Responses, [&] {
    std::vector<std::optional<std::int64_t>> invitations;
    {
      // Contacts live in invitation_contacts, which this query does not name.
      // The page is the responses after the cursor in order of arrival; its
      // rows are in an order that does not depend on arrival, so that the same
      // answers give the same file however they came in: by the invitation's
      // place in the sample as imported, then open-link answers by submission
      // id (unique in a survey).
      auto& query = impl_->statement(
          "SELECT r.seq, r.submission_id, r.language, r.answers_json, r.received_at, "
          "r.review_state, r.invitation, i.respondent_id, i.stratum, i.psu, "
          "i.inclusion_probability, i.design_weight "
          "FROM (SELECT * FROM responses WHERE survey = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3) r "
          "LEFT JOIN invitations i ON i.id = r.invitation "
          "ORDER BY r.invitation IS NULL, i.import_order, r.submission_id");
      db::Reset reset(query);
      query.bind(1, survey);
      query.bind(2, since);
      query.bind(3, limit);
      while (query.step()) {
        ExportedResponse row;
        row.seq = query.column_int64(0);
        row.submission_id = query.column_text(1);
        row.language = query.column_text(2);
        row.answers_json = query.column_text(3);
        row.received_at = query.column_int64(4);
        row.review = review_state_from_string(query.column_text(5)).value_or(ReviewState::Received);
        invitations.push_back(query.column_optional_int64(6));
        row.open_link = !invitations.back().has_value();
        row.respondent_id = query.column_optional_text(7);
        row.stratum = query.column_optional_text(8);
        row.psu = query.column_optional_text(9);
        row.inclusion_probability = query.column_optional_double(10);
        row.design_weight = query.column_optional_double(11);
        out.push_back(std::move(row));
      }
    }
    auto& attributes = impl_->statement(
        "SELECT name, value FROM invitation_attributes WHERE invitation = ?1 ORDER BY position");
    for (std::size_t k = 0; k < out.size(); ++k) {
      if (!invitations[k]) continue;
      db::Reset reset(attributes);
      attributes.bind(1, *invitations[k]);
      while (attributes.step())
        out[k].attributes.emplace_back(attributes.column_text(0), attributes.column_text(1));
    }
  });
  return out;
}

ReviewState SurveyStore::set_review_state(std::string_view survey, std::int64_t seq,
                                          ReviewState state) {
  return impl_->write([&] {
    std::optional<ReviewState> current;
    {
      auto& query =
          impl_->statement("SELECT review_state FROM responses WHERE seq = ?1 AND survey = ?2");
      db::Reset reset(query);
      query.bind(1, seq);
      query.bind(2, survey);
      if (!query.step()) {
        throw StoreError("response.not_found", "no response " + std::to_string(seq) +
                                                   " in survey \"" + std::string(survey) + "\"");
      }
      current = review_state_from_string(query.column_text(0));
    }
    const ReviewState before = current.value_or(ReviewState::Received);
    if (current == state) return before;
    if (state == ReviewState::Received) {
      throw StoreError("review.bad_state",
                       "response " + std::to_string(seq) + " was already reviewed (" +
                           std::string(to_string(current.value_or(ReviewState::Received))) +
                           "); a review can be changed to approved or rejected, not undone");
    }
    auto& update = impl_->statement(
        "UPDATE responses SET review_state = ?3, reviewed_at = ?4 WHERE seq = ?1 AND survey = ?2");
    db::Reset reset(update);
    update.bind(1, seq);
    update.bind(2, survey);
    update.bind(3, to_string(state));
    update.bind(4, detail::clock_now());
    update.run();
    return before;
  });
}

std::string SurveyStore::answers_version(std::string_view survey) {
  auto& query = impl_->statement(
      "SELECT (SELECT COUNT(*) FROM responses WHERE survey = ?1), "
      "(SELECT COALESCE(MAX(seq), 0) FROM responses WHERE survey = ?1), "
      "(SELECT COUNT(*) FROM audit_log WHERE survey = ?1), "
      "(SELECT COALESCE(MAX(seq), 0) FROM audit_log WHERE survey = ?1)");
  db::Reset reset(query);
  query.bind(1, survey);
  if (!query.step()) return {};
  return std::to_string(query.column_int64(0)) + ":" + std::to_string(query.column_int64(1)) + ":" +
         std::to_string(query.column_int64(2)) + ":" + std::to_string(query.column_int64(3));
}

}  // namespace sipas::store
