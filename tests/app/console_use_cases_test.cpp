// What the web console needs of the application layer (issue 22), on both
// backends: the audit trail's filters and its days, review comments and a
// response's review history, a re-issued link, API keys listed and revoked,
// and a survey's invitation list limited to a unit user's units.

#include <gtest/gtest.h>

#include "app/api_keys.hpp"
#include "app/audit.hpp"
#include "app/clock.hpp"
#include "app/invitation_list.hpp"
#include "app/invitations.hpp"
#include "app/responses.hpp"
#include "app/surveys.hpp"
#include "app/use_case_error.hpp"
#include "tests/support/forms.hpp"
#include "tests/support/raw_database.hpp"
#include "tests/support/refusal_of.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_postgres.hpp"

namespace sipas::app {
namespace {

using test::refusal_of;

const Actor manager{"cli:manager", store::Role::Manager};
const Actor analyst{"key:analyst-1", store::Role::Analyst};
Actor person(const std::string& name, store::UserRole role,
             std::optional<std::string> unit = std::nullopt) {
  store::UserRecord user;
  user.name = name;
  user.role = role;
  user.unit = std::move(unit);
  return person_actor(user);
}

const Actor anna = person("anna", store::UserRole::Manager);
const Actor appraiser = person("ca", store::UserRole::Appraiser);
const Actor ba_dinh = person("bd", store::UserRole::Unit, "HN.BD");

// The refusal's id and field, for the one-line checks.
template <typename F>
std::pair<std::string, std::string> id_and_field(F&& body) {
  try {
    body();
  } catch (const UseCaseError& e) {
    return {e.id(), e.field()};
  } catch (const Error& e) {
    return {e.id(), ""};
  }
  return {"", ""};
}

store::InvitationInput row(const std::string& id, const std::string& stratum, bool reserve = false,
                           std::int64_t rank = 0) {
  store::InvitationInput r;
  r.respondent_id = id;
  r.stratum = stratum;
  r.psu = "p-" + id;
  r.inclusion_probability = 0.5;
  r.design_weight = 2;
  r.reserve = reserve;
  r.reserve_rank = rank;
  r.contacts = {{"phone", "+84-90-" + id}};
  return r;
}

// The request's text anywhere in an audit entry.
bool entry_holds(const store::AuditEntry& e, const std::string& text) {
  for (const auto* field : {&e.survey, &e.subject, &e.before_json, &e.after_json, &e.note})
    if (*field && (*field)->find(text) != std::string::npos) return true;
  return e.actor.find(text) != std::string::npos || e.action.find(text) != std::string::npos;
}

class ConsoleUseCasesTest : public ::testing::TestWithParam<store::db::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == store::db::Backend::Postgres && !postgres_)
      GTEST_SKIP() << test::no_postgres_message;
  }
  static std::unique_ptr<test::TestDatabase> postgres_for(store::db::Backend backend) {
    if (backend != store::db::Backend::Postgres || !test::test_postgres_url()) return nullptr;
    return std::make_unique<test::TestDatabase>();
  }

  // An open survey "s1" with invitations; returns the main ones' tokens.
  std::vector<store::IssuedInvitation> survey_with(
      const std::vector<store::InvitationInput>& rows) {
    const auto form = test::form_with(nlohmann::json::array({{{"id", "q1"},
                                                              {"type", "likert"},
                                                              {"scale", "sat5"},
                                                              {"required", true},
                                                              {"text", test::text("Q1")}}}));
    create_survey(store_, manager, {"s1", form.dump(), "test.json", false});
    open_survey(store_, manager, "s1");
    return import_sample(store_, manager, {"s1", rows}).issued;
  }
  std::int64_t answer(std::int64_t invitation, const std::string& submission) {
    store::NewResponse response;
    response.survey = "s1";
    response.invitation = invitation;
    response.submission_id = submission;
    response.language = "vi";
    response.answers_json = R"({"q1": 5})";
    return store_.insert_response(response, 1'800'000'000).response;
  }

  test::TempDir dir_{"sipas-console-app"};
  std::unique_ptr<test::TestDatabase> postgres_ = postgres_for(GetParam());
  std::string location_ = postgres_ ? postgres_->url() : (dir_.path() / "survey.db").string();
  store::SurveyStore store_{location_};
};

INSTANTIATE_TEST_SUITE_P(Backends, ConsoleUseCasesTest,
                         ::testing::Values(store::db::Backend::Sqlite,
                                           store::db::Backend::Postgres),
                         test::backend_name);

// ------------------------------------------------------------- the audit days

TEST(ParseUtcDayTest, ADayIsItsFirstSecondInUtc) {
  EXPECT_EQ(parse_utc_day("1970-01-01", "from"), 0);
  EXPECT_EQ(parse_utc_day("2026-03-01", "from"), 1'772'323'200);
  EXPECT_EQ(parse_utc_day("2024-02-29", "to"), 1'709'164'800);  // a leap day
  EXPECT_EQ(parse_utc_day("2000-12-31", "to") + seconds_per_day, parse_utc_day("2001-01-01", "to"));
  EXPECT_EQ(iso_time(parse_utc_day("2026-11-22", "from")), "2026-11-22T00:00:00Z");
}

TEST(ParseUtcDayTest, AnythingButADayIsRefusedNamingTheField) {
  for (const char* bad :
       {"", "2026-1-01", "2026-01-1", "2026/01/01", "01-01-2026", "2026-01-01x",
        "2026-01-01T00:00:00Z", "2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31",
        "2025-02-29", "1900-02-29", "２026-01-01", "abcd-ef-gh", "-026-01-01"}) {
    try {
      parse_utc_day(bad, "to");
      ADD_FAILURE() << "taken: '" << bad << "'";
    } catch (const UseCaseError& e) {
      EXPECT_EQ(e.id(), "request.bad_parameter") << bad;
      EXPECT_EQ(e.refusal(), Refusal::BadRequest) << bad;
      EXPECT_EQ(e.field(), "to") << bad;
      EXPECT_NE(std::string(e.what()).find("to must be a day written YYYY-MM-DD"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(id_and_field([] { parse_utc_day("2026-02-30", "from"); }),
            std::pair(std::string("request.bad_parameter"), std::string("from")));
}

// ------------------------------------------------------- the audit's filters

TEST_P(ConsoleUseCasesTest, TheAuditTrailIsReadByActorAndPeriodNewestFirst) {
  survey_with({row("r1", "A"), row("r2", "A")});  // cli:manager: create, open, import
  reissue_link(store_, anna, {"s1", "r1"});
  reissue_link(store_, anna, {"s1", "r2"});
  const auto all = read_audit(store_, manager, {});
  ASSERT_EQ(all.size(), 5u);

  ReadAudit by_anna;
  by_anna.actor = "user:anna";
  const auto anna_entries = read_audit(store_, manager, by_anna);
  ASSERT_EQ(anna_entries.size(), 2u);
  EXPECT_EQ(anna_entries[0].subject, "r1");
  by_anna.newest_first = true;
  by_anna.limit = 1;
  ASSERT_EQ(read_audit(store_, manager, by_anna).size(), 1u);
  EXPECT_EQ(read_audit(store_, manager, by_anna)[0].subject, "r2");

  ReadAudit today;  // the day of the entries, to its end
  today.from = parse_utc_day(iso_time(all[0].at).substr(0, 10), "from");
  today.to = *today.from + seconds_per_day;
  today.action = "invitation.reissue";
  EXPECT_EQ(read_audit(store_, manager, today).size(), 2u);
  ReadAudit next_day;
  next_day.from = *today.to;
  EXPECT_TRUE(read_audit(store_, manager, next_day).empty());
  ReadAudit by_subject;
  by_subject.subject = "r2";
  EXPECT_EQ(read_audit(store_, manager, by_subject).size(), 1u);

  ReadAudit empty_actor;
  empty_actor.actor = "";
  EXPECT_EQ(id_and_field([&] { read_audit(store_, manager, empty_actor); }),
            std::pair(std::string("request.bad_parameter"), std::string("actor")));
  ReadAudit backwards;
  backwards.from = 2000;
  backwards.to = 1000;
  EXPECT_EQ(id_and_field([&] { read_audit(store_, manager, backwards); }),
            std::pair(std::string("request.bad_parameter"), std::string("to")));
  ReadAudit negative;
  negative.since = -1;
  EXPECT_EQ(id_and_field([&] { read_audit(store_, manager, negative); }),
            std::pair(std::string("request.bad_parameter"), std::string("since")));
  EXPECT_EQ(refusal_of([&] { read_audit(store_, analyst, by_anna); }).first, "auth.forbidden");
}

// ------------------------------------------------------------ review comments

TEST_P(ConsoleUseCasesTest, AReviewCommentIsKeptTrimmedOnTheReviewsEntry) {
  const auto issued = survey_with({row("r1", "A"), row("r2", "A")});
  const auto first = answer(issued[0].invitation, "sub-1");
  const auto second = answer(issued[1].invitation, "sub-2");
  review_response(
      store_, anna,
      {"s1", first, store::ReviewState::Rejected, "  thiếu trang 2 / page 2 missing \n"});
  review_response(store_, anna, {"s1", second, store::ReviewState::Approved, std::nullopt});
  review_response(store_, manager, {"s1", first, store::ReviewState::Approved, " \t "});

  const auto history = review_history(store_, anna, "s1", first);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].note, "thiếu trang 2 / page 2 missing");
  EXPECT_EQ(history[0].actor, "user:anna");
  EXPECT_EQ(history[0].after_json, R"({"review":"rejected"})");
  EXPECT_FALSE(history[1].note);  // blank is no comment
  EXPECT_EQ(history[1].after_json, R"({"review":"approved"})");
  EXPECT_LT(history[0].seq, history[1].seq);
  // The API's and the command line's views show it.
  const auto json = audit_json(history, 0);
  EXPECT_EQ(json["entries"][0]["note"], "thiếu trang 2 / page 2 missing");
  EXPECT_TRUE(json["entries"][1]["note"].is_null());
  EXPECT_NE(audit_text(history).find("\tthiếu trang 2 / page 2 missing\n"), std::string::npos);
  EXPECT_EQ(review_history(store_, manager, "s1", second).size(), 1u);
  EXPECT_TRUE(review_history(store_, manager, "s1", 999).empty());
  EXPECT_EQ(refusal_of([&] { review_history(store_, analyst, "s1", first); }).first,
            "auth.forbidden");
  EXPECT_EQ(refusal_of([&] { review_history(store_, manager, "nope", first); }).first,
            "survey.not_found");
}

TEST_P(ConsoleUseCasesTest, AReviewHistoryIsOnlyThatResponsesReviews) {
  // A respondent whose id is a response's seq: its re-issued link has the
  // same subject, and is not a review.
  const auto issued = survey_with({row("1", "A"), row("r2", "A")});
  const auto seq = answer(issued[1].invitation, "sub-2");
  ASSERT_EQ(seq, 1);
  reissue_link(store_, manager, {"s1", "1"});
  review_response(store_, manager, {"s1", seq, store::ReviewState::Approved, "ok"});
  const auto history = review_history(store_, manager, "s1", seq);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].action, "response.review");
  EXPECT_EQ(history[0].note, "ok");
}

TEST_P(ConsoleUseCasesTest, ABadCommentIsRefusedAndChangesNothing) {
  const auto issued = survey_with({row("r1", "A")});
  const auto seq = answer(issued[0].invitation, "sub-1");
  std::string longest;
  for (std::size_t i = 0; i < max_review_comment; ++i)
    longest += "ệ";  // three bytes, one character
  review_response(store_, manager, {"s1", seq, store::ReviewState::Approved, longest});
  EXPECT_EQ(review_history(store_, manager, "s1", seq).at(0).note, longest);
  const auto entries = read_audit(store_, manager, {}).size();

  for (const std::string& bad :
       {longest + "a", std::string("line\nbreak"), std::string("tab\tin"),
        std::string("nul\0in", 6), std::string("del\x7f"), std::string("c1 \xc2\x85 next line"),
        std::string("bad \xff utf-8"), std::string("overlong \xc0\xaf")}) {
    try {
      review_response(store_, manager, {"s1", seq, store::ReviewState::Rejected, bad});
      ADD_FAILURE() << "taken: " << bad;
    } catch (const UseCaseError& e) {
      EXPECT_EQ(e.id(), "review.bad_comment");
      EXPECT_EQ(e.field(), "comment");
      EXPECT_EQ(e.refusal(), Refusal::BadRequest);
      EXPECT_NE(std::string(e.what()).find("comment"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(read_audit(store_, manager, {}).size(), entries);
  EXPECT_EQ(store_.export_responses("s1", 0, 10).at(0).review, store::ReviewState::Approved);
}

// ---------------------------------------------------------- a re-issued link

TEST_P(ConsoleUseCasesTest, AReissuedLinkIsAuditedByRespondentNeverByToken) {
  const auto issued = survey_with({row("r1", "A"), row("r2", "A"), row("r3", "A", true, 1)});
  const auto again = reissue_link(store_, anna, {"s1", "r1"});
  EXPECT_NE(again.token, issued[0].token);
  EXPECT_EQ(again.contacts, row("r1", "A").contacts);
  EXPECT_FALSE(store_.find_invitation_by_token("s1", issued[0].token));
  EXPECT_TRUE(store_.find_invitation_by_token("s1", again.token));

  const auto last = read_audit(store_, manager, {}).back();
  EXPECT_EQ(last.action, "invitation.reissue");
  EXPECT_EQ(last.actor, "user:anna");
  EXPECT_EQ(last.survey, "s1");
  EXPECT_EQ(last.subject, "r1");
  EXPECT_FALSE(entry_holds(last, again.token));
  EXPECT_FALSE(entry_holds(last, issued[0].token));
  EXPECT_FALSE(entry_holds(last, "+84-90-r1"));  // nor a contact
  EXPECT_FALSE(entry_holds(last, store::hash_secret(again.token)));

  const auto entries = read_audit(store_, manager, {}).size();
  EXPECT_EQ(refusal_of([&] {
              reissue_link(store_, analyst, {"s1", "r2"});
            }),
            std::pair(std::string("auth.forbidden"), std::optional(Refusal::Forbidden)));
  EXPECT_EQ(refusal_of([&] {
              reissue_link(store_, ba_dinh, {"s1", "r2"});
            }).first,
            "auth.forbidden");
  EXPECT_EQ(id_and_field([&] {
              reissue_link(store_, manager, {"s1", ""});
            }),
            std::pair(std::string("request.missing_field"), std::string("respondent_id")));
  EXPECT_EQ(refusal_of([&] {
              reissue_link(store_, manager, {"s1", "nobody"});
            }).first,
            "invitation.not_found");
  EXPECT_EQ(refusal_of([&] {
              reissue_link(store_, manager, {"s1", "r3"});
            }).first,
            "invitation.inactive");
  EXPECT_EQ(refusal_of([&] {
              reissue_link(store_, manager, {"nope", "r1"});
            }).first,
            "survey.not_found");
  EXPECT_EQ(refusal_of([&] {
              reissue_link(store_, manager, {"Bad Id", "r1"});
            }).first,
            "survey.bad_id");
  answer(issued[1].invitation, "sub-2");
  EXPECT_EQ(refusal_of([&] {
              reissue_link(store_, manager, {"s1", "r2"});
            }).first,
            "invitation.already_responded");
  EXPECT_EQ(read_audit(store_, manager, {}).size(), entries);  // nothing for a refusal
  EXPECT_EQ(required_role(UseCase::ReissueLink), store::Role::Manager);
}

// ------------------------------------------------------------------ API keys

TEST_P(ConsoleUseCasesTest, KeysAreListedAndRevokedByWhoMayCreateThem) {
  const std::string desk = create_api_key(store_, manager, {"desk", store::Role::Manager});
  create_api_key(store_, manager, {"stats", store::Role::Analyst});
  auto keys = list_api_keys(store_, anna);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].name, "desk");
  EXPECT_EQ(keys[1].role, store::Role::Analyst);

  const auto before = revoke_api_key(store_, anna, keys[0].id);
  EXPECT_EQ(before.name, "desk");
  EXPECT_FALSE(before.revoked_at);
  EXPECT_FALSE(store_.find_api_key(desk));
  EXPECT_TRUE(list_api_keys(store_, manager)[0].revoked_at);
  const auto entry = read_audit(store_, manager, {}).back();
  EXPECT_EQ(entry.action, "key.revoke");
  EXPECT_EQ(entry.subject, "desk");
  EXPECT_EQ(entry.actor, "user:anna");
  EXPECT_EQ(entry.after_json, R"({"revoked":true})");
  EXPECT_FALSE(entry_holds(entry, desk));
  // Again: nothing changes, nothing is recorded.
  const auto entries = read_audit(store_, manager, {}).size();
  EXPECT_TRUE(revoke_api_key(store_, manager, keys[0].id).revoked_at);
  EXPECT_EQ(read_audit(store_, manager, {}).size(), entries);

  EXPECT_EQ(refusal_of([&] { revoke_api_key(store_, manager, 999); }).first, "key.not_found");
  EXPECT_EQ(refusal_of([&] { revoke_api_key(store_, analyst, keys[1].id); }).first,
            "auth.forbidden");
  EXPECT_EQ(refusal_of([&] { list_api_keys(store_, analyst); }).first, "auth.forbidden");
  EXPECT_EQ(refusal_of([&] { list_api_keys(store_, appraiser); }).first, "auth.forbidden");
  EXPECT_FALSE(list_api_keys(store_, manager)[1].revoked_at);
}

// ------------------------------------------------------- the invitation list

TEST_P(ConsoleUseCasesTest, AUnitUserListsOnlyTheInvitationsOfItsUnits) {
  store_.upsert_units({{"HN", "Thành phố Hà Nội", "province", std::nullopt},
                       {"HN.BD", "Phường Ba Đình", "ward", std::string("HN")},
                       {"HN.BD.1", "Tổ dân phố 1", "group", std::string("HN.BD")},
                       {"HN.HK", "Phường Hoàn Kiếm", "ward", std::string("HN")}});
  const auto issued =
      survey_with({row("a1", "HN.BD"), row("h1", "HN.HK"), row("a2", "HN.BD.1"), row("x1", "OTHER"),
                   row("a3", "HN.BD", true, 1), row("h2", "HN.HK")});
  store_.mark_opened(issued[1].invitation, 1'800'000'000);  // h1
  const auto seq = answer(issued[0].invitation, "sub-a1");  // a1
  review_response(store_, manager, {"s1", seq, store::ReviewState::Rejected, std::nullopt});

  const auto mine = invitation_list(store_, ba_dinh, {"s1", 0, 100});
  EXPECT_TRUE(mine.limited_to_unit);
  EXPECT_EQ(mine.total, 3);
  ASSERT_EQ(mine.rows.size(), 3u);
  EXPECT_EQ(mine.rows[0].respondent_id, "a1");
  EXPECT_EQ(mine.rows[0].unit_name, "Phường Ba Đình");
  EXPECT_EQ(mine.rows[0].status, store::InvitationStatus::Responded);
  EXPECT_EQ(mine.rows[0].review, store::ReviewState::Rejected);
  EXPECT_EQ(mine.rows[1].respondent_id, "a2");
  EXPECT_EQ(mine.rows[1].stratum, "HN.BD.1");
  EXPECT_EQ(mine.rows[1].unit_name, "Tổ dân phố 1");
  EXPECT_EQ(mine.rows[1].psu, "p-a2");
  EXPECT_EQ(mine.rows[1].status, store::InvitationStatus::Pending);
  EXPECT_FALSE(mine.rows[1].review);
  EXPECT_EQ(mine.rows[2].respondent_id, "a3");
  EXPECT_TRUE(mine.rows[2].reserve);
  EXPECT_EQ(mine.rows[2].reserve_rank, 1);
  EXPECT_EQ(mine.rows[2].status, store::InvitationStatus::Inactive);
  for (const auto& r : mine.rows)
    EXPECT_TRUE(r.stratum == "HN.BD" || r.stratum == "HN.BD.1") << r.stratum;

  // A page of it: the total stays the actor's.
  const auto page = invitation_list(store_, ba_dinh, {"s1", 1, 1});
  EXPECT_EQ(page.total, 3);
  ASSERT_EQ(page.rows.size(), 1u);
  EXPECT_EQ(page.rows[0].respondent_id, "a2");
  EXPECT_TRUE(invitation_list(store_, ba_dinh, {"s1", 3, 10}).rows.empty());

  // Who reads progress sees every invitation, in import order.
  for (const Actor& everyone : {manager, analyst, anna}) {
    const auto all = invitation_list(store_, everyone, {"s1", 0, 100});
    EXPECT_FALSE(all.limited_to_unit);
    EXPECT_EQ(all.total, 6);
    ASSERT_EQ(all.rows.size(), 6u);
    EXPECT_EQ(all.rows[1].respondent_id, "h1");
    EXPECT_EQ(all.rows[1].status, store::InvitationStatus::Opened);
    EXPECT_EQ(all.rows[3].respondent_id, "x1");
    EXPECT_FALSE(all.rows[3].unit_name);  // a stratum that is no unit
  }
  const Actor hoan_kiem = person("hk", store::UserRole::Unit, "HN.HK");
  EXPECT_EQ(invitation_list(store_, hoan_kiem, {"s1", 0, 100}).total, 2);

  EXPECT_EQ(refusal_of([&] {
              invitation_list(store_, appraiser, {"s1", 0, 100});
            }).first,
            "auth.forbidden");
  EXPECT_EQ(id_and_field([&] {
              invitation_list(store_, manager, {"s1", 0, 0});
            }),
            std::pair(std::string("request.bad_parameter"), std::string("limit")));
  EXPECT_EQ(id_and_field([&] {
              invitation_list(store_, manager, {"s1", 0, max_invitation_page + 1});
            }),
            std::pair(std::string("request.bad_parameter"), std::string("limit")));
  EXPECT_EQ(id_and_field([&] {
              invitation_list(store_, manager, {"s1", -1, 10});
            }),
            std::pair(std::string("request.bad_parameter"), std::string("offset")));
  EXPECT_EQ(refusal_of([&] {
              invitation_list(store_, ba_dinh, {"nope", 0, 10});
            }).first,
            "survey.not_found");
}

}  // namespace
}  // namespace sipas::app
