#include "survey_server/console_admin_pages.hpp"

#include "app/clock.hpp"
#include "io/html_escape.hpp"
#include "survey_server/console_html.hpp"
#include "texts/texts.hpp"

namespace sipas::survey_server {

using namespace console_html;

namespace {

constexpr store::UserRole all_roles[] = {store::UserRole::Admin,     store::UserRole::Manager,
                                         store::UserRole::Analyst,   store::UserRole::Unit,
                                         store::UserRole::Appraiser, store::UserRole::Clerk};

void append_input(std::string& out, std::string_view id, std::string_view name,
                  std::string_view type, std::string_view value, std::string_view extra = "") {
  out += "<input class=\"input\" id=\"";
  io::append_html(out, id);
  out += "\" name=\"";
  io::append_html(out, name);
  out += "\" type=\"";
  io::append_html(out, type);
  out += "\" value=\"";
  io::append_html(out, value);
  out += "\"";
  if (!extra.empty()) {
    out += " ";
    out += extra;
  }
  out += ">\n";
}

void append_submit(std::string& out, std::string_view lang, std::string_view key,
                   std::string_view style = "button-primary") {
  out += "<button class=\"button ";
  out += style;
  out += "\" type=\"submit\">";
  append_text(out, lang, key);
  out += "</button>";
}

std::string_view status_key(store::InvitationStatus status) {
  switch (status) {
    case store::InvitationStatus::Inactive:
      return "console.invitation.inactive";
    case store::InvitationStatus::Pending:
      return "console.invitation.pending";
    case store::InvitationStatus::Opened:
      return "console.invitation.opened";
    case store::InvitationStatus::Responded:
      return "console.invitation.responded";
  }
  return "console.invitation.pending";
}

}  // namespace

std::string render_users_page(const ConsoleFrame& frame,
                              const std::vector<store::UserRecord>& users,
                              const std::vector<store::UnitRecord>& units,
                              const AddUserForm& form) {
  const auto lang = frame.lang;
  std::string out;
  open_console_page(out, frame);
  open_table_scroll(out, lang);
  out += "<table class=\"console-table\">\n<thead><tr>";
  for (auto key :
       {"console.user", "console.role", "console.unit", "console.user_state", "console.actions"})
    append_th(out, lang, key);
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& user : users) {
    const std::string path = "/admin/users/" + user.name;
    out += "<tr><td>";
    io::append_html(out, user.name);
    out += "</td><td>";
    append_text(out, lang, "console.role." + std::string(store::to_string(user.role)));
    out += "</td><td>";
    io::append_html(out, user.unit.value_or(""));
    out += "</td><td>";
    append_text(out, lang, user.disabled ? "console.user_disabled" : "console.user_active");
    out += "</td><td class=\"row-actions\">";
    open_post_form(out, lang, path + "/state", frame.csrf);
    append_hidden(out, "disabled", user.disabled ? "off" : "on");
    out += "<button class=\"button button-secondary\" type=\"submit\" aria-label=\"";
    io::append_html(
        out, texts::format(
                 lang, user.disabled ? "console.enable_user_named" : "console.disable_user_named",
                 {{"name", user.name}}));
    out += "\">";
    append_text(out, lang, user.disabled ? "console.enable_user" : "console.disable_user");
    out += "</button></form>";
    open_post_form(out, lang, path + "/password", frame.csrf);
    out += "<button class=\"button button-secondary\" type=\"submit\" aria-label=\"";
    io::append_html(out,
                    texts::format(lang, "console.reset_password_named", {{"name", user.name}}));
    out += "\">";
    append_text(out, lang, "console.reset_password");
    out += "</button></form></td></tr>\n";
  }
  out += "</tbody></table></div>\n<h2 id=\"add\">";
  append_text(out, lang, "console.add_user");
  out += "</h2>\n";
  if (!form.problems.empty())
    append_error_summary(out, lang, "console.add_user_refused", form.problems);
  open_post_form(out, lang, "/admin/users", frame.csrf);
  out += "<div class=\"item\">";
  append_label(out, lang, "new-name", "console.user");
  append_input(out, "new-name", "name", "text", form.name,
               "required autocapitalize=\"none\" spellcheck=\"false\" autocomplete=\"off\"");
  out += "</div>\n<div class=\"item\">";
  append_label(out, lang, "new-role", "console.role");
  out += "<select class=\"input\" id=\"new-role\" name=\"role\">";
  for (auto role : all_roles) {
    const auto code = store::to_string(role);
    out += "<option value=\"";
    io::append_html(out, code);
    out += "\"";
    if (form.role == code) out += " selected";
    out += ">";
    append_text(out, lang, "console.role." + std::string(code));
    out += "</option>";
  }
  out += "</select></div>\n<div class=\"item\">";
  append_label(out, lang, "new-unit", "console.unit_for_unit_role");
  out += "<select class=\"input\" id=\"new-unit\" name=\"unit\"><option value=\"\">";
  append_text(out, lang, "console.no_unit");
  out += "</option>";
  for (const auto& unit : units) {
    out += "<option value=\"";
    io::append_html(out, unit.id);
    out += "\"";
    if (form.unit == unit.id) out += " selected";
    out += ">";
    io::append_html(out, unit.name + " (" + unit.id + ")");
    out += "</option>";
  }
  out += "</select></div>\n<div class=\"item\">";
  append_label(out, lang, "new-password", "console.new_password");
  out += "<p class=\"hint\" id=\"new-password-hint\">";
  append_text(out, lang, "console.new_password_hint");
  out += "</p>\n";
  append_input(out, "new-password", "password", "password", "",
               "autocomplete=\"new-password\" aria-describedby=\"new-password-hint\"");
  out += "</div>\n<div class=\"actions\">";
  append_submit(out, lang, "console.add_user");
  out += "</div>\n</form>\n";
  close_console_page(out);
  return out;
}

std::string render_secret_page(const ConsoleFrame& frame, const SecretView& view) {
  const auto lang = frame.lang;
  std::string out;
  open_console_page(out, frame);
  out += "<div class=\"notice\" role=\"status\"><h2>";
  io::append_html(out, view.heading);
  out += "</h2>\n<p>";
  io::append_html(out, view.explanation);
  out += "</p>\n<p><code class=\"secret\">";
  io::append_html(out, view.secret);
  out += "</code></p></div>\n";
  append_link(out, lang, view.back_path, "console.back");
  close_console_page(out);
  return out;
}

std::string render_keys_page(const ConsoleFrame& frame, const std::vector<store::ApiKeyInfo>& keys,
                             const AddKeyForm& form) {
  const auto lang = frame.lang;
  std::string out;
  open_console_page(out, frame);
  out += "<p>";
  append_text(out, lang, "console.keys_explained");
  out += "</p>\n";
  if (keys.empty()) {
    out += "<p>";
    append_text(out, lang, "console.no_keys");
    out += "</p>\n";
  } else {
    open_table_scroll(out, lang);
    out += "<table class=\"console-table\">\n<thead><tr>";
    for (auto key : {"console.key_name", "console.role", "console.key_created",
                     "console.user_state", "console.actions"})
      append_th(out, lang, key);
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& key : keys) {
      out += "<tr><td>";
      io::append_html(out, key.name);
      out += "</td><td>";
      io::append_html(out, store::to_string(key.role));
      out += "</td><td>";
      io::append_html(out, utc_time(key.created_at));
      out += "</td><td>";
      if (key.revoked_at) {
        io::append_html(out, texts::format(lang, "console.key_revoked_at",
                                           {{"time", utc_time(*key.revoked_at)}}));
        out += "</td><td></td></tr>\n";
        continue;
      }
      append_text(out, lang, "console.user_active");
      out += "</td><td>";
      open_post_form(out, lang, "/admin/keys/" + std::to_string(key.id) + "/revoke", frame.csrf);
      out += "<button class=\"button button-warning\" type=\"submit\" aria-label=\"";
      io::append_html(out, texts::format(lang, "console.revoke_key_named", {{"name", key.name}}));
      out += "\">";
      append_text(out, lang, "console.revoke_key");
      out += "</button></form></td></tr>\n";
    }
    out += "</tbody></table></div>\n";
  }
  out += "<h2>";
  append_text(out, lang, "console.add_key");
  out += "</h2>\n";
  if (!form.problems.empty())
    append_error_summary(out, lang, "console.add_key_refused", form.problems);
  open_post_form(out, lang, "/admin/keys", frame.csrf);
  out += "<div class=\"item\">";
  append_label(out, lang, "key-name", "console.key_name");
  append_input(out, "key-name", "name", "text", form.name, "required autocomplete=\"off\"");
  out += "</div>\n<div class=\"item\">";
  append_label(out, lang, "key-role", "console.role");
  out += "<select class=\"input\" id=\"key-role\" name=\"role\">";
  for (std::string_view role : {"analyst", "manager"}) {
    out += "<option value=\"";
    out += role;
    out += "\"";
    if (form.role == role) out += " selected";
    out += ">";
    append_text(out, lang, "console.key_role." + std::string(role));
    out += "</option>";
  }
  out += "</select></div>\n<div class=\"actions\">";
  append_submit(out, lang, "console.add_key");
  out += "</div>\n</form>\n";
  close_console_page(out);
  return out;
}

std::string render_audit_page(const ConsoleFrame& frame, const AuditFilterForm& filter,
                              const std::vector<store::AuditEntry>& entries, std::size_t limit) {
  const auto lang = frame.lang;
  std::string out;
  open_console_page(out, frame);
  if (!filter.problems.empty())
    append_error_summary(out, lang, "console.audit_filter_refused", filter.problems);
  // A GET form: the filter is in the address, to keep or to share.
  out += "<form method=\"get\" action=\"/admin/audit\" class=\"filters\">\n";
  append_hidden(out, "lang", lang);
  const std::pair<std::string_view, const std::string*> fields[] = {{"actor", &filter.actor},
                                                                    {"survey", &filter.survey},
                                                                    {"from", &filter.from},
                                                                    {"to", &filter.to}};
  for (const auto& [name, value] : fields) {
    const std::string id = "filter-" + std::string(name);
    out += "<div class=\"item\">";
    append_label(out, lang, id, "console.audit_filter." + std::string(name));
    append_input(out, id, name, name == "from" || name == "to" ? "date" : "text", *value);
    out += "</div>\n";
  }
  out += "<div class=\"actions\">";
  append_submit(out, lang, "console.audit_filter_button", "button-secondary");
  out += "</div>\n</form>\n<p>";
  io::append_html(
      out, texts::format(lang, "console.audit_shown",
                         {{"count", count_text(lang, static_cast<std::int64_t>(entries.size()))},
                          {"limit", count_text(lang, static_cast<std::int64_t>(limit))}}));
  out += "</p>\n";
  if (!entries.empty()) {
    open_table_scroll(out, lang);
    out += "<table class=\"console-table\">\n<thead><tr>";
    for (auto key : {"console.audit.at", "console.audit.actor", "console.audit.action",
                     "console.survey", "console.audit.subject", "console.audit.change"})
      append_th(out, lang, key);
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& e : entries) {
      out += "<tr><td>";
      io::append_html(out, utc_time(e.at));
      out += "</td><td>";
      io::append_html(out, e.actor);
      out += "</td><td>";
      io::append_html(out, e.action);
      out += "</td><td>";
      io::append_html(out, e.survey.value_or(""));
      out += "</td><td>";
      io::append_html(out, e.subject.value_or(""));
      out += "</td><td>";
      io::append_html(out, e.before_json.value_or("") + " → " + e.after_json.value_or(""));
      if (e.note) {
        out += "<br><q>";
        io::append_html(out, *e.note);
        out += "</q>";
      }
      out += "</td></tr>\n";
    }
    out += "</tbody></table></div>\n";
  }
  close_console_page(out);
  return out;
}

std::string render_invitations_page(const ConsoleFrame& frame, const InvitationsView& view) {
  const auto lang = frame.lang;
  const auto& page = view.page;
  std::string out;
  open_console_page(out, frame);
  if (page.limited_to_unit) {
    out += "<p class=\"hint\">";
    append_text(out, lang, "console.invitations_limited");
    out += "</p>\n";
  }
  out += "<p>";
  append_text(out, lang, "console.invitations_no_contacts");
  out += "</p>\n<p>";
  const auto first = page.rows.empty() ? 0 : view.offset + 1;
  io::append_html(
      out,
      texts::format(
          lang, "console.invitations_shown",
          {{"first", count_text(lang, first)},
           {"last", count_text(lang, view.offset + static_cast<std::int64_t>(page.rows.size()))},
           {"total", count_text(lang, page.total)}}));
  out += "</p>\n";
  if (!page.rows.empty()) {
    open_table_scroll(out, lang);
    out += "<table class=\"console-table\">\n<thead><tr>";
    for (auto key :
         {"console.respondent", "console.stratum", "console.psu", "console.invitation_role",
          "console.invitation_status", "console.review_state"})
      append_th(out, lang, key);
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& row : page.rows) {
      out += "<tr><td>";
      io::append_html(out, row.respondent_id);
      out += "</td><td>";
      io::append_html(out, row.unit_name ? *row.unit_name + " (" + row.stratum + ")" : row.stratum);
      out += "</td><td>";
      io::append_html(out, row.psu);
      out += "</td><td>";
      if (row.reserve) {
        io::append_html(out, texts::format(lang, "console.reserve_rank",
                                           {{"rank", std::to_string(row.reserve_rank)}}));
      } else {
        append_text(out, lang, "console.main_unit");
      }
      out += "</td><td>";
      append_text(out, lang, status_key(row.status));
      out += "</td><td>";
      if (row.review)
        append_text(out, lang, "console.review." + std::string(store::to_string(*row.review)));
      out += "</td></tr>\n";
    }
    out += "</tbody></table></div>\n";
  }
  const std::string base = survey_path(view.survey, "/invitations");
  out += "<nav aria-label=\"";
  append_text(out, lang, "console.pages_nav");
  out += "\"><ul class=\"tabs\">";
  if (view.offset > 0) {
    out += "<li><a href=\"";
    io::append_html(out, base);
    out += "?lang=";
    io::append_html(out, lang);
    out += "&amp;offset=" + std::to_string(std::max<std::int64_t>(0, view.offset - view.limit)) +
           "\">";
    append_text(out, lang, "console.previous_page");
    out += "</a></li>";
  }
  if (view.offset + static_cast<std::int64_t>(page.rows.size()) < page.total) {
    out += "<li><a href=\"";
    io::append_html(out, base);
    out += "?lang=";
    io::append_html(out, lang);
    out += "&amp;offset=" + std::to_string(view.offset + view.limit) + "\">";
    append_text(out, lang, "console.next_page");
    out += "</a></li>";
  }
  out += "</ul></nav>\n";
  append_link(out, lang, survey_path(view.survey), "console.back_to_survey");
  close_console_page(out);
  return out;
}

std::string render_links_page(const ConsoleFrame& frame, const ReissueForm& form) {
  const auto lang = frame.lang;
  std::string out;
  open_console_page(out, frame);
  if (!form.problems.empty())
    append_error_summary(out, lang, "console.reissue_refused", form.problems);
  out += "<p>";
  append_text(out, lang, "console.links_once");
  out += "</p>\n<p>";
  append_text(out, lang, "console.reissue_explained");
  out += "</p>\n";
  open_post_form(out, lang, survey_path(form.survey, "/links"), frame.csrf);
  out += "<div class=\"item\">";
  append_label(out, lang, "respondent-id", "console.respondent_id");
  append_input(out, "respondent-id", "id", "text", form.respondent_id,
               "required autocomplete=\"off\" spellcheck=\"false\"");
  out += "</div>\n<div class=\"actions\">";
  append_submit(out, lang, "console.reissue_button");
  out += "</div>\n</form>\n";
  append_link(out, lang, survey_path(form.survey), "console.back_to_survey");
  close_console_page(out);
  return out;
}

}  // namespace sipas::survey_server
