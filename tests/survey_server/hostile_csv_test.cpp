// Spreadsheet formula injection against the real server on loopback: a
// respondent types =HYPERLINK(...), @SUM(...), +1+1, -2+3, a leading tab or a
// leading CR into the sipas-citizen form's text and "other" items; the
// manager's CSV export (over HTTP and with `sipas responses export`) has an
// apostrophe in front of each, numbers untouched, and `raw=1` (--raw-csv)
// gives the bytes as typed. The links CSV guards contacts and ids the same way.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/csv_reader.hpp"
#include "io/percent_encoding.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/synthetic_responses.hpp"
#include "survey_server/url_encoding.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/survey_server/hostile_fixture.hpp"
#include "tests/survey_server/load_support.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
using hostile::exchange;
using hostile::Reply;
namespace q = sipas::questionnaires;
namespace fs = std::filesystem;

const std::string survey_id = "hn-csv";

const std::string hyperlink = "=HYPERLINK(\"http://x\",\"y\")";

// A CSV text as rows of column -> cell, read by sipas's own reader: with the
// formula guard taken off (as sipas reads its files) or as bytes.
using Rows = std::vector<std::map<std::string, std::string>>;
Rows parse_csv(const std::string& text, bool restore) {
  TempDir dir("sipas-csv-parse");
  const auto path = dir / "body.csv";
  std::ofstream(path, std::ios::binary) << text;
  io::CsvReader reader(path, {.restore_neutralised = restore});
  Rows rows;
  while (reader.next()) {
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < reader.header().size(); ++i)
      row[reader.header()[i]] = std::string(reader.field(i));
    rows.push_back(std::move(row));
  }
  return rows;
}

const std::map<std::string, std::string>& by(const Rows& rows, const std::string& column,
                                             const std::string& value) {
  for (const auto& row : rows) {
    auto it = row.find(column);
    if (it != row.end() && it->second == value) return row;
  }
  throw std::runtime_error("no row with " + column + " = " + value);
}

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class HostileCsvTest : public hostile::SurveyFixture {
 protected:
  HostileCsvTest() : SurveyFixture(survey_id) { server_ = std::make_unique<hostile::Server>(); }

  // Answers whose "other" texts and comment are the hostile values.
  static Json hostile_answers(std::uint64_t seed, const std::string& ethnic_other,
                              const std::string& channel_other, const std::string& comment) {
    Json answers = valid_answers(seed);
    answers["a_ethnic"] = 2;
    answers["a_ethnic_other"] = ethnic_other;
    answers["q2"] = 7;
    answers["q2_other"] = channel_other;
    answers["q11"] = comment;
    return answers;
  }

  std::string responses(const std::string& query) {
    auto r =
        admin("GET", "/api/v1/surveys/" + survey_id + "/responses?format=csv&limit=1000" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "text/csv; charset=utf-8");
    return r.body;
  }
};

struct Typed {
  std::string submission, ethnic_other, channel_other, comment;
};

// What the respondents typed. r4's comment is a number; r3 has a text that
// already begins with an apostrophe before '='.
const std::vector<Typed> typed = {
    {"s1", hyperlink, "@SUM(1+1)", "+1+1"},
    {"s2", "-2+3", "\tstarts with a tab", "\rstarts with a carriage return"},
    {"s3", "'=already quoted", "@", "-1-1"},
    {"s4", "=x", "plain", "-5"},
};

TEST_F(HostileCsvTest, FormulasInAnswersAreNeutralisedInTheManagersCsvAndRawGivesTheBytes) {
  ASSERT_NO_FATAL_FAILURE(create_and_open());

  // Invitations whose id, contact and attribute begin with formula characters.
  const std::string sample =
      "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,phone,note\n"
      "p1,A,A,0.1,10,main,,+84 91 234 5678,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n"
      "-p2,A,A,0.1,10,main,,0912345678,-\n"
      "p3,A,A,0.1,10,main,,+84912345678,@x\n";
  auto r = admin("POST", "/api/v1/surveys/" + survey_id + "/invitations?contact=phone", sample,
                 "text/csv");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_NE(r.body.find("\n'-p2,A,A,main,,"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(",'+84 91 234 5678\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(",+84912345678\n"), std::string::npos) << "a number stays a number";
  std::map<std::string, std::string> token_of;
  for (const auto& row : parse_csv(r.body, true))
    token_of[row.at("id")] = row.at("token");
  ASSERT_EQ(token_of.size(), 3u);
  ASSERT_TRUE(token_of.count("-p2")) << "the reader takes the apostrophe off";

  // raw=1 on the import: the links as they are.
  r = admin("POST", "/api/v1/surveys/" + survey_id + "/invitations?contact=phone&raw=1",
            "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,phone,note\n"
            "p4,A,A,0.1,10,main,,+84 98 765 4321,=x\n",
            "text/csv");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_NE(r.body.find(",+84 98 765 4321\n"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("'"), std::string::npos) << r.body;
  token_of["p4"] = parse_csv(r.body, false).at(0).at("token");

  // The respondents type: JSON for s1, s2 and s4 (exact bytes, a CR too), the
  // web form for s3.
  const std::vector<std::string> respondents = {"p1", "-p2", "p3", "p4"};
  for (std::size_t i = 0; i < typed.size(); ++i) {
    const Typed& t = typed[i];
    const Json answers = hostile_answers(40 + i, t.ethnic_other, t.channel_other, t.comment);
    const std::string& token = token_of.at(respondents[i]);
    if (t.submission == "s3") {
      std::string body = "_submission=" + t.submission + "&_lang=vi&_action=submit";
      for (const auto& [name, value] : answers.items()) {
        const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
        body += "&" + io::percent_encode(name) + "=" + io::percent_encode(text);
      }
      r = exchange(port(), "POST", "/s/" + survey_id + "?t=" + io::percent_encode(token), body,
                   form_type);
      ASSERT_EQ(r.status, 303) << r.body.substr(0, 400);
    } else {
      r = exchange(port(), "POST", "/api/v1/surveys/" + survey_id + "/responses?t=" + token,
                   Json{{"answers", answers}, {"submission_id", t.submission}}.dump(), json_type);
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }

  // The manager's CSV, as bytes: each hostile text with one apostrophe in front.
  const std::string guarded = responses("");
  const Rows bytes = parse_csv(guarded, false);
  ASSERT_EQ(bytes.size(), typed.size());
  for (const auto& t : typed) {
    SCOPED_TRACE(t.submission);
    const auto& row = by(bytes, "submission_id", t.submission);
    auto expect_cell = [&](const std::string& column, const std::string& value) {
      EXPECT_EQ(row.at(column), value) << column;
    };
    if (t.submission == "s1") {
      expect_cell("a_ethnic_other", "'" + hyperlink);
      expect_cell("q2_other", "'@SUM(1+1)");
      expect_cell("q11", "'+1+1");
      expect_cell("note", "'" + hyperlink);
      expect_cell("respondent_id", "p1");
    } else if (t.submission == "s2") {
      expect_cell("a_ethnic_other", "'-2+3");
      expect_cell("q2_other", "'\tstarts with a tab");
      expect_cell("q11", "'\rstarts with a carriage return");
      expect_cell("note", "'-");
      expect_cell("respondent_id", "'-p2");
    } else if (t.submission == "s3") {
      expect_cell("a_ethnic_other", "''=already quoted");
      expect_cell("q2_other", "'@");
      expect_cell("q11", "'-1-1");
      expect_cell("note", "'@x");
    } else {
      expect_cell("a_ethnic_other", "'=x");
      expect_cell("q11", "-5");  // a number stays a number
      expect_cell("note", "'=x");
    }
    // Design columns are numbers and stay so.
    expect_cell("inclusion_probability", "0.1");
    expect_cell("design_weight", "10");
    expect_cell("stratum", "A");
    EXPECT_EQ(row.count("phone"), 0u) << "contacts are never exported";
  }
  // On the wire: the CR cell is quoted with the apostrophe inside the quotes.
  EXPECT_NE(guarded.find(",\"'\rstarts with a carriage return\""), std::string::npos);
  EXPECT_NE(guarded.find(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""), std::string::npos);

  // sipas's reader takes the apostrophes off again: every value as typed.
  const Rows restored = parse_csv(guarded, true);
  // raw=1: the bytes as typed, for tools that are not spreadsheets.
  const std::string raw = responses("&raw=1");
  const Rows raw_rows = parse_csv(raw, false);
  for (const Rows* rows : {&restored, &raw_rows}) {
    for (const auto& t : typed) {
      SCOPED_TRACE(t.submission + (rows == &restored ? " restored" : " raw"));
      const auto& row = by(*rows, "submission_id", t.submission);
      EXPECT_EQ(row.at("a_ethnic_other"), t.ethnic_other);
      EXPECT_EQ(row.at("q2_other"), t.channel_other);
      EXPECT_EQ(row.at("q11"), t.comment);
    }
    EXPECT_EQ(by(*rows, "submission_id", "s2").at("respondent_id"), "-p2");
    EXPECT_EQ(by(*rows, "submission_id", "s1").at("note"), hyperlink);
  }
  EXPECT_NE(raw.find(",\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""), std::string::npos);
  EXPECT_EQ(raw.find("'@SUM"), std::string::npos);
  EXPECT_EQ(responses("&raw=0"), guarded);

  auto bad = admin("GET", "/api/v1/surveys/" + survey_id + "/responses?format=csv&raw=yes");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("request.bad_parameter"), std::string::npos) << bad.body;

  // `sipas responses export` on the same database writes what the API gives,
  // owner-only whatever the umask.
  server_->stop();
  const fs::path db = server_->dir() / "survey.db";
  TempDir out("sipas-csv-cli");
  const mode_t old_umask = ::umask(0);
  auto cli = sipas({"responses", "export", "--db", db.string(), "--survey", survey_id, "--out",
                    (out / "responses.csv").string()});
  auto cli_raw = sipas({"responses", "export", "--db", db.string(), "--survey", survey_id,
                        "--raw-csv", "--out", (out / "raw.csv").string()});
  auto labelled = sipas({"export", "responses", "--questionnaire",
                         std::string(SIPAS_SOURCE_DIR) + "/questionnaires/forms/sipas-citizen.json",
                         "--data", (out / "responses.csv").string(), "--keep", "note", "--labels",
                         "en", "--out", (out / "labelled.csv").string()});
  ::umask(old_umask);
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  ASSERT_EQ(cli_raw.exit_code, 0) << cli_raw.err;
  ASSERT_EQ(labelled.exit_code, 0) << labelled.err;
  EXPECT_EQ(mode_of(out / "responses.csv"), 0600u);
  EXPECT_EQ(mode_of(out / "raw.csv"), 0600u);
  EXPECT_EQ(mode_of(out / "labelled.csv"), 0600u);
  EXPECT_EQ(slurp(out / "responses.csv"), guarded);
  EXPECT_EQ(slurp(out / "raw.csv"), raw);
  // Read back and written again with labels: one apostrophe each, never two.
  const Rows relabelled = parse_csv(slurp(out / "labelled.csv"), false);
  EXPECT_EQ(by(relabelled, "submission_id", "s1").at("a_ethnic_other"), "'" + hyperlink);
  EXPECT_EQ(by(relabelled, "submission_id", "s1").at("note"), "'" + hyperlink);
  EXPECT_EQ(by(relabelled, "submission_id", "s3").at("a_ethnic_other"), "''=already quoted");
  EXPECT_EQ(by(relabelled, "submission_id", "s4").at("q11"), "-5");
}

}  // namespace
}  // namespace sipas::test
