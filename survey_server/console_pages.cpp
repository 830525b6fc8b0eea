#include "survey_server/console_pages.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "app/clock.hpp"
#include "io/html_escape.hpp"
#include "io/percent_encoding.hpp"
#include "questionnaires/scoring.hpp"
#include "reports/html_format.hpp"
#include "survey_server/console_html.hpp"
#include "survey_server/console_survey_pages.hpp"
#include "survey_server/page_shell.hpp"
#include "texts/texts.hpp"

namespace sipas::survey_server {

using namespace console_html;

namespace {

constexpr std::string_view asset_base = "/assets/";

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

// The red band every console page opens with: the language links and the
// console's name; left open (a page adds to it, then closes "</div></header>").
void append_masthead(std::string& out, std::string_view lang, std::string_view path) {
  out += "<header class=\"masthead\"><div class=\"wrap\">\n";
  append_languages(out, lang, path);
  out += "<p class=\"console-name\">";
  append_text(out, lang, "console.title");
  out += "</p>\n";
}

}  // namespace

std::string_view console_language(const std::optional<std::string>& requested) {
  for (const auto& code : texts::languages()) {
    if (requested == code) return code;
  }
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
  link("/admin/surveys", "console.surveys");
  link("/admin/units", "console.units");
  const bool runs_surveys =
      frame.user->role == store::UserRole::Admin || frame.user->role == store::UserRole::Manager;
  if (runs_surveys) link("/admin/audit", "console.audit");
  if (runs_surveys) link("/admin/keys", "console.keys");
  if (frame.user->role == store::UserRole::Admin) link("/admin/users", "console.users");
  out += "</ul></nav>\n<main class=\"wrap\" id=\"main\">\n<h1>";
  io::append_html(out, frame.title);
  out += "</h1>\n";
}

void close_console_page(std::string& out) {
  // The console's small script: the error summary focused, the progress
  // table refreshed (assets/console.js); every page works without it.
  out += "<script src=\"/assets/console.js\" defer></script>\n</main>\n";
  close_page(out);
}

std::string render_console_error(const ConsoleFrame& frame, int status, std::string_view code,
                                 std::string_view message) {
  const auto lang = frame.lang;
  std::string out;
  open_console_page(out, frame);
  std::string_view key = "console.error.refused";
  if (status == 403) key = "console.error.forbidden";
  if (status == 404) key = "console.error.not_found";
  if (status >= 500) key = "console.error.failed";
  out += "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>";
  append_text(out, lang, key);
  out += "</h2>\n<p>";
  io::append_html(out, message);
  out += "</p>\n<p class=\"hint\">";
  io::append_html(out, texts::format(lang, "console.error.code", {{"code", std::string(code)}}));
  out += "</p></div>\n";
  append_link(out, lang, "/admin/", "console.home");
  close_console_page(out);
  return out;
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
    open_table_scroll(out, lang);
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
    out += "</tbody></table></div>\n";
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

namespace {

// The report's number formats (Vietnamese 1.234,5; English 1,234.5).
reports::Language report_language(std::string_view lang) {
  return lang == "vi" ? reports::Language::Vi : reports::Language::En;
}

// The live indices without a domain: a table, and beside it an SVG of each
// estimate as a bar on 0-100 with its 95% interval as whiskers.
// An index by its name in the page's language (its id in small print), the
// overall one by the console's word for it.
void append_index_name(std::string& out, std::string_view lang,
                       const questionnaires::Questionnaire* questionnaire, const std::string& id) {
  const questionnaires::Element* element =
      questionnaire ? questionnaire->scoring().find_element(id) : nullptr;
  if (id == "overall") {
    append_text(out, lang, "console.index_overall");
  } else if (element && !element->label.empty()) {
    io::append_html(out, element->label.in(questionnaire->language_index(lang).value_or(0)));
  } else {
    io::append_html(out, id);
    return;
  }
  out += " <small>(";
  io::append_html(out, id);
  out += ")</small>";
}

// One row of estimates: a name already written by `name`, the estimate, its
// SE and 95% interval, and a bar on 0-100 with the interval as whiskers.
using NameWriter = std::function<void(std::string&, const analysis::Estimate&)>;

void append_estimates_table(std::string& out, std::string_view lang, std::string_view name_key,
                            const std::vector<const analysis::Estimate*>& rows,
                            const NameWriter& name) {
  open_table_scroll(out, lang);
  out += "<table class=\"console-table\">\n<thead><tr>";
  for (auto key :
       {std::string(name_key), std::string("console.estimate"), std::string("console.se"),
        std::string("console.ci"), std::string("console.chart")})
    append_th(out, lang, key);
  out += "</tr></thead>\n<tbody>\n";
  const auto language = report_language(lang);
  for (const auto* e : rows) {
    out += "<tr><td>";
    name(out, *e);
    out += "</td><td>";
    out += reports::format_number(e->estimate, 1, language);
    out += "</td><td>";
    out += reports::format_number(e->se, 2, language);
    out += "</td><td>";
    out += reports::format_interval(e->ci_low, e->ci_high, 1, language);
    out += "</td><td>";
    // 0-100 on 200 px: a bar to the estimate, whiskers at the bounds. The
    // numbers are in the row: the drawing is never the only way to read them.
    auto x = [](double v) { return reports::svg_number(std::clamp(v, 0.0, 100.0) * 2.0, 1); };
    out +=
        "<svg class=\"index-bar\" width=\"204\" height=\"20\" viewBox=\"-2 0 204 20\" "
        "aria-hidden=\"true\"><rect x=\"0\" y=\"5\" height=\"10\" width=\"" +
        x(e->estimate) + "\" fill=\"#1d70b8\"/><line x1=\"" + x(e->ci_low) + "\" x2=\"" +
        x(e->ci_high) +
        "\" y1=\"10\" y2=\"10\" stroke=\"#0b0c0c\" stroke-width=\"2\"/><line x1=\"" + x(e->ci_low) +
        "\" x2=\"" + x(e->ci_low) +
        "\" y1=\"4\" y2=\"16\" stroke=\"#0b0c0c\" "
        "stroke-width=\"2\"/><line x1=\"" +
        x(e->ci_high) + "\" x2=\"" + x(e->ci_high) +
        "\" y1=\"4\" y2=\"16\" stroke=\"#0b0c0c\" stroke-width=\"2\"/></svg>";
    out += "</td></tr>\n";
  }
  out += "</tbody></table></div>\n";
}

// The live indices (computed by stratum): the overall and element indices,
// the overall index of each stratum with its unit's name, and the items'.
void append_indices(std::string& out, std::string_view lang, const app::LiveIndices& indices,
                    const questionnaires::Questionnaire* questionnaire,
                    const std::vector<app::StratumRow>& strata) {
  out += "<h2>";
  append_text(out, lang, "console.indices");
  out += "</h2>\n<p>";
  io::append_html(out, texts::format(lang, "console.indices_computed_at",
                                     {{"time", utc_time(indices.computed_at)}}));
  out += " ";
  io::append_html(out, texts::format(lang, "console.indices_counted",
                                     {{"counted", count_text(lang, indices.counted)},
                                      {"rejected", count_text(lang, indices.rejected)}}));
  out += "</p>\n";
  if (!indices.result) {
    out += "<p>";
    append_text(out, lang, "console.indices_none");
    out += "</p>\n";
    return;
  }
  std::vector<const analysis::Estimate*> main, by_unit, items;
  for (const auto& e : indices.result->estimates) {
    const bool whole = e.domain.empty();
    if (whole && (e.statistic == "overall_index" || e.statistic == "element_index")) {
      main.push_back(&e);
    } else if (whole && e.statistic == "item_index") {
      items.push_back(&e);
    } else if (e.statistic == "overall_index" && e.domain.size() == 1 &&
               e.domain.front().first == "stratum") {
      by_unit.push_back(&e);
    }
  }
  append_estimates_table(out, lang, "console.index", main,
                         [&](std::string& o, const analysis::Estimate& e) {
                           append_index_name(o, lang, questionnaire, e.variable);
                         });
  out += "<p class=\"hint\">";
  append_text(out, lang, "console.indices_rule");
  out += "</p>\n";
  if (!by_unit.empty()) {
    out += "<h3>";
    append_text(out, lang, "console.indices_by_unit");
    out += "</h3>\n";
    append_estimates_table(out, lang, "console.stratum", by_unit,
                           [&](std::string& o, const analysis::Estimate& e) {
                             const auto& stratum = e.domain.front().second;
                             for (const auto& row : strata) {
                               if (row.progress.stratum == stratum && row.unit) {
                                 append_unit_link(o, lang, *row.unit);
                                 return;
                               }
                             }
                             io::append_html(o, stratum);
                           });
  }
  if (!items.empty()) {
    out += "<details class=\"items\"><summary>";
    append_text(out, lang, "console.indices_items");
    out += "</summary>\n";
    const std::size_t language =
        questionnaire ? questionnaire->language_index(lang).value_or(0) : 0;
    append_estimates_table(
        out, lang, "console.item", items, [&](std::string& o, const analysis::Estimate& e) {
          const auto* item = questionnaire ? questionnaire->find(e.variable) : nullptr;
          if (item) {
            io::append_html(o, item->text.in(language));
            o += " <small>(";
          }
          io::append_html(o, e.variable);
          if (item) o += ")</small>";
        });
    out += "</details>\n";
  }
}

}  // namespace

std::string render_surveys_page(const ConsoleFrame& frame,
                                const std::vector<store::SurveyRecord>& surveys,
                                const CreateSurveyForm* create) {
  const auto lang = frame.lang;
  std::string out;
  open_console_page(out, frame);
  if (surveys.empty()) {
    out += "<p>";
    append_text(out, lang, "console.no_surveys");
    out += "</p>\n";
  } else {
    open_table_scroll(out, lang);
    out += "<table class=\"console-table\">\n<thead><tr>";
    for (auto key : {"console.survey", "console.questionnaire", "console.state"})
      append_th(out, lang, key);
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& survey : surveys) {
      out += "<tr><td><a href=\"/admin/surveys/";
      io::append_html(out, io::percent_encode(survey.id));
      out += "?lang=";
      io::append_html(out, lang);
      out += "\">";
      io::append_html(out, survey.id);
      out += "</a></td><td>";
      io::append_html(out, survey.questionnaire_id + " " + survey.questionnaire_version);
      out += "</td><td>";
      append_text(out, lang, state_key(survey.state));
      out += "</td></tr>\n";
    }
    out += "</tbody></table></div>\n";
  }
  if (create) append_create_survey_form(out, frame, *create);
  close_console_page(out);
  return out;
}

std::string render_survey_page(const ConsoleFrame& frame, const SurveyPageView& view) {
  const auto lang = frame.lang;
  const auto& overview = *view.overview;
  const auto& id = overview.survey.id;
  std::string out;
  open_console_page(out, frame);
  out += "<dl class=\"summary\">\n<dt>";
  append_text(out, lang, "console.state");
  out += "</dt><dd>";
  append_text(out, lang, state_key(overview.survey.state));
  out += "</dd>\n<dt>";
  append_text(out, lang, "console.questionnaire");
  out += "</dt><dd>";
  io::append_html(out,
                  overview.survey.questionnaire_id + " " + overview.survey.questionnaire_version);
  out += "</dd>\n<dt>";
  append_text(out, lang, "console.open_link");
  out += "</dt><dd>";
  append_text(out, lang, overview.survey.open_link ? "console.yes" : "console.no");
  out += "</dd>\n</dl>\n";
  if (view.can_change_state) {
    const bool open = overview.survey.state == store::SurveyState::Open;
    open_post_form(out, lang, survey_path(id, "/state"), frame.csrf);
    append_hidden(out, "state", open ? "closed" : "open");
    out += "<button class=\"button button-primary\" type=\"submit\">";
    append_text(out, lang, open ? "console.close_survey" : "console.open_survey");
    out += "</button>\n</form>\n";
  }
  // The survey's other pages.
  std::vector<std::pair<std::string, std::string_view>> links;
  if (view.can_manage) {
    links.emplace_back(survey_path(id, "/sample"), "console.sample_title");
    links.emplace_back(survey_path(id, "/links"), "console.links_title");
  }
  links.emplace_back(survey_path(id, "/invitations"), "console.invitations");
  if (view.can_review) links.emplace_back(survey_path(id, "/review"), "console.review_queue");
  if (view.can_export) links.emplace_back(survey_path(id, "/exports"), "console.exports");
  out += "<ul class=\"survey-links\">\n";
  for (const auto& [path, key] : links) {
    out += "<li><a href=\"";
    io::append_html(out, path);
    out += "?lang=";
    io::append_html(out, lang);
    out += "\">";
    append_text(out, lang, key);
    out += "</a></li>\n";
  }
  out += "</ul>\n";
  if (view.can_manage) {
    out += "<h2>";
    append_text(out, lang, "console.options");
    out += "</h2>\n";
    open_post_form(out, lang, survey_path(id, "/options"), frame.csrf);
    out +=
        "<div class=\"item\"><div class=\"choice\"><input id=\"open-link\" name=\"open_link\" "
        "type=\"checkbox\" value=\"on\"";
    if (overview.survey.open_link) out += " checked";
    out += "> <label for=\"open-link\">";
    append_text(out, lang, "console.open_link");
    out +=
        "</label></div></div>\n<div class=\"actions\"><button class=\"button "
        "button-secondary\" type=\"submit\">";
    append_text(out, lang, "console.save_options");
    out += "</button></div>\n</form>\n";
  }
  out += "<h2>";
  append_text(out, lang, "console.progress");
  out += "</h2>\n";
  if (overview.limited_to_unit) {
    out += "<p class=\"hint\">";
    append_text(out, lang, "console.progress_limited");
    out += "</p>\n";
  }
  if (overview.strata.empty()) {
    out += "<p>";
    append_text(out, lang, "console.no_invitations");
    out += "</p>\n";
  } else {
    // The script (assets/console.js) reads the same numbers again while the
    // survey takes answers.
    open_table_scroll(out, lang);
    out += "<table class=\"console-table\" data-progress=\"";
    io::append_html(out, survey_path(id, "/progress"));
    out += "\" data-open=\"";
    out += overview.survey.state == store::SurveyState::Open ? "true" : "false";
    out += "\" data-interval=\"" + std::to_string(view.refresh_seconds) + "\">\n<thead><tr>";
    for (auto key : {"console.stratum", "console.invited", "console.responded", "console.rate",
                     "console.reserves"})
      append_th(out, lang, key);
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& row : overview.strata) {
      const auto& p = row.progress;
      const double rate = p.invited > 0 ? static_cast<double>(p.responded) / p.invited : 0;
      out += "<tr data-stratum=\"";
      io::append_html(out, p.stratum);
      out += "\"><td>";
      if (row.unit) {
        append_unit_link(out, lang, *row.unit);
      } else {
        io::append_html(out, p.stratum);
      }
      out += "</td><td data-cell=\"invited\">" + count_text(lang, p.invited) +
             "</td><td data-cell=\"responded\">" + count_text(lang, p.responded) + "</td><td>";
      out += "<meter min=\"0\" max=\"1\" value=\"" + std::to_string(rate) + "\"></meter> ";
      out += "<span data-cell=\"rate\">" + percent_text(lang, 100 * rate) + "</span>";
      out += "</td><td><span data-cell=\"reserves\">" + count_text(lang, p.reserves_waiting) +
             "</span>";
      if (view.can_manage && p.reserves_waiting > 0 &&
          overview.survey.state != store::SurveyState::Closed) {
        // One button a stratum; the links of the activated reserves come
        // back as a file.
        open_post_form(out, lang, survey_path(id, "/reserves"), frame.csrf);
        append_hidden(out, "stratum", p.stratum);
        const std::string field = "count-" + std::to_string(&row - overview.strata.data());
        out += "<label class=\"visually-hidden\" for=\"" + field + "\">";
        io::append_html(out, texts::format(lang, "console.reserves_count_for",
                                           {{"stratum", row.unit ? row.unit->name : p.stratum}}));
        out += "</label><input class=\"input input-count\" id=\"" + field +
               "\" name=\"count\" type=\"number\" min=\"1\" max=\"" +
               std::to_string(p.reserves_waiting) + "\" value=\"1\"> ";
        out += "<button class=\"button button-secondary\" type=\"submit\">";
        append_text(out, lang, "console.activate_reserves");
        out += "</button></form>";
      }
      out += "</td></tr>\n";
    }
    out +=
        "</tbody></table></div>\n<p class=\"hint\" id=\"progress-updated\" aria-live=\"polite\" "
        "data-template=\"";
    append_text(out, lang, "console.progress_updated");
    out += "\"></p>\n";
  }
  if (view.indices) {
    append_indices(out, lang, *view.indices, view.questionnaire, overview.strata);
    if (view.indices_updating) {
      out += "<p class=\"hint\">";
      io::append_html(out,
                      texts::format(lang, "console.indices_updating",
                                    {{"seconds", std::to_string(view.indices_refresh_seconds)}}));
      out += "</p>\n";
    }
  }
  close_console_page(out);
  return out;
}

}  // namespace sipas::survey_server
