#include "survey_server/console_pages.hpp"

#include "io/html_escape.hpp"
#include "io/percent_encoding.hpp"
#include "survey_server/page_shell.hpp"
#include "texts/texts.hpp"

namespace sipas::survey_server {

namespace {

constexpr std::string_view asset_base = "/assets/";

const std::string& t(std::string_view lang, std::string_view key) {
  return texts::text(lang, key);
}

void append_text(std::string& out, std::string_view lang, std::string_view key) {
  io::append_html(out, t(lang, key));
}

// The links to the same page in the other languages.
void append_languages(std::string& out, std::string_view lang, std::string_view path) {
  out += "<nav class=\"languages\" aria-label=\"";
  append_text(out, lang, "form.languages");
  out += "\"><ul>";
  for (const auto& code : texts::languages()) {
    if (code == lang) continue;
    out += "<li><a href=\"";
    io::append_html(out, path);
    out += "?lang=";
    io::append_html(out, code);
    out += "\" lang=\"";
    io::append_html(out, code);
    out += "\">";
    io::append_html(out, t(code, "language_name." + code));
    out += "</a></li>";
  }
  out += "</ul></nav>\n";
}

void append_hidden(std::string& out, std::string_view name, std::string_view value) {
  out += "<input type=\"hidden\" name=\"";
  io::append_html(out, name);
  out += "\" value=\"";
  io::append_html(out, value);
  out += "\">\n";
}

// The red band every console page opens with: the language links and the
// console's name; left open (a page adds to it, then closes "</div></header>").
void append_masthead(std::string& out, std::string_view lang, std::string_view path) {
  out += "<header class=\"masthead\"><div class=\"wrap\">\n";
  append_languages(out, lang, path);
  out += "<p class=\"console-name\">";
  append_text(out, lang, "console.title");
  out += "</p>\n";
}

// A unit by its name, the id in small print, linking to its page.
void append_unit_link(std::string& out, std::string_view lang, const store::UnitRecord& unit) {
  out += "<a href=\"/admin/units/";
  io::append_html(out, io::percent_encode(unit.id));
  out += "?lang=";
  io::append_html(out, lang);
  out += "\">";
  io::append_html(out, unit.name);
  out += "</a> <small>(";
  io::append_html(out, unit.id);
  out += ")</small>";
}

}  // namespace

std::string console_language(const std::optional<std::string>& requested) {
  if (requested && texts::has_language(*requested)) return *requested;
  return texts::languages().front();
}

std::string render_login_page(const LoginView& view) {
  const auto lang = view.lang;
  std::string out;
  open_page(out, lang, t(lang, "console.login_title") + " · " + t(lang, "console.title"),
            asset_base);
  append_masthead(out, lang, "/admin/login");
  out += "</div></header>\n<main class=\"wrap\" id=\"main\">\n<h1>";
  append_text(out, lang, "console.login_title");
  out += "</h1>\n";
  if (view.error) {
    // Announced and reachable first, as the form's errors are.
    out += "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>";
    append_text(out, lang, *view.error);
    out += "</h2></div>\n";
  }
  out += "<form method=\"post\" action=\"/admin/login?lang=";
  io::append_html(out, lang);
  out += "\" novalidate>\n";
  append_hidden(out, "_csrf", view.csrf);
  out += "<div class=\"item\"><label class=\"question\" for=\"user\">";
  append_text(out, lang, "console.user");
  out +=
      "</label>\n<input class=\"input\" id=\"user\" name=\"user\" type=\"text\" "
      "autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required "
      "value=\"";
  io::append_html(out, view.user);
  out += "\"></div>\n<div class=\"item\"><label class=\"question\" for=\"password\">";
  append_text(out, lang, "console.password");
  out +=
      "</label>\n<input class=\"input\" id=\"password\" name=\"password\" type=\"password\" "
      "autocomplete=\"current-password\" required></div>\n"
      "<div class=\"actions\"><button class=\"button button-primary\" type=\"submit\">";
  append_text(out, lang, "console.login_button");
  out += "</button></div>\n</form>\n</main>\n";
  close_page(out);
  return out;
}

void open_console_page(std::string& out, const ConsoleFrame& frame) {
  const auto lang = frame.lang;
  open_page(out, lang, frame.title + " · " + t(lang, "console.title"), asset_base);
  append_masthead(out, lang, frame.path);
  out += "<div class=\"console-session\"><p>";
  io::append_html(out, texts::format(lang, "console.signed_in_as", {{"name", frame.user->name}}));
  out += "</p>\n<form method=\"post\" action=\"/admin/logout?lang=";
  io::append_html(out, lang);
  out += "\">\n";
  append_hidden(out, "_csrf", frame.csrf);
  out += "<button class=\"button button-secondary\" type=\"submit\">";
  append_text(out, lang, "console.logout");
  out += "</button>\n</form></div>\n</div></header>\n";
  // The pages of the person's role, the current one marked.
  out += "<nav class=\"wrap console-nav\" aria-label=\"";
  append_text(out, lang, "console.menu");
  out += "\"><ul>";
  auto link = [&](std::string_view path, std::string_view key) {
    out += "<li><a href=\"";
    io::append_html(out, path);
    out += "?lang=";
    io::append_html(out, lang);
    out += "\"";
    if (frame.path == path) out += " aria-current=\"page\"";
    out += ">";
    append_text(out, lang, key);
    out += "</a></li>";
  };
  link("/admin/", "console.home");
  link("/admin/units", "console.units");
  if (frame.user->role == store::UserRole::Admin) link("/admin/users", "console.users");
  out += "</ul></nav>\n<main class=\"wrap\" id=\"main\">\n<h1>";
  io::append_html(out, frame.title);
  out += "</h1>\n";
}

void close_console_page(std::string& out) {
  out += "</main>\n";
  close_page(out);
}

std::string render_console_home(const HomeView& view) {
  const auto lang = view.lang;
  std::string out;
  open_console_page(out, {lang, view.csrf, &view.user, "/admin/", t(lang, "console.title")});
  out += "<dl class=\"summary\">\n<dt>";
  append_text(out, lang, "console.user");
  out += "</dt><dd>";
  io::append_html(out, view.user.name);
  out += "</dd>\n<dt>";
  append_text(out, lang, "console.role");
  out += "</dt><dd>";
  append_text(out, lang, "console.role." + std::string(store::to_string(view.user.role)));
  out += "</dd>\n";
  if (view.unit) {
    out += "<dt>";
    append_text(out, lang, "console.unit");
    out += "</dt><dd>";
    append_unit_link(out, lang, *view.unit);
    out += "</dd>\n";
  }
  out += "</dl>\n<p>";
  append_text(out, lang, "console.pages_to_come");
  out += "</p>\n";
  close_console_page(out);
  return out;
}

std::string render_units_page(const ConsoleFrame& frame,
                              const std::vector<store::UnitRecord>& units) {
  const auto lang = frame.lang;
  std::string out;
  open_console_page(out, frame);
  if (units.empty()) {
    out += "<p>";
    append_text(out, lang, "console.no_units");
    out += "</p>\n";
  } else {
    out += "<table class=\"console-table\">\n<thead><tr><th scope=\"col\">";
    append_text(out, lang, "console.unit");
    out += "</th><th scope=\"col\">";
    append_text(out, lang, "console.unit_type");
    out += "</th><th scope=\"col\">";
    append_text(out, lang, "console.unit_parent");
    out += "</th></tr></thead>\n<tbody>\n";
    for (const auto& unit : units) {
      out += "<tr><td>";
      append_unit_link(out, lang, unit);
      out += "</td><td>";
      io::append_html(out, unit.type);
      out += "</td><td>";
      io::append_html(out, unit.parent.value_or(""));
      out += "</td></tr>\n";
    }
    out += "</tbody></table>\n";
  }
  close_console_page(out);
  return out;
}

std::string render_unit_page(const ConsoleFrame& frame, const store::UnitRecord& unit,
                             const std::optional<store::UnitRecord>& parent,
                             const std::vector<store::UnitRecord>& children) {
  const auto lang = frame.lang;
  std::string out;
  open_console_page(out, frame);
  out += "<dl class=\"summary\">\n<dt>";
  append_text(out, lang, "console.unit_id");
  out += "</dt><dd>";
  io::append_html(out, unit.id);
  out += "</dd>\n<dt>";
  append_text(out, lang, "console.unit_type");
  out += "</dt><dd>";
  io::append_html(out, unit.type);
  out += "</dd>\n";
  if (parent) {
    out += "<dt>";
    append_text(out, lang, "console.unit_parent");
    out += "</dt><dd>";
    append_unit_link(out, lang, *parent);
    out += "</dd>\n";
  }
  out += "</dl>\n";
  if (!children.empty()) {
    out += "<h2>";
    append_text(out, lang, "console.units_below");
    out += "</h2>\n<ul>\n";
    for (const auto& child : children) {
      out += "<li>";
      append_unit_link(out, lang, child);
      out += "</li>\n";
    }
    out += "</ul>\n";
  }
  close_console_page(out);
  return out;
}

std::string render_users_page(const ConsoleFrame& frame,
                              const std::vector<store::UserRecord>& users) {
  const auto lang = frame.lang;
  std::string out;
  open_console_page(out, frame);
  out += "<table class=\"console-table\">\n<thead><tr><th scope=\"col\">";
  append_text(out, lang, "console.user");
  out += "</th><th scope=\"col\">";
  append_text(out, lang, "console.role");
  out += "</th><th scope=\"col\">";
  append_text(out, lang, "console.unit");
  out += "</th><th scope=\"col\">";
  append_text(out, lang, "console.user_state");
  out += "</th></tr></thead>\n<tbody>\n";
  for (const auto& user : users) {
    out += "<tr><td>";
    io::append_html(out, user.name);
    out += "</td><td>";
    append_text(out, lang, "console.role." + std::string(store::to_string(user.role)));
    out += "</td><td>";
    io::append_html(out, user.unit.value_or(""));
    out += "</td><td>";
    append_text(out, lang, user.disabled ? "console.user_disabled" : "console.user_active");
    out += "</td></tr>\n";
  }
  out += "</tbody></table>\n<p>";
  append_text(out, lang, "console.users_cli");
  out += "</p>\n";
  close_console_page(out);
  return out;
}

}  // namespace sipas::survey_server
