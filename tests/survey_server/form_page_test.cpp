// The rendered form (form_page.hpp), read back with a small HTML tree builder:
// every item type, labels tied to inputs, unique ids, escaping, prefilled
// answers, errors in Vietnamese and English with a summary, language links,
// draft controls, and the thank-you and message pages.

#include "survey_server/form_page.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>

#include "io/embedded_file.hpp"
#include "questionnaires/expression_json.hpp"
#include "tests/support/forms.hpp"

namespace sipas::survey_server {
std::span<const io::EmbeddedFile> embedded_server_assets();
}

namespace {

using namespace sipas::survey_server;
using namespace sipas::questionnaires;
using sipas::test::Json;
using sipas::test::text;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// ------------------------------------------------------------ a tiny HTML reader
// Enough for the pages under test: they are well formed, quote every
// attribute value with ", and have raw text only in <script> and <textarea>.

struct Node {
  std::string tag;
  std::map<std::string, std::string> attrs;
  std::vector<std::unique_ptr<Node>> children;
  std::string text;  // text directly inside, concatenated
  Node* parent = nullptr;

  bool has(const std::string& name) const { return attrs.count(name) > 0; }
  std::string attr(const std::string& name) const {
    auto it = attrs.find(name);
    return it == attrs.end() ? std::string() : it->second;
  }
  std::vector<std::string> classes() const {
    std::vector<std::string> out;
    std::string c = attr("class");
    std::size_t start = 0;
    while (start < c.size()) {
      auto end = c.find(' ', start);
      if (end == std::string::npos) end = c.size();
      if (end > start) out.push_back(c.substr(start, end - start));
      start = end + 1;
    }
    return out;
  }
  bool has_class(const std::string& name) const {
    auto c = classes();
    return std::find(c.begin(), c.end(), name) != c.end();
  }
  // All text inside, tags removed.
  std::string all_text() const {
    std::string out = text;
    for (const auto& child : children)
      out += child->all_text();
    return out;
  }
  void each(const std::function<void(const Node&)>& f) const {
    f(*this);
    for (const auto& child : children)
      child->each(f);
  }
  std::vector<const Node*> find_all(const std::function<bool(const Node&)>& match) const {
    std::vector<const Node*> out;
    each([&](const Node& n) {
      if (match(n)) out.push_back(&n);
    });
    return out;
  }
  const Node* by_id(const std::string& id) const {
    auto found = find_all([&](const Node& n) { return n.attr("id") == id; });
    return found.empty() ? nullptr : found.front();
  }
  const Node* ancestor(const std::string& name) const {
    for (const Node* p = parent; p; p = p->parent) {
      if (p->tag == name) return p;
    }
    return nullptr;
  }
  const Node* first_element() const { return children.empty() ? nullptr : children[0].get(); }
};

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    auto semi = s.find(';', i);
    std::string entity = s.substr(i, semi - i + 1);
    if (entity == "&amp;")
      out += '&';
    else if (entity == "&lt;")
      out += '<';
    else if (entity == "&gt;")
      out += '>';
    else if (entity == "&quot;")
      out += '"';
    else if (entity == "&#39;")
      out += '\'';
    else
      ADD_FAILURE() << "unknown entity " << entity;
    i = semi;
  }
  return out;
}

std::unique_ptr<Node> parse_html(const std::string& html) {
  static const std::set<std::string> void_tags = {"input", "meta", "link", "br"};
  auto root = std::make_unique<Node>();
  root->tag = "#document";
  Node* current = root.get();
  std::size_t i = 0;
  while (i < html.size()) {
    if (html[i] != '<') {
      auto next = html.find('<', i);
      if (next == std::string::npos) next = html.size();
      current->text += unescape(html.substr(i, next - i));
      i = next;
      continue;
    }
    if (html.compare(i, 2, "<!") == 0) {
      i = html.find('>', i) + 1;
      continue;
    }
    if (html.compare(i, 2, "</") == 0) {
      auto end = html.find('>', i);
      std::string tag = html.substr(i + 2, end - i - 2);
      EXPECT_EQ(current->tag, tag) << "misnested </" << tag << "> at byte " << i;
      if (current->parent) current = current->parent;
      i = end + 1;
      continue;
    }
    auto node = std::make_unique<Node>();
    std::size_t j = i + 1;
    while (j < html.size() && std::isalnum(static_cast<unsigned char>(html[j])))
      node->tag += html[j++];
    for (;;) {
      while (html[j] == ' ' || html[j] == '\n')
        ++j;
      if (html[j] == '>') break;
      std::string name;
      while (html[j] != '=' && html[j] != ' ' && html[j] != '>')
        name += html[j++];
      std::string value;
      if (html[j] == '=') {
        EXPECT_EQ(html[j + 1], '"') << "unquoted attribute " << name;
        auto close = html.find('"', j + 2);
        value = unescape(html.substr(j + 2, close - j - 2));
        j = close + 1;
      }
      EXPECT_FALSE(node->attrs.count(name)) << "attribute " << name << " twice";
      node->attrs[name] = value;
    }
    i = j + 1;
    node->parent = current;
    Node* added = node.get();
    current->children.push_back(std::move(node));
    if (added->tag == "script" || added->tag == "textarea") {
      auto end = html.find("</" + added->tag + ">", i);
      std::string raw = html.substr(i, end - i);
      added->text = added->tag == "textarea" ? unescape(raw) : raw;
      i = end + added->tag.size() + 3;
    } else if (!void_tags.count(added->tag)) {
      current = added;
    }
  }
  EXPECT_EQ(current, root.get()) << "unclosed <" << current->tag << ">";
  return root;
}

// ------------------------------------------------------------ fixtures

const Questionnaire& load_file(const std::string& path) {
  static std::map<std::string, Questionnaire> cache;
  auto it = cache.find(path);
  if (it == cache.end()) {
    it = cache.emplace(path, load_questionnaire_file(sipas::test::source_dir() + "/" + path)).first;
  }
  return it->second;
}
const Questionnaire& example() {
  return load_file("questionnaires/examples/example-questionnaire.json");
}
const Questionnaire& citizen() {
  return load_file("questionnaires/forms/sipas-citizen.json");
}

FormPage page_for(const Questionnaire& q, std::size_t language = 0) {
  FormPage page;
  page.questionnaire = &q;
  page.survey_id = "hn-2026";
  page.language = language;
  page.action = "/s/hn-2026?t=abc";
  page.submission_id = "sub-1";
  return page;
}

std::vector<std::string> values_of(const Node& doc, const std::string& name) {
  std::vector<std::string> out;
  for (const Node* input : doc.find_all([&](const Node& n) { return n.attr("name") == name; }))
    out.push_back(input->attr("value"));
  return out;
}

std::vector<std::string> checked(const Node& doc, const std::string& name) {
  std::vector<std::string> out;
  for (const Node* input :
       doc.find_all([&](const Node& n) { return n.attr("name") == name && n.has("checked"); }))
    out.push_back(input->attr("value"));
  return out;
}

// The structural rules every page must keep.
void expect_accessible_structure(const Node& doc, const std::string& where) {
  std::set<std::string> ids;
  doc.each([&](const Node& n) {
    if (n.has("id")) {
      EXPECT_TRUE(ids.insert(n.attr("id")).second) << where << ": id twice " << n.attr("id");
    }
    if (n.has("tabindex")) {
      EXPECT_LE(std::stoi(n.attr("tabindex")), 0) << where;
    }
  });
  // A label names its control by `for`, or holds it (the compact Likert
  // rows, where ids on every button would cost a slow phone kilobytes).
  std::set<std::string> labelled;
  for (const Node* label : doc.find_all([](const Node& n) { return n.tag == "label"; })) {
    if (label->has("for")) {
      labelled.insert(label->attr("for"));
      continue;
    }
    auto held = label->find_all([](const Node& n) { return n.tag == "input"; });
    EXPECT_EQ(held.size(), 1u) << where << ": a label without for must hold one input";
  }
  auto controls = doc.find_all([](const Node& n) {
    return (n.tag == "input" && n.attr("type") != "hidden") || n.tag == "textarea" ||
           n.tag == "select";
  });
  for (const Node* control : controls) {
    std::string id = control->attr("id");
    if (control->ancestor("label") == nullptr) {
      EXPECT_FALSE(id.empty()) << where << ": an input without id, name " << control->attr("name");
      EXPECT_TRUE(labelled.count(id)) << where << ": no label for " << id;
    }
    EXPECT_FALSE(control->attr("name").empty()) << where << ": " << id;
    // Hints and errors named by aria-describedby exist.
    std::string described = control->attr("aria-describedby");
    std::size_t start = 0;
    while (start < described.size()) {
      auto end = described.find(' ', start);
      if (end == std::string::npos) end = described.size();
      EXPECT_TRUE(ids.count(described.substr(start, end - start)))
          << where << ": " << id << " described by a missing " << described;
      start = end + 1;
    }
    // A radio or checkbox sits in a fieldset whose first child is its legend.
    if (control->attr("type") == "radio" || control->attr("type") == "checkbox") {
      const Node* group = control->ancestor("fieldset");
      ASSERT_NE(group, nullptr) << where << ": " << id;
      EXPECT_EQ(group->attr("data-item"), control->attr("name")) << where << ": " << id;
      ASSERT_NE(group->first_element(), nullptr);
      EXPECT_EQ(group->first_element()->tag, "legend") << where << ": " << id;
    }
  }
  for (const Node* section : doc.find_all([](const Node& n) { return n.has_class("section"); })) {
    EXPECT_EQ(section->tag, "fieldset");
    ASSERT_NE(section->first_element(), nullptr);
    EXPECT_EQ(section->first_element()->tag, "legend");
  }
}

// ------------------------------------------------------------ tests

TEST(FormPage, EveryPageKeepsLabelsIdsAndFieldsetsStraight) {
  for (const char* path :
       {"questionnaires/examples/example-questionnaire.json",
        "questionnaires/forms/sipas-citizen.json", "questionnaires/forms/par-officials.json",
        "questionnaires/forms/sipas-short.json"}) {
    const auto& q = load_file(path);
    for (std::size_t language = 0; language < q.languages().size(); ++language) {
      auto doc = parse_html(render_form(page_for(q, language)));
      expect_accessible_structure(*doc, path);
    }
  }
}

TEST(FormPage, DocumentShellIsMobileReadyAndPostsWithoutBrowserValidation) {
  auto html = render_form(page_for(example()));
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>\n<html lang=\"vi\">"));
  auto doc = parse_html(html);
  auto metas = doc->find_all([](const Node& n) { return n.attr("name") == "viewport"; });
  ASSERT_EQ(metas.size(), 1u);
  EXPECT_EQ(metas[0]->attr("content"), "width=device-width, initial-scale=1");
  const Node* form = doc->by_id("sipas-form");
  ASSERT_NE(form, nullptr);
  EXPECT_EQ(form->attr("method"), "post");
  EXPECT_EQ(form->attr("action"), "/s/hn-2026?t=abc");
  EXPECT_TRUE(form->has("novalidate"));
  EXPECT_THAT(values_of(*doc, "_submission"), ElementsAre("sub-1"));
  EXPECT_THAT(values_of(*doc, "_lang"), ElementsAre("vi"));
  EXPECT_THAT(values_of(*doc, "_action"), ElementsAre("submit"));  // no draft button
  EXPECT_EQ(doc->find_all([](const Node& n) { return n.tag == "title"; })[0]->all_text(),
            "Phiếu ví dụ");
  EXPECT_EQ(doc->find_all([](const Node& n) { return n.tag == "h1"; })[0]->all_text(),
            "Phiếu ví dụ");
  EXPECT_THAT(html, HasSubstr("Phiếu ví dụ nhỏ dùng cho kiểm thử; không ghi tên người trả lời."));
  EXPECT_THAT(html, HasSubstr("<link rel=\"stylesheet\" href=\"/assets/form.css\">"));
  EXPECT_THAT(html, HasSubstr("<script src=\"/assets/form.js\" defer></script>"));
  // The skip logic for the script, exactly as exported.
  const Node* logic = doc->by_id("sipas-logic");
  ASSERT_NE(logic, nullptr);
  EXPECT_EQ(logic->attr("type"), "application/json");
  EXPECT_EQ(Json::parse(logic->text), form_logic_to_json(example()));
}

TEST(FormPage, RendersEveryItemTypeOfTheExample) {
  auto doc = parse_html(render_form(page_for(example(), 1)));
  auto input = [&](const std::string& id) {
    const Node* n = doc->by_id(id);
    EXPECT_NE(n, nullptr) << id;
    return n;
  };
  // integer: a text box with a numeric keyboard, its hint tied to it
  const Node* age = input("f-age");
  EXPECT_EQ(age->attr("type"), "text");
  EXPECT_EQ(age->attr("inputmode"), "numeric");
  EXPECT_EQ(age->attr("name"), "age");
  EXPECT_EQ(age->attr("aria-describedby"), "hint-age");
  EXPECT_EQ(input("hint-age")->all_text(), "In completed years.");
  auto label = doc->find_all([](const Node& n) { return n.attr("for") == "f-age"; });
  EXPECT_THAT(label[0]->all_text(), StartsWith("How old are you? *"));
  EXPECT_THAT(label[0]->all_text(), HasSubstr("(required)"));
  // decimal, text with its length limit
  EXPECT_EQ(input("f-height")->attr("inputmode"), "decimal");
  EXPECT_EQ(input("f-phone")->attr("maxlength"), "10");
  // single choice: a fieldset of radios
  EXPECT_EQ(input("item-sex")->tag, "fieldset");
  EXPECT_THAT(values_of(*doc, "sex"), ElementsAre("1", "2"));
  EXPECT_EQ(input("f-sex-1")->attr("type"), "radio");
  // multiple choice: checkboxes sharing the name
  EXPECT_THAT(values_of(*doc, "channels"), ElementsAre("1", "2", "3", "4", "5"));
  EXPECT_EQ(input("f-channels-0")->attr("type"), "checkbox");
  // rating 1-10: a row of radio buttons
  EXPECT_THAT(values_of(*doc, "online_rating"),
              ElementsAre("1", "2", "3", "4", "5", "6", "7", "8", "9", "10"));
  EXPECT_EQ(input("f-online_rating-9")->attr("value"), "10");
  // date
  EXPECT_EQ(input("f-visit_date")->attr("type"), "date");
  EXPECT_EQ(input("f-visit_date")->attr("min"), "2024-01-01");
  EXPECT_EQ(input("f-visit_date")->attr("max"), "2024-12-31");
  // matrix of a 5-point scale: the scale's ends above, then each row its own
  // fieldset of compact buttons, on the descending scale 5..1, each button
  // named by its number and label
  const Node* matrix = input("item-service");
  EXPECT_TRUE(matrix->has_class("item-matrix"));
  auto ends = matrix->find_all([](const Node& n) { return n.has_class("scale-ends"); });
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0]->attr("aria-hidden"), "true");
  EXPECT_EQ(ends[0]->all_text(), "5 = Very satisfied1 = Very dissatisfied");
  auto rows = matrix->find_all([](const Node& n) { return n.has_class("likert-row"); });
  ASSERT_EQ(rows.size(), 3u);
  for (const Node* row : rows) {
    EXPECT_EQ(row->tag, "fieldset");
    EXPECT_EQ(row->first_element()->tag, "legend");
  }
  EXPECT_EQ(rows[1]->attr("id"), "item-service_2");
  EXPECT_EQ(rows[1]->first_element()->all_text(), "Civil servants' guidance is clear");
  EXPECT_THAT(values_of(*doc, "service_2"), ElementsAre("5", "4", "3", "2", "1"));
  auto buttons = rows[1]->find_all([](const Node& n) { return n.tag == "label"; });
  ASSERT_EQ(buttons.size(), 5u);
  EXPECT_EQ(buttons[0]->all_text(), "5 Very satisfied");
  EXPECT_EQ(buttons[4]->all_text(), "1 Very dissatisfied");
  // The error summary's link target: the first button.
  EXPECT_EQ(input("f-service_2-4")->attr("value"), "5");
  // likert with points and anchors; likert descending with "no opinion" last
  EXPECT_THAT(values_of(*doc, "ease"), ElementsAre("1", "2", "3", "4", "5", "6", "7"));
  EXPECT_EQ(input("f-ease-0")->ancestor("label")->all_text(), "1 Very difficult");
  EXPECT_THAT(values_of(*doc, "satisfaction"), ElementsAre("5", "4", "3", "2", "1", "9"));
  // long text, conditionally required: the mark waits for the script
  const Node* comments = input("f-comments");
  EXPECT_EQ(comments->tag, "textarea");
  EXPECT_EQ(comments->attr("maxlength"), "2000");
  auto marks =
      input("item-comments")->find_all([](const Node& n) { return n.has("data-required-if"); });
  ASSERT_EQ(marks.size(), 1u);
  EXPECT_TRUE(marks[0]->has("hidden"));
  EXPECT_TRUE(input("item-height")
                  ->find_all([](const Node& n) { return n.has_class("required-mark"); })
                  .empty());
  // note: text only
  EXPECT_EQ(input("item-welcome")->tag, "div");
  EXPECT_THAT(input("item-welcome")->all_text(), HasSubstr("every item type of the format"));
  // calculate: nothing
  EXPECT_EQ(doc->by_id("item-age_months"), nullptr);
  EXPECT_TRUE(values_of(*doc, "age_months").empty());
  // sections: fieldsets titled by a heading in the legend
  const Node* visit = input("section-visit");
  EXPECT_EQ(visit->tag, "fieldset");
  EXPECT_EQ(visit->first_element()->all_text(), "Your visit to the one-stop desk");
  EXPECT_EQ(visit->first_element()->first_element()->tag, "h2");
}

Json hostile_form() {
  const std::string evil = "<script>alert(1)</script> \"'&";
  Json items = Json::array(
      {{{"id", "t"},
        {"type", "text"},
        {"text", text(evil + " vi", evil + " en")},
        {"hint", text(evil)},
        {"required", true}},
       {{"id", "c"},
        {"type", "single"},
        {"text", text(evil)},
        {"relevant", "${t} != '</script><script>alert(2)</script>'"},
        {"choices",
         {{{"code", "x_1"}, {"label", text(evil)}}, {{"code", "b"}, {"label", text("b")}}}}},
       {{"id", "long"}, {"type", "long_text"}, {"text", text("long")}}});
  Json form = sipas::test::form_with(items);
  form["title"] = text(evil);
  form["intro"] = text(evil);
  form["sections"][0]["title"] = text(evil);
  return form;
}

TEST(FormPage, EscapesEverythingFromTheQuestionnaireAndTheRespondent) {
  auto q = sipas::test::load(hostile_form());
  Response answers = Response::empty_for(q);
  answers.set(q, "t", RawAnswer::of_string("\"><script>alert(3)</script>"));
  answers.set(q, "c", RawAnswer::of_string("x_1"));
  answers.set(q, "long", RawAnswer::of_string("</textarea><script>alert(4)</script>"));
  FormPage page = page_for(q);
  page.answers = &answers;
  page.action = "/s/x?t=\"><script>alert(5)</script>&lang=vi";
  page.submission_id = "\"'<>";
  ValidationResult errors;
  errors.issues.push_back({"t", "response.x", "<b>bad</b> & \"worse\""});
  errors.issues.push_back({"", "response.y", "<i>form-level</i>"});
  page.errors = &errors;
  auto html = render_form(page);

  EXPECT_THAT(html, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(html, Not(HasSubstr("<b>bad")));
  EXPECT_THAT(html, Not(HasSubstr("<i>")));
  // Two script elements: the JSON data block and form.js; nothing else opens one.
  std::size_t scripts = 0;
  for (auto at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1))
    ++scripts;
  EXPECT_EQ(scripts, 2u);
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt; &quot;&#39;&amp;"));
  EXPECT_THAT(html, HasSubstr("\\u003c/script\\u003e\\u003cscript\\u003ealert(2)"));

  auto doc = parse_html(html);
  expect_accessible_structure(*doc, "hostile");
  EXPECT_EQ(doc->by_id("f-t")->attr("value"), "\"><script>alert(3)</script>");
  EXPECT_EQ(doc->by_id("f-long")->text, "\n</textarea><script>alert(4)</script>");
  EXPECT_THAT(checked(*doc, "c"), ElementsAre("x_1"));
  EXPECT_EQ(doc->by_id("sipas-form")->attr("action"), page.action);
  EXPECT_THAT(values_of(*doc, "_submission"), ElementsAre("\"'<>"));
  EXPECT_THAT(doc->by_id("error-t")->all_text(), HasSubstr("<b>bad</b> & \"worse\""));
  EXPECT_EQ(Json::parse(doc->by_id("sipas-logic")->text), form_logic_to_json(q));
}

TEST(FormPage, PrefilledAnswersStayCheckedAndFilledEvenWhenInvalid) {
  const auto& q = example();
  Response answers = Response::empty_for(q);
  answers.set(q, "sex", RawAnswer::of_integer(2));
  answers.set(
      q, "channels",
      RawAnswer::of_codes({{RawCode::Kind::Integer, 1, ""}, {RawCode::Kind::Integer, 3, ""}}));
  answers.set(q, "age", RawAnswer::of_string("abc"));
  answers.set(q, "height", RawAnswer::of_number(1.75));
  answers.set(q, "online_rating", RawAnswer::of_integer(7));
  answers.set(q, "service_2", RawAnswer::of_integer(4));
  answers.set(q, "satisfaction", RawAnswer::of_integer(9));
  answers.set(q, "visit_date", RawAnswer::of_string("2024-05-01"));
  answers.set(q, "comments", RawAnswer::of_string("\nline 1\nline 2"));
  FormPage page = page_for(q);
  page.answers = &answers;
  auto doc = parse_html(render_form(page));
  EXPECT_THAT(checked(*doc, "sex"), ElementsAre("2"));
  EXPECT_THAT(checked(*doc, "channels"), ElementsAre("1", "3"));
  EXPECT_THAT(checked(*doc, "online_rating"), ElementsAre("7"));
  EXPECT_THAT(checked(*doc, "service_2"), ElementsAre("4"));
  EXPECT_THAT(checked(*doc, "service_1"), ElementsAre());
  EXPECT_THAT(checked(*doc, "satisfaction"), ElementsAre("9"));
  EXPECT_EQ(doc->by_id("f-age")->attr("value"), "abc");
  EXPECT_EQ(doc->by_id("f-height")->attr("value"), "1.75");
  EXPECT_EQ(doc->by_id("f-visit_date")->attr("value"), "2024-05-01");
  // The parser drops the newline after <textarea>; the value's own stays.
  EXPECT_EQ(doc->by_id("f-comments")->text, "\n\nline 1\nline 2");
}

class FormErrors : public ::testing::TestWithParam<std::string> {};

TEST_P(FormErrors, AreShownNextToItemsAndSummarisedInTheRespondentsLanguage) {
  const auto& q = example();
  const std::string lang = GetParam();
  Response answers = sipas::test::response_for(
      q, {{"sex", 3}, {"visited", 1}, {"service_2", 5}, {"nope", 1}}, lang);
  auto result = validate(q, answers);
  FormPage page = page_for(q, *q.language_index(lang));
  page.answers = &answers;
  page.errors = &result;
  auto html = render_form(page);
  auto doc = parse_html(html);
  expect_accessible_structure(*doc, "errors " + lang);
  const bool vi = lang == "vi";
  const std::string please = vi ? "Vui lòng trả lời câu hỏi này." : "Please answer this question.";

  EXPECT_EQ(doc->find_all([](const Node& n) { return n.tag == "title"; })[0]->all_text(),
            vi ? "Lỗi: Phiếu ví dụ" : "Error: Example questionnaire");
  const Node* summary = doc->by_id("sipas-error-summary");
  ASSERT_NE(summary, nullptr);
  EXPECT_EQ(summary->attr("role"), "alert");
  EXPECT_EQ(summary->attr("tabindex"), "-1");
  // Before the form, and one entry per issue.
  EXPECT_LT(html.find("sipas-error-summary"), html.find("<form"));
  auto entries = summary->find_all([](const Node& n) { return n.tag == "li"; });
  EXPECT_EQ(entries.size(), result.issues.size());
  std::map<std::string, std::string> links;
  for (const Node* a : summary->find_all([](const Node& n) { return n.tag == "a"; }))
    links[a->attr("href")] = a->all_text();
  EXPECT_EQ(links["#f-age"], (vi ? "Ông/Bà bao nhiêu tuổi?: " : "How old are you?: ") + please);
  EXPECT_THAT(links["#f-sex-0"], HasSubstr(vi ? "Lựa chọn '3' không có" : "'3' is not one of"));
  // A matrix row's link goes to its first radio (5, on a descending scale).
  EXPECT_EQ(links["#f-service_1-4"],
            (vi ? "Công chức lịch sự, tôn trọng: " : "Civil servants are polite and respectful: ") +
                please);
  // An answer to an unknown item has no field to link to.
  EXPECT_THAT(summary->all_text(), HasSubstr(vi ? "Phiếu không có câu hỏi 'nope'."
                                                : "The questionnaire has no question 'nope'."));

  // Next to the item: the message, tied to the input, the input marked invalid.
  EXPECT_TRUE(doc->by_id("item-age")->has_class("has-error"));
  EXPECT_EQ(doc->by_id("error-age")->all_text(), (vi ? "Lỗi: " : "Error: ") + please);
  EXPECT_EQ(doc->by_id("f-age")->attr("aria-describedby"), "hint-age error-age");
  EXPECT_EQ(doc->by_id("f-age")->attr("aria-invalid"), "true");
  auto radios = [&](const std::string& name) {
    return doc->find_all([&](const Node& n) { return n.tag == "input" && n.attr("name") == name; });
  };
  ASSERT_EQ(radios("service_1").size(), 5u);
  for (const Node* radio : radios("service_1")) {
    EXPECT_EQ(radio->attr("aria-invalid"), "true");
    EXPECT_EQ(radio->attr("aria-describedby"), "error-service_1");
  }
  EXPECT_TRUE(doc->by_id("item-service_1")->has_class("has-error"));
  EXPECT_FALSE(doc->by_id("item-service_2")->has_class("has-error"));
  for (const Node* radio : radios("service_2"))
    EXPECT_FALSE(radio->has("aria-invalid"));
  EXPECT_THAT(checked(*doc, "service_2"), ElementsAre("5"));
}

INSTANTIATE_TEST_SUITE_P(Languages, FormErrors, ::testing::Values("vi", "en"));

TEST(FormPage, LanguageLinksKeepTheInvitation) {
  const auto& q = example();
  auto doc = parse_html(render_form(page_for(q, 1)));
  auto nav = doc->find_all([](const Node& n) { return n.tag == "nav"; });
  ASSERT_EQ(nav.size(), 1u);
  EXPECT_EQ(nav[0]->attr("aria-label"), "Language");
  auto links = nav[0]->find_all([](const Node& n) { return n.tag == "a"; });
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0]->attr("href"), "/s/hn-2026?t=abc&lang=vi");
  EXPECT_EQ(links[0]->attr("lang"), "vi");
  EXPECT_EQ(links[0]->all_text(), "Tiếng Việt");
  EXPECT_FALSE(links[0]->has("aria-current"));
  EXPECT_EQ(links[1]->attr("href"), "/s/hn-2026?t=abc&lang=en");
  EXPECT_EQ(links[1]->attr("aria-current"), "true");
  EXPECT_EQ(doc->first_element()->attr("lang"), "en");
  EXPECT_THAT(doc->find_all([](const Node& n) { return n.tag == "button"; })[0]->all_text(),
              "Submit");

  FormPage open = page_for(q);
  open.language_switch_base = "/s/hn-2026";
  auto open_doc = parse_html(render_form(open));
  auto open_links = open_doc->find_all([](const Node& n) { return n.has("hreflang"); });
  EXPECT_EQ(open_links[1]->attr("href"), "/s/hn-2026?lang=en");
  EXPECT_EQ(open_doc->find_all([](const Node& n) { return n.tag == "nav"; })[0]->attr("aria-label"),
            "Ngôn ngữ");
}

TEST(FormPage, DraftButtonAndSavedNotice) {
  FormPage page = page_for(example());
  page.can_save_draft = true;
  page.draft_saved = true;
  auto doc = parse_html(render_form(page));
  EXPECT_THAT(values_of(*doc, "_action"), ElementsAre("submit", "save"));
  auto notice = doc->find_all([](const Node& n) { return n.has_class("notice"); });
  ASSERT_EQ(notice.size(), 1u);
  EXPECT_EQ(notice[0]->attr("role"), "status");
  EXPECT_THAT(notice[0]->all_text(), HasSubstr("Đã lưu các câu trả lời"));
}

TEST(FormPage, TheSipasCitizenFormHasAFieldForEveryAnswer) {
  const auto& q = citizen();
  auto doc = parse_html(render_form(page_for(q)));
  for (const auto& item : q.items()) {
    if (!item.answerable() || item.preload_invitation) continue;
    EXPECT_FALSE(values_of(*doc, item.id).empty()) << item.id;
  }
  for (const auto& section : q.sections())
    EXPECT_NE(doc->by_id("section-" + section.id), nullptr) << section.id;
  const Node* q9 = doc->by_id("item-q9");
  ASSERT_NE(q9, nullptr);
  auto rows = q9->find_all([](const Node& n) { return n.has_class("likert-row"); });
  EXPECT_EQ(rows.size(), 33u);
  // "Không ý kiến" (9) last, apart.
  EXPECT_THAT(values_of(*doc, "q9_32"), ElementsAre("5", "4", "3", "2", "1", "9"));
  auto dont_know =
      doc->by_id("item-q9_32")->find_all([](const Node& n) { return n.has_class("dk"); });
  ASSERT_EQ(dont_know.size(), 1u);
  EXPECT_EQ(dont_know[0]->all_text(), "Không ý kiến");
  // Interest is not a descending scale.
  EXPECT_THAT(values_of(*doc, "q1_1"), ElementsAre("1", "2", "3"));
  EXPECT_NE(doc->by_id("f-a_ethnic_other"), nullptr);
}

TEST(FormPage, ReferencesInTextsShowTheCurrentAnswer) {
  Json items = Json::array(
      {{{"id", "unit"},
        {"type", "single"},
        {"text", text("Unit")},
        {"choices",
         {{{"code", 1}, {"label", text("Sở <Nội vụ>")}}, {{"code", 2}, {"label", text("B")}}}}},
       {{"id", "rate"},
        {"type", "likert"},
        {"text", text("Rate ${unit} ${unit")},
        {"scale", "sat5"}}});
  auto q = sipas::test::load(sipas::test::form_with(items));
  Response answers = Response::empty_for(q);
  answers.set(q, "unit", RawAnswer::of_integer(1));
  FormPage page = page_for(q, 1);
  page.answers = &answers;
  auto html = render_form(page);
  EXPECT_THAT(html, HasSubstr("Rate <span class=\"ref\" data-ref=\"unit\">Sở &lt;Nội vụ&gt;</span> "
                              "${unit"));
  auto empty = render_form(page_for(q, 1));
  EXPECT_THAT(empty, HasSubstr("Rate <span class=\"ref\" data-ref=\"unit\"></span> ${unit"));
}

TEST(FormPage, PreloadedItemsAreShownReadOnly) {
  const auto& q = load_file("questionnaires/forms/par-officials.json");
  const Item* preload = nullptr;
  for (const auto& item : q.items()) {
    if (item.preload_invitation && item.type == ItemType::Text) preload = &item;
  }
  ASSERT_NE(preload, nullptr);
  Response answers = Response::empty_for(q);
  answers.set(q, preload->id, RawAnswer::of_string("Sở Nội vụ"));
  FormPage page = page_for(q);
  page.answers = &answers;
  auto doc = parse_html(render_form(page));
  EXPECT_TRUE(values_of(*doc, preload->id).empty());
  auto shown = doc->find_all([&](const Node& n) { return n.attr("data-preload") == preload->id; });
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0]->attr("data-value"), "Sở Nội vụ");
  EXPECT_EQ(shown[0]->all_text(), "Sở Nội vụ");
}

TEST(FormTemplate, RendersExactlyWhatRenderFormDoes) {
  for (const Questionnaire* q : {&example(), &citizen()}) {
    FormTemplate cached(*q);
    for (std::size_t language = 0; language < q->languages().size(); ++language) {
      for (int variant = 0; variant < 8; ++variant) {
        FormPage page = page_for(*q, language);
        page.questionnaire = nullptr;  // the template's own is used
        page.can_save_draft = variant & 1;
        page.draft_saved = variant & 2;
        if (variant & 4) {
          page.action = "/s/x?t=\"<&>'";
          page.submission_id = "<id \"1\">";
          page.language_switch_base = "/s/x";
        }
        std::string fast = cached.render(page);
        page.questionnaire = q;
        EXPECT_EQ(fast, render_form(page)) << q->id() << " " << language << " " << variant;
      }
    }
  }
}

// The words the template fills in per request, written here rather than
// taken from the renderer, so that a page that is wrong in both paths fails.
struct RequestWords {
  std::string submit, save, saved;
};
const RequestWords vietnamese_words = {
    "Gửi phiếu", "Lưu lại, trả lời tiếp sau",
    "Đã lưu các câu trả lời của Ông/Bà. Ông/Bà có thể mở lại đường dẫn trong thư mời để trả lời "
    "tiếp."};
const RequestWords english_words = {
    "Submit", "Save and continue later",
    "Your answers are saved. Open the link in your invitation again to continue."};

TEST(FormTemplate, FillsInEachRequestsOwnParts) {
  const auto& q = example();
  FormTemplate cached(q);
  for (std::size_t language = 0; language < q.languages().size(); ++language) {
    const RequestWords& words = language == 0 ? vietnamese_words : english_words;
    for (int variant = 0; variant < 8; ++variant) {
      const std::string where = std::to_string(language) + " " + std::to_string(variant);
      FormPage page = page_for(q, language);
      page.questionnaire = nullptr;
      page.can_save_draft = variant & 1;
      page.draft_saved = variant & 2;
      if (variant & 4) {
        page.action = "/s/x?t=\"<&>'";
        page.submission_id = "<id \"1\">";
        page.language_switch_base = "/s/x";
      }
      const std::string html = cached.render(page);
      EXPECT_THAT(html, Not(HasSubstr("<id"))) << where;  // escaped, not markup
      auto doc = parse_html(html);
      const Node* form = doc->by_id("sipas-form");
      ASSERT_NE(form, nullptr) << where;
      EXPECT_EQ(form->attr("action"), page.action) << where;
      EXPECT_THAT(values_of(*doc, "_submission"), ElementsAre(page.submission_id)) << where;
      EXPECT_THAT(values_of(*doc, "_lang"), ElementsAre(q.languages()[language])) << where;
      // One link per language, to the switch base (or the action) with lang=.
      const std::string base = variant & 4 ? "/s/x?lang=" : "/s/hn-2026?t=abc&lang=";
      std::vector<std::string> links, current;
      for (const Node* a : doc->find_all([](const Node& n) { return n.has("hreflang"); })) {
        links.push_back(a->attr("href"));
        if (a->has("aria-current")) current.push_back(a->attr("hreflang"));
      }
      EXPECT_THAT(links, ElementsAre(base + "vi", base + "en")) << where;
      EXPECT_THAT(current, ElementsAre(q.languages()[language])) << where;
      // The notice and the draft button only when asked for, in the language.
      auto notices = doc->find_all([](const Node& n) { return n.has_class("notice"); });
      ASSERT_EQ(notices.size(), page.draft_saved ? 1u : 0u) << where;
      if (page.draft_saved) {
        EXPECT_EQ(notices[0]->all_text(), words.saved) << where;
      }
      std::vector<std::string> buttons;
      for (const Node* b : doc->find_all([](const Node& n) { return n.tag == "button"; }))
        buttons.push_back(b->attr("value") + ":" + b->all_text());
      if (page.can_save_draft) {
        EXPECT_THAT(buttons, ElementsAre("submit:" + words.submit, "save:" + words.save)) << where;
      } else {
        EXPECT_THAT(buttons, ElementsAre("submit:" + words.submit)) << where;
      }
    }
  }
}

TEST(FormTemplate, RequestsWithAnswersOrErrorsAreRenderedInFull) {
  const auto& q = example();
  FormTemplate cached(q);
  Response answers = sipas::test::response_for(q, {{"sex", 2}, {"age", "x"}}, "en");
  auto errors = validate(q, answers);
  ASSERT_FALSE(errors.ok());
  FormPage page = page_for(q, 1);
  page.answers = &answers;
  page.errors = &errors;
  page.can_save_draft = true;
  // The answers are written back and the errors listed: none of it is in the
  // page the template keeps for a first visit.
  auto with_errors = parse_html(cached.render(page));
  EXPECT_THAT(checked(*with_errors, "sex"), ElementsAre("2"));
  EXPECT_THAT(values_of(*with_errors, "age"), ElementsAre("x"));
  const Node* summary = with_errors->by_id("sipas-error-summary");
  ASSERT_NE(summary, nullptr);
  const Node* title = with_errors->by_id("sipas-error-summary-title");
  ASSERT_NE(title, nullptr);
  EXPECT_EQ(title->all_text(), "Please check the following answers");
  EXPECT_EQ(summary->find_all([](const Node& n) { return n.tag == "li"; }).size(),
            errors.issues.size());
  EXPECT_NE(with_errors->by_id("error-age"), nullptr);
  page.errors = nullptr;
  auto answered = parse_html(cached.render(page));
  EXPECT_THAT(checked(*answered, "sex"), ElementsAre("2"));
  EXPECT_THAT(values_of(*answered, "age"), ElementsAre("x"));
  EXPECT_EQ(answered->by_id("sipas-error-summary"), nullptr);
  // Another asset base than the template's: every asset from there.
  FormPage other_assets = page_for(q);
  other_assets.asset_base = "/static/";
  const std::string html = cached.render(other_assets);
  EXPECT_THAT(html, HasSubstr("<link rel=\"stylesheet\" href=\"/static/form.css\">"));
  EXPECT_THAT(html, HasSubstr("<script src=\"/static/form.js\" defer></script>"));
  EXPECT_THAT(html, Not(HasSubstr("/assets/")));
}

TEST(ThanksPage, ShowsTheClosingTextOrADefault) {
  auto vi = render_thanks(example(), 0);
  EXPECT_THAT(vi, StartsWith("<!DOCTYPE html>\n<html lang=\"vi\">"));
  EXPECT_THAT(vi, HasSubstr("<meta name=\"viewport\""));
  EXPECT_THAT(vi, HasSubstr("<p>Cảm ơn Ông/Bà!</p>"));
  EXPECT_THAT(render_thanks(example(), 1), HasSubstr("<p>Thank you!</p>"));
  auto q = sipas::test::load(sipas::test::form_with(
      Json::array({{{"id", "n"}, {"type", "integer"}, {"text", text("n")}}})));
  EXPECT_THAT(render_thanks(q, 1), HasSubstr("Your answers have been recorded."));
  parse_html(vi);
}

TEST(MessagePage, TitlesByStatusAndEscapesTheMessage) {
  auto html = render_message(404, "Không có khảo sát <hn>.", "vi");
  auto doc = parse_html(html);
  EXPECT_EQ(doc->find_all([](const Node& n) { return n.tag == "h1"; })[0]->all_text(),
            "Không tìm thấy");
  EXPECT_THAT(html, HasSubstr("<p>Không có khảo sát &lt;hn&gt;.</p>"));
  EXPECT_THAT(render_message(409, "x", "en"), HasSubstr("<h1>Already answered</h1>"));
  EXPECT_THAT(render_message(410, "x", "vi"), HasSubstr("<h1>Khảo sát đã kết thúc</h1>"));
  EXPECT_THAT(render_message(503, "x", "fr"), HasSubstr("<h1>Service unavailable</h1>"));
  auto custom = render_message("A <title>", "line 1\nline 2", "en", "/static/");
  EXPECT_THAT(custom, HasSubstr("<title>A &lt;title&gt;</title>"));
  EXPECT_THAT(custom, HasSubstr("<p>line 1</p>\n<p>line 2</p>"));
  EXPECT_THAT(custom, HasSubstr("href=\"/static/form.css\""));
}

TEST(FormAssets, StylesheetAndScriptAreEmbedded) {
  std::map<std::string, std::string_view> files;
  for (const auto& file : embedded_server_assets())
    files[std::string(file.name)] = file.content;
  ASSERT_TRUE(files.count("assets/form.css"));
  ASSERT_TRUE(files.count("assets/form.js"));
  EXPECT_THAT(std::string(files["assets/form.js"]), HasSubstr("sipas-logic"));
  EXPECT_THAT(std::string(files["assets/form.css"]), HasSubstr("@media (min-width: 48em)"));
}

}  // namespace
