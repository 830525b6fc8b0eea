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
        "INSERT INTO audit_log (at, actor, action, survey, subject, before_json, after_json) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    db::Reset reset(insert);
    insert.bind(1, entry.at);
    insert.bind(2, entry.actor);
    insert.bind(3, entry.action);
    insert.bind(4, entry.survey);
    insert.bind(5, entry.subject);
    insert.bind(6, entry.before_json);
    insert.bind(7, entry.after_json);
    insert.run();
  });
}

std::vector<AuditEntry> SurveyStore::read_audit(std::optional<std::string_view> survey,
                                                std::int64_t since, std::int64_t limit) {
  std::vector<AuditEntry> entries;
  if (limit < 1) return entries;
  impl_->read_settled(Impl::Cursor::Audit, [&] {
    auto& query = impl_->statement(
        "SELECT seq, at, actor, action, survey, subject, before_json, after_json FROM audit_log "
        "WHERE seq > ?1 AND (CAST(?2 AS TEXT) IS NULL OR survey = ?2) ORDER BY seq LIMIT ?3");
    db::Reset reset(query);
    query.bind(1, since);
    query.bind(2, survey);
    query.bind(3, limit);
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
      entries.push_back(std::move(e));
    }
  });
  return entries;
}

}  // namespace sipas::store
