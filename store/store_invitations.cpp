// SurveyStore: invitations (import, reserves, tokens, openings) and progress.

#include <cmath>
#include <unordered_set>

#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "store/store_impl.hpp"
#include "store/tokens.hpp"

namespace sipas::store {
namespace {

std::string row_name(std::size_t index, const InvitationInput& row) {
  return "row " + std::to_string(index + 1) + " (respondent \"" + row.respondent_id + "\")";
}

// Checks what the database cannot say in a useful way, before anything is
// written: so the error names the row.
void validate_rows(const std::vector<InvitationInput>& rows) {
  std::unordered_set<std::string_view> seen;
  seen.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const InvitationInput& row = rows[i];
    if (row.respondent_id.empty())
      throw StoreError("invitation.invalid",
                       "row " + std::to_string(i + 1) + ": empty respondent id");
    if (!(row.inclusion_probability > 0 && row.inclusion_probability <= 1)) {
      throw StoreError("invitation.invalid", row_name(i, row) + ": inclusion probability " +
                                                 std::to_string(row.inclusion_probability) +
                                                 " is not in (0, 1]");
    }
    if (!(row.design_weight > 0 && std::isfinite(row.design_weight))) {
      throw StoreError("invitation.invalid", row_name(i, row) + ": design weight " +
                                                 std::to_string(row.design_weight) +
                                                 " is not a positive number");
    }
    if (!seen.insert(row.respondent_id).second) {
      throw StoreError("invitation.duplicate_respondent", "respondent \"" + row.respondent_id +
                                                              "\" appears twice in the import (" +
                                                              row_name(i, row) + ")");
    }
  }
}

void insert_pairs(SurveyStore::Impl& impl, std::string_view sql, std::int64_t invitation,
                  const std::vector<std::pair<std::string, std::string>>& pairs) {
  if (pairs.empty()) return;
  auto& insert = impl.statement(sql);
  for (std::size_t position = 0; position < pairs.size(); ++position) {
    db::Reset reset(insert);
    insert.bind(1, invitation);
    insert.bind(2, static_cast<std::int64_t>(position));
    insert.bind(3, pairs[position].first);
    insert.bind(4, pairs[position].second);
    insert.run();
  }
}

std::vector<std::pair<std::string, std::string>> read_contacts(SurveyStore::Impl& impl,
                                                               std::int64_t invitation) {
  // The only query that reads contacts: issuing a token, for the links CSV.
  auto& query = impl.statement(
      "SELECT name, value FROM invitation_contacts WHERE invitation = ?1 ORDER BY position");
  db::Reset reset(query);
  query.bind(1, invitation);
  std::vector<std::pair<std::string, std::string>> contacts;
  while (query.step())
    contacts.emplace_back(query.column_text(0), query.column_text(1));
  return contacts;
}

// Strata (or PSUs of a stratum) listed in a message: enough to spot a typo,
// bounded for a survey with hundreds of communes.
constexpr std::size_t max_listed = 20;

std::string quoted_list(const std::vector<std::string>& names, std::size_t total) {
  std::string out;
  for (const auto& name : names)
    out += (out.empty() ? "\"" : ", \"") + name + "\"";
  if (total > names.size()) out += " and " + std::to_string(total - names.size()) + " more";
  return out;
}

// Up to max_listed values of a query's first column (bound and reset by the
// caller), and how many there are.
std::pair<std::vector<std::string>, std::size_t> listed(db::Statement& query) {
  std::vector<std::string> names;
  std::size_t total = 0;
  while (query.step()) {
    if (names.size() < max_listed) names.push_back(query.column_text(0));
    ++total;
  }
  return {std::move(names), total};
}

// Nothing to activate: says whether the stratum (or the PSU in it) is not in
// the survey at all, which is a typo to fix, not a shortage of reserves.
[[noreturn]] void explain_no_reserve(SurveyStore::Impl& impl, std::string_view survey,
                                     std::string_view stratum,
                                     std::optional<std::string_view> psu) {
  const std::string name = "survey \"" + std::string(survey) + "\"";
  auto any_invitation = [&](std::optional<std::string_view> in_psu) {
    auto& query = impl.statement(
        "SELECT 1 FROM invitations WHERE survey = ?1 AND stratum = ?2 "
        "AND (CAST(?3 AS TEXT) IS NULL OR psu = ?3) "
        "LIMIT 1");
    db::Reset reset(query);
    query.bind(1, survey);
    query.bind(2, stratum);
    query.bind(3, in_psu);
    return query.step();
  };
  const bool stratum_known = any_invitation(std::nullopt);
  const bool psu_known = !psu || (stratum_known && any_invitation(psu));
  if (!stratum_known) {
    auto& query = impl.statement(
        "SELECT DISTINCT stratum FROM invitations WHERE survey = ?1 ORDER BY stratum");
    db::Reset reset(query);
    query.bind(1, survey);
    auto [strata, total] = listed(query);
    throw StoreError("invitation.unknown_stratum",
                     name + " has no stratum \"" + std::string(stratum) + "\"" +
                         (total == 0 ? ": it has no invitations yet; import the sample first"
                                     : "; its strata are " + quoted_list(strata, total)));
  }
  if (!psu_known) {
    auto& query = impl.statement(
        "SELECT DISTINCT psu FROM invitations WHERE survey = ?1 AND stratum = ?2 ORDER BY psu");
    db::Reset reset(query);
    query.bind(1, survey);
    query.bind(2, stratum);
    auto [psus, total] = listed(query);
    throw StoreError("invitation.unknown_psu", name + " has no PSU \"" + std::string(*psu) +
                                                   "\" in stratum \"" + std::string(stratum) +
                                                   "\"; its PSUs there are " +
                                                   quoted_list(psus, total));
  }
  std::string where = "stratum \"" + std::string(stratum) + "\"";
  if (psu) where += ", PSU \"" + std::string(*psu) + "\"";
  throw StoreError("invitation.no_reserve", name + ": no reserve left in " + where);
}

}  // namespace

std::vector<IssuedInvitation> SurveyStore::import_invitations(
    std::string_view survey, const std::vector<InvitationInput>& rows) {
  validate_rows(rows);
  return impl_->write([&] {
    require_survey(*impl_, survey);
    impl_->lock_survey(survey);
    std::int64_t order = 0;
    {
      auto& last = impl_->statement(
          "SELECT COALESCE(MAX(import_order), 0) FROM invitations WHERE survey = ?1");
      db::Reset reset(last);
      last.bind(1, survey);
      if (last.step()) order = last.column_int64(0);
    }
    std::vector<IssuedInvitation> issued;
    Timestamp now = detail::clock_now();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const InvitationInput& row = rows[i];
      {
        auto& exists =
            impl_->statement("SELECT 1 FROM invitations WHERE survey = ?1 AND respondent_id = ?2");
        db::Reset reset(exists);
        exists.bind(1, survey);
        exists.bind(2, row.respondent_id);
        if (exists.step()) {
          throw StoreError("invitation.duplicate_respondent",
                           "respondent \"" + row.respondent_id +
                               "\" is already invited to survey \"" + std::string(survey) + "\" (" +
                               row_name(i, row) + "); nothing was imported");
        }
      }
      std::string token;
      if (!row.reserve) token = impl_->new_token(token_bytes);
      const std::int64_t id = *impl_->insert(
          "INSERT INTO invitations (survey, respondent_id, stratum, psu, inclusion_probability, "
          "design_weight, reserve, reserve_rank, import_order, token_hash, active, activated_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
          "id", [&](db::Statement& insert) {
            insert.bind(1, survey);
            insert.bind(2, row.respondent_id);
            insert.bind(3, row.stratum);
            insert.bind(4, row.psu);
            insert.bind(5, row.inclusion_probability);
            insert.bind(6, row.design_weight);
            insert.bind(7, row.reserve);
            insert.bind(8, row.reserve_rank);
            insert.bind(9, ++order);
            if (row.reserve) {
              insert.bind_null(10);
              insert.bind(11, false);
              insert.bind_null(12);
            } else {
              insert.bind(10, hash_secret(token));
              insert.bind(11, true);
              insert.bind(12, now);
            }
          });
      insert_pairs(*impl_,
                   "INSERT INTO invitation_attributes (invitation, position, name, value) "
                   "VALUES (?1, ?2, ?3, ?4)",
                   id, row.attributes);
      insert_pairs(*impl_,
                   "INSERT INTO invitation_contacts (invitation, position, name, value) "
                   "VALUES (?1, ?2, ?3, ?4)",
                   id, row.contacts);
      if (!row.reserve) {
        IssuedInvitation out;
        out.invitation = id;
        out.respondent_id = row.respondent_id;
        out.stratum = row.stratum;
        out.psu = row.psu;
        out.reserve = false;
        out.reserve_rank = row.reserve_rank;
        out.token = std::move(token);
        out.contacts = row.contacts;
        issued.push_back(std::move(out));
      }
    }
    return issued;
  });
}

std::vector<IssuedInvitation> SurveyStore::activate_reserves(std::string_view survey,
                                                             std::string_view stratum,
                                                             std::optional<std::string_view> psu,
                                                             std::int64_t count) {
  if (count < 1) {
    throw StoreError("invitation.invalid",
                     "activate at least one reserve (asked for " + std::to_string(count) + ")");
  }
  return impl_->write([&] {
    require_survey(*impl_, survey);
    impl_->lock_survey(survey);
    std::vector<IssuedInvitation> issued;
    {
      auto& waiting = impl_->statement(
          "SELECT id, respondent_id, stratum, psu, reserve_rank FROM invitations "
          "WHERE survey = ?1 AND stratum = ?2 AND (CAST(?3 AS TEXT) IS NULL OR psu = ?3) "
          "AND reserve = 1 AND active = 0 ORDER BY reserve_rank, import_order LIMIT ?4");
      db::Reset reset(waiting);
      waiting.bind(1, survey);
      waiting.bind(2, stratum);
      waiting.bind(3, psu);
      waiting.bind(4, count);
      while (waiting.step()) {
        IssuedInvitation out;
        out.invitation = waiting.column_int64(0);
        out.respondent_id = waiting.column_text(1);
        out.stratum = waiting.column_text(2);
        out.psu = waiting.column_text(3);
        out.reserve = true;
        out.reserve_rank = waiting.column_int64(4);
        issued.push_back(std::move(out));
      }
    }
    if (issued.empty()) explain_no_reserve(*impl_, survey, stratum, psu);
    Timestamp now = detail::clock_now();
    for (IssuedInvitation& out : issued) {
      out.token = impl_->new_token(token_bytes);
      auto& activate = impl_->statement(
          "UPDATE invitations SET token_hash = ?2, active = 1, activated_at = ?3 WHERE id = ?1");
      db::Reset reset(activate);
      activate.bind(1, out.invitation);
      activate.bind(2, hash_secret(out.token));
      activate.bind(3, now);
      activate.run();
      out.contacts = read_contacts(*impl_, out.invitation);
    }
    return issued;
  });
}

IssuedInvitation SurveyStore::reissue_invitation(std::string_view survey,
                                                 std::string_view respondent_id) {
  return impl_->write([&] {
    require_survey(*impl_, survey);
    IssuedInvitation out;
    const std::string name = "respondent \"" + std::string(respondent_id) + "\" of survey \"" +
                             std::string(survey) + "\"";
    {
      auto& query = impl_->statement(
          "SELECT i.id, i.respondent_id, i.stratum, i.psu, i.reserve, i.reserve_rank, i.active, "
          "r.seq IS NOT NULL FROM invitations i LEFT JOIN responses r ON r.invitation = i.id "
          "WHERE i.survey = ?1 AND i.respondent_id = ?2");
      db::Reset reset(query);
      query.bind(1, survey);
      query.bind(2, respondent_id);
      if (!query.step()) throw StoreError("invitation.not_found", "no invitation for " + name);
      if (query.column_int64(6) == 0) {
        throw StoreError("invitation.inactive",
                         name + " is a reserve still waiting: activate reserves to give it a link");
      }
      if (query.column_int64(7) != 0) {
        throw StoreError("invitation.already_responded",
                         name + " has already answered: there is no link to re-issue");
      }
      out.invitation = query.column_int64(0);
      out.respondent_id = query.column_text(1);
      out.stratum = query.column_text(2);
      out.psu = query.column_text(3);
      out.reserve = query.column_int64(4) != 0;
      out.reserve_rank = query.column_int64(5);
    }
    out.token = impl_->new_token(token_bytes);
    auto& update = impl_->statement("UPDATE invitations SET token_hash = ?2 WHERE id = ?1");
    db::Reset reset(update);
    update.bind(1, out.invitation);
    update.bind(2, hash_secret(out.token));
    update.run();
    out.contacts = read_contacts(*impl_, out.invitation);
    return out;
  });
}

std::optional<Invitation> SurveyStore::find_invitation_by_token(std::string_view survey,
                                                                std::string_view token) {
  if (!is_token_syntax(token, token_bytes)) return std::nullopt;
  // Found by SHA-256 through the UNIQUE index. Comparing hashes leaks nothing
  // useful through timing: knowing how a guess's hash orders against stored
  // hashes does not help find a token.
  auto& query = impl_->statement(
      "SELECT i.id, i.survey, i.respondent_id, i.stratum, i.psu, i.inclusion_probability, "
      "i.design_weight, i.reserve, i.reserve_rank, i.active, i.opened_at, r.seq "
      "FROM invitations i LEFT JOIN responses r ON r.invitation = i.id "
      "WHERE i.token_hash = ?1 AND i.survey = ?2");
  db::Reset reset(query);
  query.bind(1, hash_secret(token));
  query.bind(2, survey);
  if (!query.step()) return std::nullopt;
  Invitation invitation;
  invitation.id = query.column_int64(0);
  invitation.survey = query.column_text(1);
  invitation.respondent_id = query.column_text(2);
  invitation.stratum = query.column_text(3);
  invitation.psu = query.column_text(4);
  invitation.inclusion_probability = query.column_double(5);
  invitation.design_weight = query.column_double(6);
  invitation.reserve = query.column_int64(7) != 0;
  invitation.reserve_rank = query.column_int64(8);
  if (query.column_int64(9) == 0)
    invitation.status = InvitationStatus::Inactive;
  else if (!query.is_null(11))
    invitation.status = InvitationStatus::Responded;
  else if (!query.is_null(10))
    invitation.status = InvitationStatus::Opened;
  else
    invitation.status = InvitationStatus::Pending;
  return invitation;
}

void SurveyStore::mark_opened(std::int64_t invitation, Timestamp at) {
  impl_->write([&] {
    auto& update = impl_->statement(
        "UPDATE invitations SET opened_at = ?2 WHERE id = ?1 AND opened_at IS NULL");
    db::Reset reset(update);
    update.bind(1, invitation);
    update.bind(2, at);
    update.run();
    if (update.changes() > 0) return;
    auto& exists = impl_->statement("SELECT 1 FROM invitations WHERE id = ?1");
    db::Reset reset_exists(exists);
    exists.bind(1, invitation);
    if (!exists.step()) {
      throw StoreError("invitation.not_found", "no invitation " + std::to_string(invitation));
    }
  });
}

Progress SurveyStore::progress(std::string_view survey) {
  require_survey(*impl_, survey);
  Progress progress;
  {
    // Kept by triggers (migration 3); "opened" counts responded invitations
    // too: a JSON client may submit without ever fetching the form.
    auto& query = impl_->statement(
        "SELECT stratum, invited, opened, responded, reserves_waiting FROM stratum_progress "
        "WHERE survey = ?1 ORDER BY stratum");
    db::Reset reset(query);
    query.bind(1, survey);
    while (query.step()) {
      StratumProgress row;
      row.stratum = query.column_text(0);
      row.invited = query.column_int64(1);
      row.opened = query.column_int64(2);
      row.responded = query.column_int64(3);
      row.reserves_waiting = query.column_int64(4);
      progress.strata.push_back(std::move(row));
    }
  }
  auto& open_link =
      impl_->statement("SELECT COUNT(*) FROM responses WHERE survey = ?1 AND invitation IS NULL");
  db::Reset reset(open_link);
  open_link.bind(1, survey);
  if (open_link.step()) progress.open_link_responses = open_link.column_int64(0);
  return progress;
}

}  // namespace sipas::store
