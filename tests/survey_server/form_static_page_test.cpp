// Writes the pages that the browser test (tests/browser/form_static.mjs) opens
// in headless Chromium, with form.css and form.js beside them, and the cases
// that check the script's expression evaluator against expression.cpp.
//
// Run alone it writes into a temporary directory and checks that the files
// are there. With SIPAS_FORM_PAGE_DIR set, it writes into that directory and
// leaves the files for the browser.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <span>

#include "io/embedded_file.hpp"
#include "questionnaires/expression_json.hpp"
#include "questionnaires/validation.hpp"
#include "survey_server/form_page.hpp"
#include "tests/support/forms.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::survey_server {
std::span<const io::EmbeddedFile> embedded_server_assets();
}

namespace {

using namespace sipas::survey_server;
using namespace sipas::questionnaires;
using sipas::test::Json;
using sipas::test::text;
namespace fs = std::filesystem;

void write(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

Questionnaire load(const std::string& path) {
  return load_questionnaire_file(sipas::test::source_dir() + "/" + path);
}

FormPage page_for(const Questionnaire& q, std::size_t language) {
  FormPage page;
  page.questionnaire = &q;
  page.survey_id = q.id();
  page.language = language;
  page.action = "/s/" + q.id() + "?t=static-test";
  page.submission_id = "static-test";
  page.asset_base = "assets/";
  return page;
}

// ------------------------------------------------------------ evaluator cases

// Items every case expression may read, and one calculate item per case.
Json case_items(const std::vector<std::string>& expressions) {
  auto choices = [](std::initializer_list<Json> codes) {
    Json list = Json::array();
    for (const auto& code : codes)
      list.push_back({{"code", code}, {"label", text(code.dump())}});
    return list;
  };
  Json items = Json::array({
      {{"id", "n"}, {"type", "integer"}, {"text", text("n")}},
      {{"id", "x"}, {"type", "decimal"}, {"text", text("x")}},
      {{"id", "t"}, {"type", "text"}, {"text", text("t")}},
      {{"id", "d"}, {"type", "date"}, {"text", text("d")}},
      {{"id", "sc"}, {"type", "single"}, {"text", text("sc")}, {"scale", "sat5"}},
      {{"id", "ls"},
       {"type", "single"},
       {"text", text("ls")},
       {"choices", choices({"a", "b", "c"})}},
      {{"id", "m"}, {"type", "multiple"}, {"text", text("m")}, {"choices", choices({1, 2, 3})}},
      {{"id", "lm"},
       {"type", "multiple"},
       {"text", text("lm")},
       {"choices", choices({"a", "b", "c"})}},
  });
  for (std::size_t i = 0; i < expressions.size(); ++i) {
    items.push_back(
        {{"id", "c" + std::to_string(i)}, {"type", "calculate"}, {"calculation", expressions[i]}});
  }
  return items;
}

const std::vector<std::string> case_expressions = {
    "${n} = 3",
    "${n} != 3",
    "${n} < ${x}",
    "${n} >= -7",
    "${x} > 0",
    "${t} = ''",
    "${t} != ''",
    "${t} = 'Hà Nội'",
    "${t} < 'Hb'",
    "${t} > '9'",
    "${t} = 10",
    "${t} < 9",
    "${t} = ${n}",
    "${d} >= '2024-01-01'",
    "${d} < '2024-03-01'",
    "${d} = ''",
    "${sc} = 2",
    "${sc} = '2'",
    "${sc} > 3",
    "${sc} <= ${n}",
    "${ls} = 'b'",
    "${ls} < 'c'",
    "${ls} != ''",
    "selected(${m}, 1)",
    "selected(${m}, '3')",
    "selected(${lm}, 'b')",
    "selected(${sc}, 5)",
    "selected(${ls}, 'a')",
    "count-selected(${m})",
    "count-selected(${lm}) >= 2",
    "count-selected(${sc})",
    "string-length(${t})",
    "string-length(${n})",
    "string-length(${x})",
    "string-length(${x} * 3)",
    "string-length(1 div 3)",
    "string-length(${n} * 1000000000000)",
    "string-length(${n} * 0.001)",
    "string-length(${x} div 100000)",
    "string-length(100 * ${n})",
    "string-length(-${x} * 0)",
    "string-length('Việt Nam')",
    "${n} + ${x}",
    "${n} - 10",
    "${n} * ${x}",
    "${n} div 4",
    "${n} div 0",
    "${n} mod 5",
    "-${n} mod 5",
    "${x} mod 1",
    "-${x}",
    "${n} + ${t}",
    "${t} * 2",
    "${x} * 1000000000000000000000",
    "int(${x})",
    "int(-${x})",
    "int('abc')",
    "round(${x})",
    "round(${x}, 2)",
    "round(-2.5)",
    "round(1.5)",
    "round(2.675, 2)",
    "round(${n} div 3, 3)",
    "round(${x}, 20)",
    "round(${n}, -1)",
    "abs(${n})",
    "abs(${t})",
    "coalesce(${t}, 'none')",
    "coalesce(${n}, ${x})",
    "if(${n} > 0, 'pos', if(${n} < 0, 'neg', 'zero'))",
    "if(${t}, 1, 0)",
    "not(${t})",
    "true() = 1",
    "true() > false()",
    "false() = 0",
    "${n} = true()",
    "${t} = true()",
    "'abc' < 'abd'",
    "'é' > 'z'",
    "'\U0001D4B3' > '\uF8FF'",
    "'' < 'a'",
    "${n} and ${x}",
    "${t} or ${n}",
    "${x} != ${x}",
    "1 div 0 = ''",
    "${n} < ''",
    "${n} = ''",
    "${t} = '' and ${n} = ''",
    "regex(${t}, '[0-9]+')",
    "${n} > 0 and (${sc} >= 4 or selected(${lm}, 'c'))",
};

// Each environment: answers by item id, as a response would carry them.
const std::vector<Json> case_environments = {
    Json::object(),
    {{"n", 3},
     {"x", 2.5},
     {"t", "Hà Nội"},
     {"d", "2024-05-01"},
     {"sc", 2},
     {"ls", "b"},
     {"m", {1, 3}},
     {"lm", {"a"}}},
    {{"n", -7},
     {"x", 0.1},
     {"t", "10"},
     {"d", "2023-12-31"},
     {"sc", 5},
     {"ls", "c"},
     {"m", Json::array()},
     {"lm", {"a", "b", "c"}}},
    {{"n", 0}, {"x", -2.5}, {"t", ""}, {"sc", 1}, {"ls", "a"}, {"m", {2}}},
    {{"n", 12},
     {"x", 1.005},
     {"t", "\U0001D4B3z"},
     {"d", "2024-02-29"},
     {"sc", 4},
     {"m", {1, 2, 3}}},
    {{"n", 100}, {"x", 0.30000000000000004}, {"t", "9"}, {"sc", 3}, {"lm", {"c"}}},
};

// A value as form.js represents it.
Json value_json(const Value& v, const Scale* scale) {
  switch (v.kind) {
    case Value::Kind::Empty:
      return {{"k", "empty"}};
    case Value::Kind::Number:
      return {{"k", "num"}, {"v", v.number}};
    case Value::Kind::String:
      return {{"k", "str"}, {"v", std::string(v.string)}};
    case Value::Kind::Boolean:
      return {{"k", "bool"}, {"v", v.boolean}};
    case Value::Kind::Selection: {
      Json codes = Json::array();
      for (auto index : v.selection)
        codes.push_back(scale->choices.at(index).code.to_string());
      return {{"k", "sel"}, {"v", codes}};
    }
  }
  return nullptr;
}

Json evaluator_cases() {
  auto q = sipas::test::load(sipas::test::form_with(case_items(case_expressions)));
  Validator validator(q);
  Json envs = Json::array(), cases = Json::array();
  for (std::size_t e = 0; e < case_environments.size(); ++e) {
    Response r = sipas::test::response_for(q, case_environments[e]);
    // The checked values of the answers, as the validator computes them.
    const auto& result = validator.validate(r);
    EXPECT_TRUE(result.ok()) << case_environments[e] << ": " << result.issues.at(0).message;
    auto values = validator.values();
    Json env = Json::object();
    for (const auto& id : {"n", "x", "t", "d", "sc", "ls", "m", "lm"}) {
      const Item& item = *q.find(id);
      env[id] = value_json(values[item.slot], item.scale.get());
    }
    envs.push_back(env);
    for (std::size_t i = 0; i < case_expressions.size(); ++i) {
      const Item& item = *q.find("c" + std::to_string(i));
      Value v = item.calculation->evaluate(Environment{values, {}});
      bool regex = case_expressions[i].find("regex(") != std::string::npos;
      cases.push_back({{"expression", case_expressions[i]},
                       {"env", e},
                       {"ast", expression_to_json(q, *item.calculation)},
                       {"expected", regex ? Json{{"k", "unknown"}} : value_json(v, nullptr)}});
    }
  }
  return {{"environments", envs}, {"cases", cases}};
}

// A citizen's answers with mistakes, for the page with errors.
Response citizen_with_errors(const Questionnaire& q) {
  return sipas::test::response_for(q,
                                   {{"a_sex", 1},
                                    {"a_age", 9},
                                    {"a_ethnic", 2},
                                    {"a_ethnic_other", "<Tày> & \"Nùng\""},
                                    {"q8_4", 1},
                                    {"q9_01", 5},
                                    {"q11", "Thủ tục còn rườm rà.\nCần rút gọn."}},
                                   "en");
}

TEST(FormStaticPage, WritesPagesForTheBrowserTest) {
  std::optional<sipas::test::TempDir> temp;
  fs::path dir;
  if (const char* env = std::getenv("SIPAS_FORM_PAGE_DIR"); env && *env) {
    dir = env;
  } else {
    temp.emplace("sipas-form-page");
    dir = temp->path();
  }
  for (const auto& file : embedded_server_assets())
    write(dir / std::string(file.name), file.content);

  auto citizen = load("questionnaires/forms/sipas-citizen.json");
  write(dir / "sipas-citizen-vi.html", render_form(page_for(citizen, 0)));
  {
    Response answers = citizen_with_errors(citizen);
    auto errors = validate(citizen, answers);
    EXPECT_FALSE(errors.ok());
    FormPage page = page_for(citizen, 1);
    page.answers = &answers;
    page.errors = &errors;
    page.can_save_draft = true;
    write(dir / "sipas-citizen-en-errors.html", render_form(page));
  }
  auto example = load("questionnaires/examples/example-questionnaire.json");
  write(dir / "example-vi.html", render_form(page_for(example, 0)));
  write(dir / "thanks-vi.html", render_thanks(citizen, 0, "assets/"));
  write(dir / "expression-cases.json", evaluator_cases().dump(1));

  for (const char* name : {"assets/form.css", "assets/form.js", "sipas-citizen-vi.html",
                           "sipas-citizen-en-errors.html", "example-vi.html", "thanks-vi.html",
                           "expression-cases.json"}) {
    EXPECT_GT(fs::file_size(dir / name), 0u) << name;
  }
}

}  // namespace
