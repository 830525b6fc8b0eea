// Privacy of the real server over loopback: tokens and contact data reach only
// the links CSV (and a token holder's own form page); no log line, error,
// export, progress report or metric carries them, and a sample column named
// like contact data cannot slip into the exports as an attribute.

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/sample_import.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/survey_server/load_support.hpp"
#include "tests/survey_server/test_server.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
namespace ss = sipas::survey_server;

const std::string survey = "priv-2026";

// Contacts that cannot occur by chance in any other text.
const std::vector<std::string> phones = {"0912000111", "0912000222", "0912000333", "0912000444"};
const std::vector<std::string> emails = {"an.nguyen@mail.example.vn", "binh.tran@mail.example.vn",
                                         "chi.le@mail.example.vn", "dung.pham@mail.example.vn"};

// std::cerr of this process while the server runs: the server's log.
class CapturedLog {
 public:
  CapturedLog() : old_(std::cerr.rdbuf(buffer_.rdbuf())) {}
  ~CapturedLog() { std::cerr.rdbuf(old_); }
  std::string text() const { return buffer_.str(); }

 private:
  std::ostringstream buffer_;
  std::streambuf* old_;
};

std::string slurp_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class PrivacyTest : public ::testing::Test {
 protected:
  std::string valid_response(std::uint64_t seed, const std::string& submission_id) const {
    return responses_.make(seed, submission_id);
  }

  static std::string sample_csv() {
    std::string csv =
        "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,sex,"
        "phone,email\n";
    for (std::size_t i = 0; i < phones.size(); ++i) {
      csv += "p" + std::to_string(i + 1) + ",A,A,0.1,10,main,," + std::to_string(i % 2 + 1) + "," +
             phones[i] + "," + emails[i] + "\n";
    }
    return csv;
  }

  // Every secret that must stay out of a text, with what it is.
  void expect_no_secrets(const std::string& text, const std::string& where) const {
    for (const auto& t : tokens_)
      EXPECT_EQ(text.find(t), std::string::npos) << where << " shows a token";
    for (const auto& p : phones)
      EXPECT_EQ(text.find(p), std::string::npos) << where << " shows a phone number";
    for (const auto& e : emails)
      EXPECT_EQ(text.find(e), std::string::npos) << where << " shows an e-mail address";
    EXPECT_EQ(text.find(manager_key), std::string::npos) << where << " shows the manager key";
  }

  ResponseTemplates responses_{4};
  std::vector<std::string> tokens_;
};

TEST_F(PrivacyTest, TokensAndContactsReachOnlyTheLinksAndTheHoldersOwnForm) {
  CapturedLog log;
  std::vector<std::pair<std::string, ClientResponse>> seen;  // every reply but the links CSV
  // Stopped, not destroyed, below: its folder holds the database the rest reads.
  TestServer server;
  const auto db = server.db();
  {
    auto c = server.client();
    auto keep = [&seen](const std::string& what, ClientResponse r) {
      seen.emplace_back(what, r);
      return r;
    };
    ASSERT_EQ(c.post("/api/v1/surveys", Json{{"id", survey}, {"standard", "sipas-citizen"}}.dump(),
                     json_type, TestServer::as_manager())
                  .status,
              201);
    ASSERT_EQ(
        c.post("/api/v1/surveys/" + survey + "/open", "", "", TestServer::as_manager()).status,
        200);
    auto links = c.post("/api/v1/surveys/" + survey + "/invitations?contact=phone,email",
                        sample_csv(), "text/csv", TestServer::as_manager());
    ASSERT_EQ(links.status, 201) << links.body;
    // The links CSV is where tokens and contacts go, by design.
    ASSERT_EQ(links.body.substr(0, links.body.find('\n')),
              "id,stratum,psu,role,reserve_rank,token,link,phone,email");
    tokens_ = tokens_of_links_csv(links.body);
    ASSERT_EQ(tokens_.size(), 4u);
    EXPECT_NE(links.body.find(phones[0]), std::string::npos);
    EXPECT_NE(links.body.find(emails[3]), std::string::npos);
    EXPECT_EQ(links.header("cache-control"), "no-store");

    const std::string api = "/api/v1/surveys/" + survey + "/responses?t=";
    // The holder's own form page carries the token (its form posts back with
    // it), never a contact.
    auto page = c.get("/s/" + survey + "?t=" + tokens_[0]);
    ASSERT_EQ(page.status, 200);
    for (const auto& p : phones)
      EXPECT_EQ(page.body.find(p), std::string::npos);
    for (const auto& e : emails)
      EXPECT_EQ(page.body.find(e), std::string::npos);

    keep("201", c.post(api + tokens_[0], valid_response(1, "s1"), json_type));
    keep("200 repeat", c.post(api + tokens_[0], valid_response(1, "s1"), json_type));
    keep("409 used", c.post(api + tokens_[0], valid_response(2, "s2"), json_type));
    keep("409 page", c.get("/s/" + survey + "?t=" + tokens_[0]));
    keep("403 wrong", c.post(api + tokens_[1] + "x", valid_response(3, "s3"), json_type));
    keep("403 altered", c.post(api + (tokens_[1][0] == 'A' ? "B" : "A") + tokens_[1].substr(1),
                               valid_response(3, "s3"), json_type));
    keep("404 survey", c.post("/api/v1/surveys/other/responses?t=" + tokens_[1],
                              valid_response(3, "s3"), json_type));
    keep("400 body",
         c.post(api + tokens_[1], "{\"submission_id\": \"s4\", \"answers\": [", json_type));
    keep("415", c.post(api + tokens_[1], valid_response(4, "s4"), "text/plain"));
    keep("413", c.post(api + tokens_[1], std::string(300 * 1024, ' '), json_type));
    keep("403 page", c.get("/s/" + survey + "?t=" + tokens_[1] + "x"));
    keep("404 page", c.get("/s/nope?t=" + tokens_[1]));
    keep("400 form", c.post("/s/" + survey + "?t=" + tokens_[1], "%zz=1", form_type));
    keep("draft", c.post("/api/v1/surveys/" + survey + "/drafts?t=" + tokens_[2],
                         Json{{"answers", {{"q1", 1}}}}.dump(), json_type));
    keep("metrics", c.get("/metrics", TestServer::as_analyst()));
    keep("progress", c.get("/api/v1/surveys/" + survey + "/progress", TestServer::as_analyst()));
    keep("export json",
         c.get("/api/v1/surveys/" + survey + "/responses", TestServer::as_analyst()));
    keep("export csv",
         c.get("/api/v1/surveys/" + survey + "/responses?format=csv", TestServer::as_analyst()));
    keep("survey", c.get("/api/v1/surveys/" + survey, TestServer::as_analyst()));
    keep("401 key", c.get("/api/v1/surveys", {{"Authorization", "Bearer " + tokens_[3]}}));
  }
  server.stop();
  ASSERT_EQ(seen[0].second.status, 201) << seen[0].second.body;
  EXPECT_EQ(seen[1].second.status, 200);
  EXPECT_EQ(seen[2].second.status, 409);
  // The export holds the stored response: the check above read real rows.
  const auto& csv = seen[seen.size() - 3].second;
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("s1"), std::string::npos) << csv.body;

  // A store that refuses writes logs why; the line names no token.
  {
    ss::ServiceOptions options;
    options.db = db;
    options.read_only = true;
    // The operator's log, as sipas serve writes it.
    options.log = [](std::string_view message) { std::cerr << "sipas serve: " << message << "\n"; };
    ss::SurveyService service(options);
    ss::ServerOptions server_options;
    server_options.port = 0;
    server_options.threads = 1;
    ss::HttpServer read_only(server_options, service);
    std::thread runner([&read_only] { read_only.run(false); });
    {
      HttpClient c(read_only.port());
      auto r = c.post("/api/v1/surveys/" + survey + "/responses?t=" + tokens_[1],
                      valid_response(5, "s5"), json_type);
      EXPECT_EQ(r.status, 503) << r.body;
      seen.emplace_back("503 read-only", r);
      r = c.post("/s/" + survey + "?t=" + tokens_[1], "_submission=s6&_action=save&q1=1",
                 form_type);
      EXPECT_EQ(r.status, 503) << r.body;
      seen.emplace_back("503 read-only page", r);
    }
    read_only.shutdown();
    runner.join();
    service.stop();
  }

  for (const auto& [what, r] : seen) {
    expect_no_secrets(r.body, "the " + what + " reply (" + std::to_string(r.status) + ")");
    for (const auto& h : {"location", "set-cookie", "x-next-since"})
      expect_no_secrets(r.header(h), "the " + what + " reply's " + h);
  }
  const auto logged = log.text();
  EXPECT_NE(logged.find("store.read_only"), std::string::npos) << "the 503 was logged: " << logged;
  expect_no_secrets(logged, "the server's log");

  // The exports and progress report of the command line.
  const auto out = db.parent_path() / "responses.csv";
  auto r = sipas({"responses", "export", "--db", db.string(), "--survey", survey, "--format", "csv",
                  "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_no_secrets(r.out + r.err, "sipas responses export's output");
  const auto exported = slurp_file(out);
  EXPECT_NE(exported.find("s1"), std::string::npos);
  expect_no_secrets(exported, "responses.csv");
  r = sipas({"survey", "progress", "--db", db.string(), "--survey", survey});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_no_secrets(r.out + r.err, "sipas survey progress");

  // The database holds no token in plain text (only SHA-256 hashes).
  for (const auto* suffix : {"", "-wal"}) {
    const auto bytes = slurp_file(db.string() + suffix);
    for (const auto& t : tokens_)
      EXPECT_EQ(bytes.find(t), std::string::npos) << "token in " << db << suffix;
  }
}

mode_t permissions(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST_F(PrivacyTest, TheCommandLineWritesLinksAndDatabasesForTheirOwnerOnly) {
  TempDir dir("sipas-privacy");
  const auto db = dir / "survey.db";
  const auto sample = dir / "sample.csv";
  std::ofstream(sample) << sample_csv();
  auto r = sipas(
      {"survey", "create", "--db", db.string(), "--survey", survey, "--standard", "sipas-citizen"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(permissions(db), 0600u);
  // A links file that cannot be written: refused before any token is issued.
  r = sipas({"invite", "import", "--db", db.string(), "--survey", survey, "--sample",
             sample.string(), "--contact", "phone,email", "--base-url", "https://ks.example.vn",
             "--out", (dir / "missing" / "links.csv").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[io.write_failed]"), std::string::npos) << r.err;
  r = sipas({"survey", "progress", "--db", db.string(), "--survey", survey});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["overall"]["invited"], 0) << r.out;

  const auto links = dir / "links.csv";
  r = sipas({"invite", "import", "--db", db.string(), "--survey", survey, "--sample",
             sample.string(), "--contact", "phone,email", "--base-url", "https://ks.example.vn",
             "--out", links.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(permissions(links), 0600u);
  const auto text = slurp_file(links);
  EXPECT_NE(text.find(phones[2]), std::string::npos);
  tokens_ = tokens_of_links_csv(text);
  ASSERT_EQ(tokens_.size(), 4u);
  ASSERT_EQ(tokens_[0].size(), 22u) << tokens_[0];
  expect_no_secrets(r.out + r.err, "sipas invite import's output");
}

TEST(SampleImportPrivacy, AColumnNamedLikeContactDataMustBeDeclaredAContact) {
  for (const auto* name : {"phone", "Phone_Number", "e-mail", "EMAIL", "so_dien_thoai", "SDT",
                           "dia_chi", "Address", "cccd", "ho_ten", "full name"}) {
    EXPECT_TRUE(app::looks_like_contact_column(name)) << name;
  }
  for (const auto* name : {"sex", "age_group", "district", "procedure", "unit_name",
                           "phone_model_x", "commune", "channel"}) {
    EXPECT_FALSE(app::looks_like_contact_column(name)) << name;
  }

  TestServer server;
  auto c = server.client();
  ASSERT_EQ(c.post("/api/v1/surveys", Json{{"id", survey}, {"standard", "sipas-citizen"}}.dump(),
                   json_type, TestServer::as_manager())
                .status,
            201);
  const std::string sample =
      "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,sex,So_Dien_Thoai\n"
      "p1,A,A,0.1,10,main,,1,0912000999\n";
  // Forgotten --contact: refused, naming the column; nothing is imported.
  auto r = c.post("/api/v1/surveys/" + survey + "/invitations", sample, "text/csv",
                  TestServer::as_manager());
  ASSERT_EQ(r.status, 422) << r.body;
  const auto error = Json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "sample.contact_column");
  EXPECT_NE(error["message"].get<std::string>().find("'So_Dien_Thoai'"), std::string::npos);
  EXPECT_EQ(error["message"].get<std::string>().find("0912000999"), std::string::npos);
  auto progress =
      Json::parse(c.get("/api/v1/surveys/" + survey + "/progress", TestServer::as_analyst()).body);
  EXPECT_EQ(progress["overall"]["invited"], 0) << progress.dump();
  // Declared: imported, and the number stays out of the export.
  r = c.post("/api/v1/surveys/" + survey + "/invitations?contact=So_Dien_Thoai", sample, "text/csv",
             TestServer::as_manager());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_NE(r.body.find("0912000999"), std::string::npos);
}

}  // namespace
}  // namespace sipas::test
