// SurveyStore::invitation_outcomes: what became of every invitation, for
// weighting.

#include <algorithm>

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

namespace {

// The unit ?2 and the units below it, as unit_and_below.
constexpr std::string_view below_unit =
    "WITH RECURSIVE below (id) AS (SELECT id FROM units WHERE id = ?2 "
    "UNION SELECT u.id FROM units u JOIN below b ON u.parent = b.id) ";

constexpr std::string_view page_columns =
    "SELECT i.respondent_id, i.stratum, i.psu, i.inclusion_probability, i.design_weight, "
    "i.reserve, i.reserve_rank, i.active, i.opened_at IS NOT NULL, r.seq IS NOT NULL, "
    "r.review_state FROM invitations i LEFT JOIN responses r ON r.invitation = i.id ";

}  // namespace

InvitationListing SurveyStore::list_invitations(std::string_view survey,
                                                std::optional<std::string_view> unit,
                                                std::int64_t offset, std::int64_t limit) {
  require_survey(*impl_, survey);
  // Parameters: ?1 the survey, ?2 the unit (when scoped), then limit and
  // offset; numbered without a gap (PostgreSQL types every one it is given).
  static const std::string count_all = "SELECT COUNT(*) FROM invitations WHERE survey = ?1";
  static const std::string count_unit =
      std::string(below_unit) +
      "SELECT COUNT(*) FROM invitations WHERE survey = ?1 AND stratum IN (SELECT id FROM below)";
  static const std::string page_all =
      std::string(page_columns) + "WHERE i.survey = ?1 ORDER BY i.import_order LIMIT ?2 OFFSET ?3";
  static const std::string page_unit =
      std::string(below_unit) + std::string(page_columns) +
      "WHERE i.survey = ?1 AND i.stratum IN (SELECT id FROM below) "
      "ORDER BY i.import_order LIMIT ?3 OFFSET ?4";
  InvitationListing out;
  {
    auto& count = impl_->statement(unit ? count_unit : count_all);
    db::Reset reset(count);
    count.bind(1, survey);
    if (unit) count.bind(2, *unit);
    if (count.step()) out.total = count.column_int64(0);
  }
  if (limit < 1 || offset >= out.total) return out;
  auto& query = impl_->statement(unit ? page_unit : page_all);
  db::Reset reset(query);
  int index = 1;
  query.bind(index++, survey);
  if (unit) query.bind(index++, *unit);
  query.bind(index++, limit);
  query.bind(index, std::max<std::int64_t>(offset, 0));
  while (query.step()) {
    InvitationOutcome o;
    o.respondent_id = query.column_text(0);
    o.stratum = query.column_text(1);
    o.psu = query.column_text(2);
    o.inclusion_probability = query.column_double(3);
    o.design_weight = query.column_double(4);
    o.reserve = query.column_int64(5) != 0;
    o.reserve_rank = query.column_int64(6);
    const bool active = query.column_int64(7) != 0;
    const bool opened = query.column_int64(8) != 0;
    const bool responded = query.column_int64(9) != 0;
    o.status = !active     ? InvitationStatus::Inactive
               : responded ? InvitationStatus::Responded
               : opened    ? InvitationStatus::Opened
                           : InvitationStatus::Pending;
    if (responded) o.review = review_state_from_string(query.column_text(10));
    out.rows.push_back(std::move(o));
  }
  return out;
}

}  // namespace sipas::store
