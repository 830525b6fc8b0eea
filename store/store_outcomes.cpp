// SurveyStore::invitation_outcomes: what became of every invitation, for
// weighting.

#include "store/store.hpp"
#include "store/store_impl.hpp"

namespace sipas::store {

std::vector<InvitationOutcome> SurveyStore::invitation_outcomes(std::string_view survey) {
  require_survey(*impl_, survey);
  // One statement, so one snapshot: the invitations with their response and
  // one row per attribute (or one row without).
  auto& query = impl_->statement(
      "SELECT i.id, i.respondent_id, i.stratum, i.psu, i.inclusion_probability, "
      "i.design_weight, i.reserve, i.reserve_rank, i.active, i.opened_at IS NOT NULL, "
      "r.seq IS NOT NULL, r.review_state, a.name, a.value "
      "FROM invitations i LEFT JOIN responses r ON r.invitation = i.id "
      "LEFT JOIN invitation_attributes a ON a.invitation = i.id "
      "WHERE i.survey = ?1 ORDER BY i.import_order, i.id, a.position");
  db::Reset reset(query);
  query.bind(1, survey);
  std::vector<InvitationOutcome> out;
  std::int64_t last = -1;
  while (query.step()) {
    const std::int64_t id = query.column_int64(0);
    if (id != last) {
      last = id;
      InvitationOutcome o;
      o.respondent_id = query.column_text(1);
      o.stratum = query.column_text(2);
      o.psu = query.column_text(3);
      o.inclusion_probability = query.column_double(4);
      o.design_weight = query.column_double(5);
      o.reserve = query.column_int64(6) != 0;
      o.reserve_rank = query.column_int64(7);
      const bool active = query.column_int64(8) != 0;
      const bool opened = query.column_int64(9) != 0;
      const bool responded = query.column_int64(10) != 0;
      if (!active)
        o.status = InvitationStatus::Inactive;
      else if (responded)
        o.status = InvitationStatus::Responded;
      else if (opened)
        o.status = InvitationStatus::Opened;
      else
        o.status = InvitationStatus::Pending;
      if (responded) o.review = review_state_from_string(query.column_text(11));
      out.push_back(std::move(o));
    }
    if (!query.is_null(12))
      out.back().attributes.emplace_back(query.column_text(12), query.column_text(13));
  }
  return out;
}

}  // namespace sipas::store
