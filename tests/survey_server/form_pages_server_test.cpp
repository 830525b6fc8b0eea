// The form a page at a time over a real loopback socket and database file:
// next checks only its page, back keeps the answers, the draft remembers the
// page reached, submit checks every page and is the only step that stores a
// response; an open link carries the answers in the pages themselves.

#include <gtest/gtest.h>

#include <boost/beast/zlib/inflate_stream.hpp>
#include <nlohmann/json.hpp>

#include "io/percent_encoding.hpp"
#include "questionnaires/pages.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/synthetic_responses.hpp"
#include "tests/support/csv_lines.hpp"
#include "tests/survey_server/test_server.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
namespace q = sipas::questionnaires;

const std::string json_type = "application/json";
const std::string form_type = "application/x-www-form-urlencoded";

bool has(const std::string& body, const std::string& part) {
  return body.find(part) != std::string::npos;
}

class FormPagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* file = q::find_standard_file("forms/sipas-citizen.json");
    ASSERT_NE(file, nullptr);
    questionnaire_ = std::make_unique<q::Questionnaire>(
        q::load_questionnaire(file->content, "sipas-citizen.json"));
    pages_ = std::make_unique<q::Pages>(*questionnaire_);
    q::GeneratorOptions options;
    options.seed = 11;
    options.other_language_rate = 0;
    q::ResponseGenerator generator(*questionnaire_, options);
    answers_ = Json::parse(q::response_to_json(*questionnaire_, generator.valid()))["answers"];
  }

  void open_survey(HttpClient& c, bool open_link) {
    auto r =
        c.post("/api/v1/surveys",
               Json{{"id", "hn"}, {"standard", "sipas-citizen"}, {"open_link", open_link}}.dump(),
               json_type, TestServer::as_manager());
    ASSERT_EQ(r.status, 201) << r.body;
    ASSERT_EQ(c.post("/api/v1/surveys/hn/open", "", "", TestServer::as_manager()).status, 200);
  }

  std::string token(HttpClient& c) {
    auto r = c.post("/api/v1/surveys/hn/invitations",
                    "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank\np1,A,A,"
                    "0.1,10,main,\n",
                    "text/csv", TestServer::as_manager());
    EXPECT_EQ(r.status, 201) << r.body;
    auto rows = split_plain_csv(r.body);
    const auto& header = rows.at(0);
    const auto column = std::find(header.begin(), header.end(), "token") - header.begin();
    return rows.at(1).at(static_cast<std::size_t>(column));
  }

  // The fields of the valid response's answers that are on page `page`
  // (0-based), or on every page.
  std::string fields(std::optional<std::size_t> page) const {
    std::string body;
    auto text_of = [](const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
    for (const auto& [id, value] : answers_.items()) {
      const auto* item = questionnaire_->find(id);
      if (page && pages_->page_of(item->slot) != *page) continue;
      for (const auto& v : value.is_array() ? value : Json::array({value}))
        body += "&" + id + "=" + io::percent_encode(text_of(v));
    }
    return body;
  }

  std::string first_answered(std::size_t page) const {
    for (const auto& [id, value] : answers_.items()) {
      if (pages_->page_of(questionnaire_->find(id)->slot) == page) return id;
    }
    return "none";
  }

  std::string post_page(std::size_t page, const std::string& action) const {
    return "_submission=s1&_lang=vi&_action=" + action + "&_page=" + std::to_string(page + 1);
  }

  std::unique_ptr<q::Questionnaire> questionnaire_;
  std::unique_ptr<q::Pages> pages_;
  Json answers_;
};

TEST_F(FormPagesTest, AnInvitationWalksThePagesAndResumesWhereItLeft) {
  TestServer server;
  auto c = server.client();
  open_survey(c, false);
  const std::string t = token(c);
  const std::string action = "/s/hn?t=" + t;
  const std::size_t count = pages_->size();
  ASSERT_EQ(count, 6u);

  // Page 1: progress, its own items only, next but no back or submit.
  auto r = c.get(action);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r.body, "Trang 1/6"));
  EXPECT_TRUE(has(r.body, "name=\"_page\" value=\"1\""));
  EXPECT_TRUE(has(r.body, "id=\"item-a_sex\""));
  EXPECT_FALSE(has(r.body, "id=\"item-q9_01\""));
  EXPECT_TRUE(has(r.body, "name=\"_action\" value=\"next\""));
  EXPECT_FALSE(has(r.body, "value=\"back\""));
  EXPECT_FALSE(has(r.body, "value=\"submit\""));
  EXPECT_LT(r.body.size(), 30'000u);
  r = c.get(action + "&lang=en");
  EXPECT_TRUE(has(r.body, "Page 1 of 6"));

  // Next with nothing answered: the page again, its problems only.
  r = c.post(action, post_page(0, "next"), form_type);
  ASSERT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.body, "id=\"sipas-error-summary\""));
  EXPECT_TRUE(has(r.body, "href=\"#f-a_sex-0\""));
  EXPECT_FALSE(has(r.body, "#f-q9_01"));
  EXPECT_TRUE(has(r.body, "Trang 1/6"));

  // Page 1 answered: on to page 2, the answers in the draft.
  r = c.post(action, post_page(0, "next") + fields(0), form_type);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 3000);
  EXPECT_EQ(r.header("location"), action + "&page=2&lang=vi");
  r = c.get(r.header("location"));
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r.body, "Trang 2/6"));
  EXPECT_TRUE(has(r.body, "value=\"back\""));
  // Page 1's answers ride along as hidden fields (the script reads them).
  EXPECT_TRUE(has(r.body, "type=\"hidden\" name=\"a_sex\""));

  // Back: page 1 with its answers kept.
  r = c.post(action, post_page(1, "back") + fields(1), form_type);
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.header("location"), action + "&page=1&lang=vi");
  r = c.get(r.header("location"));
  const std::string sex = answers_["a_sex"].dump();
  EXPECT_TRUE(has(r.body, "name=\"a_sex\" value=\"" + sex + "\" checked")) << sex;

  // Through page 3, then leave: the link opens page 4.
  for (std::size_t page = 1; page < 3; ++page) {
    r = c.post(action, post_page(page, "next") + fields(page), form_type);
    ASSERT_EQ(r.status, 303) << page << r.body.substr(0, 3000);
  }
  r = c.get(action);
  EXPECT_TRUE(has(r.body, "Trang 4/6")) << r.body.substr(0, 2000);
  // page= opens another page of the draft; a page that is not there is 404.
  EXPECT_TRUE(has(c.get(action + "&page=2").body, "Trang 2/6"));
  EXPECT_EQ(c.get(action + "&page=7").status, 404);
  EXPECT_EQ(c.get(action + "&page=x").status, 404);

  // Save on page 4: the same page, with the notice.
  r = c.post(action, post_page(3, "save") + fields(3), form_type);
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.header("location"), action + "&page=4&lang=vi&saved=1");

  // Submit from page 5 while page 6 is unanswered: nothing stored, page 6
  // shown with its problems and the word that they were found elsewhere.
  r = c.post(action, post_page(4, "next") + fields(4), form_type);
  ASSERT_EQ(r.status, 303);
  r = c.post(action, post_page(4, "submit") + fields(4), form_type);
  ASSERT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.body, "Trang 6/6"));
  EXPECT_TRUE(has(r.body, "Còn câu hỏi chưa trả lời đúng ở trang khác"));
  r = c.get("/api/v1/surveys/hn/responses", TestServer::as_analyst());
  EXPECT_EQ(Json::parse(r.body)["responses"].size(), 0u);

  // The last page: submit stores the whole response once.
  r = c.get(action + "&page=6");
  EXPECT_TRUE(has(r.body, "name=\"_action\" value=\"submit\""));
  EXPECT_FALSE(has(r.body, "value=\"next\""));
  r = c.post(action, post_page(5, "submit") + fields(5), form_type);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 3000);
  EXPECT_EQ(r.header("location"), "/s/hn/thanks?lang=vi");
  r = c.get("/api/v1/surveys/hn/responses", TestServer::as_analyst());
  auto exported = Json::parse(r.body)["responses"];
  ASSERT_EQ(exported.size(), 1u);
  for (const auto& [id, value] : answers_.items())
    EXPECT_EQ(exported[0]["answers"][id], value) << id;
  EXPECT_EQ(c.get(action).status, 409);
}

TEST_F(FormPagesTest, AnOpenLinkCarriesTheAnswersInThePages) {
  TestServer server;
  auto c = server.client();
  open_survey(c, true);
  // Next answers with the next page itself, the earlier answers as hidden
  // fields; nothing is stored until submit.
  auto r = c.post("/s/hn", post_page(0, "next") + fields(0), form_type);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 3000);
  EXPECT_TRUE(has(r.body, "Trang 2/6"));
  EXPECT_TRUE(has(r.body, "type=\"hidden\" name=\"a_sex\""));
  EXPECT_FALSE(has(r.body, "value=\"save\""));
  // Back from page 2 with its answers: page 1, page 2's answers carried.
  r = c.post("/s/hn", post_page(1, "back") + fields(0) + fields(1), form_type);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r.body, "Trang 1/6"));
  EXPECT_TRUE(has(r.body, "type=\"hidden\" name=\"" + first_answered(1) + "\""));
  r = c.get("/api/v1/surveys/hn/responses", TestServer::as_analyst());
  EXPECT_EQ(Json::parse(r.body)["responses"].size(), 0u);
  // The last page's submit with everything carried: stored.
  r = c.post("/s/hn", post_page(5, "submit") + fields(std::nullopt), form_type);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 3000);
  r = c.get("/api/v1/surveys/hn/responses", TestServer::as_analyst());
  EXPECT_EQ(Json::parse(r.body)["responses"].size(), 1u);
  // A page number the form does not have is refused.
  EXPECT_EQ(c.post("/s/hn", "_action=next&_page=9", form_type).status, 400);
}

// The deflate data of a gzip member written by gzip -n (a 10-byte header, no
// name), inflated.
std::string gunzip(const std::string& member) {
  namespace zlib = boost::beast::zlib;
  zlib::inflate_stream inflate;
  inflate.reset(15);
  std::string out(member.size() * 20, '\0');
  zlib::z_params z{};
  z.next_in = member.data() + 10;
  z.avail_in = member.size() - 10 - 8;  // the 8-byte trailer: CRC and size
  z.next_out = out.data();
  z.avail_out = out.size();
  boost::beast::error_code ec;
  inflate.write(z, zlib::Flush::finish, ec);
  EXPECT_TRUE(!ec || ec == zlib::error::end_of_stream) << ec.message();
  out.resize(z.total_out);
  return out;
}

// The stylesheet and script, which a phone waits for before it draws, come
// gzipped to browsers that take it; never a page.
TEST_F(FormPagesTest, FixedFilesComeGzippedToBrowsersThatTakeIt) {
  TestServer server;
  auto c = server.client();
  for (const char* name : {"/assets/form.css", "/assets/form.js"}) {
    auto plain = c.get(name);
    ASSERT_EQ(plain.status, 200);
    EXPECT_EQ(plain.header("content-encoding"), "");
    EXPECT_EQ(plain.header("vary"), "Accept-Encoding");
    auto packed = c.get(name, {{"Accept-Encoding", "gzip, deflate, br"}});
    ASSERT_EQ(packed.status, 200);
    EXPECT_EQ(packed.header("content-encoding"), "gzip");
    ASSERT_GT(packed.body.size(), 18u);
    EXPECT_EQ(packed.body.substr(0, 2), "\x1f\x8b");
    EXPECT_LT(packed.body.size() * 2, plain.body.size()) << name;
    EXPECT_EQ(gunzip(packed.body), plain.body) << name;
    // gzip;q=0 refuses it.
    EXPECT_EQ(c.get(name, {{"Accept-Encoding", "gzip;q=0"}}).header("content-encoding"), "");
  }
  open_survey(c, true);
  auto page = c.get("/s/hn", {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-encoding"), "");
}

}  // namespace
}  // namespace sipas::test
