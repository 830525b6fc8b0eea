// The audit trail: appended in the transaction of each change, read by
// `sipas audit` and GET /api/v1/audit.

#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "store/store_impl.hpp"

namespace sipas::store {

void SurveyStore::append_audit(const AuditEntry& entry) {
  impl_->write([&] {
    impl_->hold_cursor(Impl::Cursor::Audit);
    auto& insert = impl_->statement(
        "INSERT INTO audit_log (at, actor, action, survey, subject, before_json, after_json, note) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    db::Reset reset(insert);
    insert.bind(1, entry.at);
    insert.bind(2, entry.actor);
    insert.bind(3, entry.action);
    insert.bind(4, entry.survey);
    insert.bind(5, entry.subject);
    insert.bind(6, entry.before_json);
    insert.bind(7, entry.after_json);
    insert.bind(8, entry.note);
    insert.run();
  });
}

namespace {

// The query of a filter: one fixed fragment per condition set, numbered in
// order, so that each combination is one cached statement (at most 2^6 x 2)
// whose conditions the indexes can serve; the values are bound, never
// written into the text.
std::string audit_query(const AuditFilter& filter) {
  std::string sql =
      "SELECT seq, at, actor, action, survey, subject, before_json, after_json, note "
      "FROM audit_log WHERE seq > ?1";
  int next = 2;
  auto add = [&](bool set, const char* fragment) {
    if (!set) return;
    sql += fragment;
    sql += std::to_string(next++);
  };
  add(filter.survey.has_value(), " AND survey = ?");
  add(filter.actor.has_value(), " AND actor = ?");
  add(filter.subject.has_value(), " AND subject = ?");
  add(filter.action.has_value(), " AND action = ?");
  add(filter.from.has_value(), " AND at >= ?");
  add(filter.to.has_value(), " AND at < ?");
  sql += filter.newest_first ? " ORDER BY seq DESC LIMIT ?" : " ORDER BY seq LIMIT ?";
  sql += std::to_string(next);
  return sql;
}

}  // namespace

std::vector<AuditEntry> SurveyStore::read_audit(const AuditFilter& filter) {
  std::vector<AuditEntry> entries;
  if (filter.limit < 1) return entries;
  const std::string sql = audit_query(filter);
  impl_->read_settled(Impl::Cursor::Audit, [&] {
    auto& query = impl_->statement(sql);
    db::Reset reset(query);
    int index = 1;
    query.bind(index++, filter.since);
    for (const auto* text : {&filter.survey, &filter.actor, &filter.subject, &filter.action})
      if (*text) query.bind(index++, **text);
    if (filter.from) query.bind(index++, *filter.from);
    if (filter.to) query.bind(index++, *filter.to);
    query.bind(index, filter.limit);
    while (query.step()) {
      AuditEntry e;
      e.seq = query.column_int64(0);
      e.at = query.column_int64(1);
      e.actor = query.column_text(2);
      e.action = query.column_text(3);
      e.survey = query.column_optional_text(4);
      e.subject = query.column_optional_text(5);
      e.before_json = query.column_optional_text(6);
      e.after_json = query.column_optional_text(7);
      e.note = query.column_optional_text(8);
      entries.push_back(std::move(e));
    }
  });
  return entries;
}

}  // namespace sipas::store
