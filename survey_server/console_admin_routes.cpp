// The console's pages for people and keys (the administrator's and the
// manager's), the audit trail, a survey's invitations and re-issued links
// (console_admin_pages.hpp). Thin layers over app/: who may was decided at
// admission from the route's use case; every form carries its _csrf.

#include "app/api_keys.hpp"
#include "app/audit.hpp"
#include "app/clock.hpp"
#include "app/invitation_list.hpp"
#include "app/invitations.hpp"
#include "app/sample_import.hpp"
#include "app/sessions.hpp"
#include "app/units.hpp"
#include "app/use_case_error.hpp"
#include "app/users.hpp"
#include "io/percent_encoding.hpp"
#include "survey_server/api_error.hpp"
#include "survey_server/console_admin_pages.hpp"
#include "survey_server/console_html.hpp"
#include "survey_server/page_replies.hpp"
#include "survey_server/query_values.hpp"
#include "survey_server/service_internal.hpp"
#include "survey_server/url_encoding.hpp"
#include "texts/texts.hpp"

namespace sipas::survey_server {

namespace {

constexpr std::size_t audit_page_limit = 200;

std::string field_text(const FormFields& fields, std::string_view name) {
  auto value = find_field(fields, name);
  return value ? std::string(*value) : std::string();
}

std::string with_lang(const std::string& path, std::string_view lang) {
  return path + "?lang=" + std::string(lang);
}

}  // namespace

void SurveyService::render_users(const CallPtr& call, int status, const AddUserForm& form) {
  std::vector<store::UserRecord> users;
  std::vector<store::UnitRecord> units;
  {
    auto store = lease_store();
    users = app::list_users(*store, call->actor);
    units = app::visible_units(*store, call->actor);
  }
  const auto frame = console_frame(*call, *call->user, "/admin/users", "console.users");
  finish(*call, html(status, render_users_page(frame, users, units, form)));
}

void SurveyService::get_console_users(const CallPtr& call) {
  render_users(call, 200, {});
}

// Offloaded: a password is hashed with Argon2id (a tenth of a second).
void SurveyService::post_console_add_user(const CallPtr& call) {
  const auto fields = checked_console_form(*call);
  AddUserForm form{
      field_text(fields, "name"), field_text(fields, "role"), field_text(fields, "unit"), {}};
  app::AddUser request;
  request.name = form.name;
  const auto role = store::user_role_from_string(form.role);
  if (!role) {
    form.problems.push_back("role: choose one of the roles");
    return render_users(call, 422, form);
  }
  request.role = *role;
  if (!form.unit.empty()) request.unit = form.unit;
  if (auto password = field_text(fields, "password"); !password.empty())
    request.password = password;
  auto added = std::make_shared<app::AddedUser>();
  // Refused on the form, not on a page of their own: a taken name (the
  // writer refuses it too, should it be taken meanwhile), then what
  // prepare_user checks.
  {
    auto store = lease_store();
    if (store->find_user(request.name)) {
      form.problems.push_back("a user named '" + request.name + "' exists already");
      return render_users(call, 422, form);
    }
  }
  // The password hashed here, on a worker (the route is offloaded), not in
  // the writer's transaction, which answers wait for.
  try {
    *added = app::prepare_user(call->actor, request);
  } catch (const app::UseCaseError& e) {
    if (e.refusal() == app::Refusal::Forbidden) throw;
    form.problems.push_back(e.what());
    return render_users(call, 422, form);
  }
  const auto lang = console_language(call->query_value("lang"));
  write(
      call,
      [actor = call->actor, added](store::SurveyStore& s) { app::store_user(s, actor, *added); },
      [this, call, added, lang] {
        if (!added->generated_password) return redirect(with_lang("/admin/users", lang));
        auto frame = console_frame(*call, *call->user, "/admin/users", "console.users");
        SecretView view{texts::format(lang, "console.user_added", {{"name", added->user.name}}),
                        texts::text(lang, "console.password_once"), *added->generated_password,
                        "/admin/users"};
        return html(200, render_secret_page(frame, view));
      });
}

void SurveyService::post_console_user_state(const CallPtr& call) {
  const auto fields = checked_console_form(*call);
  const std::string name = call->param("name");
  const bool disabled = field_text(fields, "disabled") == "on";
  const auto lang = console_language(call->query_value("lang"));
  write(
      call,
      [name, disabled, actor = call->actor](store::SurveyStore& s) {
        app::set_user_disabled(s, actor, name, disabled);
      },
      [lang] { return redirect(with_lang("/admin/users", lang)); });
}

// Offloaded: the new password is hashed.
void SurveyService::post_console_user_password(const CallPtr& call) {
  checked_console_form(*call);
  const std::string name = call->param("name");
  const auto lang = console_language(call->query_value("lang"));
  // Hashed here, on a worker, as for a new user.
  auto made = std::make_shared<app::NewPassword>(app::prepare_password(call->actor, std::nullopt));
  write(
      call,
      [name, made, actor = call->actor](store::SurveyStore& s) {
        app::store_password(s, actor, name, *made);
      },
      [this, call, made, name, lang] {
        auto frame = console_frame(*call, *call->user, "/admin/users", "console.users");
        SecretView view{texts::format(lang, "console.password_reset", {{"name", name}}),
                        texts::text(lang, "console.password_once"), made->generated.value_or(""),
                        "/admin/users"};
        return html(200, render_secret_page(frame, view));
      });
}

void SurveyService::render_keys(const CallPtr& call, int status, const AddKeyForm& form) {
  std::vector<store::ApiKeyInfo> keys;
  {
    auto store = lease_store();
    keys = app::list_api_keys(*store, call->actor);
  }
  const auto frame = console_frame(*call, *call->user, "/admin/keys", "console.keys");
  finish(*call, html(status, render_keys_page(frame, keys, form)));
}

void SurveyService::get_console_keys(const CallPtr& call) {
  render_keys(call, 200, {});
}

void SurveyService::post_console_add_key(const CallPtr& call) {
  const auto fields = checked_console_form(*call);
  AddKeyForm form{field_text(fields, "name"), field_text(fields, "role"), {}};
  const auto role = store::role_from_string(form.role);
  if (form.name.empty())
    form.problems.push_back("name: give the key a name (who or what it is for)");
  if (!role) form.problems.push_back("role: analyst or manager");
  if (!form.problems.empty()) return render_keys(call, 422, form);
  const app::CreateApiKey request{form.name, *role};
  auto key = std::make_shared<std::string>();
  const auto lang = console_language(call->query_value("lang"));
  write(
      call,
      [request, key, actor = call->actor](store::SurveyStore& s) {
        *key = app::create_api_key(s, actor, request);
      },
      [this, call, key, name = form.name, lang] {
        auto frame = console_frame(*call, *call->user, "/admin/keys", "console.keys");
        SecretView view{texts::format(lang, "console.key_added", {{"name", name}}),
                        texts::text(lang, "console.key_once"), *key, "/admin/keys"};
        return html(200, render_secret_page(frame, view));
      });
}

void SurveyService::post_console_revoke_key(const CallPtr& call) {
  checked_console_form(*call);
  const auto id = count_parameter(call->param("key"), 0, "key");
  const auto lang = console_language(call->query_value("lang"));
  write(
      call, [id, actor = call->actor](store::SurveyStore& s) { app::revoke_api_key(s, actor, id); },
      [lang] { return redirect(with_lang("/admin/keys", lang)); });
}

void SurveyService::get_console_audit(const CallPtr& call) {
  AuditFilterForm filter;
  filter.actor = call->query_value("actor").value_or("");
  filter.survey = call->query_value("survey").value_or("");
  filter.from = call->query_value("from").value_or("");
  filter.to = call->query_value("to").value_or("");
  app::ReadAudit request;
  request.limit = audit_page_limit;
  request.newest_first = true;
  if (!filter.actor.empty()) request.actor = filter.actor;
  if (!filter.survey.empty()) request.survey = filter.survey;
  std::vector<store::AuditEntry> entries;
  int status = 200;
  try {
    if (!filter.from.empty()) request.from = app::parse_utc_day(filter.from, "from");
    if (!filter.to.empty()) request.to = app::parse_utc_day(filter.to, "to") + app::seconds_per_day;
    auto store = lease_store();
    entries = app::read_audit(*store, call->actor, request);
  } catch (const app::UseCaseError& e) {
    if (e.refusal() == app::Refusal::Forbidden) throw;
    filter.problems.push_back(e.what());
    status = 422;
  }
  const auto frame = console_frame(*call, *call->user, "/admin/audit", "console.audit");
  finish(*call, html(status, render_audit_page(frame, filter, entries, audit_page_limit)));
}

void SurveyService::get_console_invitations(const CallPtr& call) {
  InvitationsView view;
  view.survey = call->param("survey");
  view.offset = count_parameter(call->query_value("offset"), 0, "offset");
  {
    auto store = lease_store();
    view.page = app::invitation_list(*store, call->actor, {view.survey, view.offset, view.limit});
  }
  auto frame =
      console_frame(*call, *call->user, console_html::survey_path(view.survey, "/invitations"),
                    "console.invitations");
  frame.title = texts::format(frame.lang, "console.invitations_of", {{"survey", view.survey}});
  finish(*call, html(200, render_invitations_page(frame, view)));
}

void SurveyService::get_console_links(const CallPtr& call) {
  const std::string id = call->param("survey");
  survey(id);
  auto frame = console_frame(*call, *call->user, console_html::survey_path(id, "/links"),
                             "console.links_title");
  finish(*call, html(200, render_links_page(frame, {id, "", {}})));
}

void SurveyService::post_console_reissue(const CallPtr& call) {
  const auto fields = checked_console_form(*call);
  const std::string id = call->param("survey");
  ReissueForm form{id, field_text(fields, "id"), {}};
  auto frame = console_frame(*call, *call->user, console_html::survey_path(id, "/links"),
                             "console.links_title");
  std::string base;
  try {
    base = link_base(*call);
  } catch (const ApiError& e) {
    form.problems.push_back(e.what());
  }
  if (form.respondent_id.empty())
    form.problems.push_back(texts::text(frame.lang, "console.respondent_id_missing"));
  if (!form.problems.empty()) return finish(*call, html(422, render_links_page(frame, form)));
  auto issued = std::make_shared<store::IssuedInvitation>();
  write(
      call,
      [request = app::ReissueLink{id, form.respondent_id}, issued, actor = call->actor](
          store::SurveyStore& s) { *issued = app::reissue_link(s, actor, request); },
      [issued, base, id, frame] {
        const std::string link =
            base + "/s/" + io::percent_encode(id) + "?t=" + io::percent_encode(issued->token);
        SecretView view{
            texts::format(frame.lang, "console.link_reissued", {{"id", issued->respondent_id}}),
            texts::text(frame.lang, "console.link_once"), link,
            console_html::survey_path(id, "/links")};
        return html(200, render_secret_page(frame, view));
      });
}

}  // namespace sipas::survey_server
