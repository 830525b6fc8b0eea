// sipas export responses, library level: the column whitelist, labelled CSV,
// and SPSS/Stata files read back with ReadStat's reader. Expected names,
// labels and values come from the test's own rows and from the questionnaire
// JSON read here, never from the exporter.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/csv_reader.hpp"
#include "io/file.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/simulated_answers.hpp"
#include "reports/error.hpp"
#include "reports/responses_export.hpp"
#include "tests/reports/stat_readback.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace r = sipas::reports;
using Json = nlohmann::json;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

std::string form_path(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/questionnaires/" + name;
}

Json form_json(const std::string& name) {
  return Json::parse(sipas::io::read_file(form_path(name), 1 << 24));
}

// The item (or matrix row) with this id in the questionnaire JSON.
Json item_json(const Json& form, const std::string& id) {
  for (const auto& section : form["sections"]) {
    for (const auto& item : section["items"]) {
      if (item["id"] == id) return item;
      if (item.contains("rows")) {
        for (const auto& row : item["rows"]) {
          if (row["id"] == id) {
            Json out = row;
            out["scale"] = item["scale"];
            return out;
          }
        }
      }
    }
  }
  throw std::runtime_error("no item " + id);
}

// code (as text) -> label in `language`, from the item's inline choices or its named scale.
std::map<std::string, std::string> labels_json(const Json& form, const std::string& id,
                                               const std::string& language) {
  Json item = item_json(form, id);
  Json choices = item.contains("choices") ? item["choices"]
                 : item["scale"].is_string()
                     ? form["scales"][item["scale"].get<std::string>()]["choices"]
                     : item["scale"]["choices"];
  std::map<std::string, std::string> out;
  for (const auto& c : choices) {
    std::string code = c["code"].is_string() ? c["code"].get<std::string>() : c["code"].dump();
    out[code] = c["label"][language].get<std::string>();
  }
  return out;
}

std::string quote(const std::string& cell) {
  if (cell.find_first_of(",\"\n") == std::string::npos) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::size_t column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    throw std::runtime_error("no column " + name);
  }
  const std::string& cell(std::size_t row, const std::string& name) const {
    return rows.at(row).at(column(name));
  }
  void write(const std::filesystem::path& path) const {
    std::ofstream out(path, std::ios::binary);
    auto line = [&](const std::vector<std::string>& cells) {
      for (std::size_t i = 0; i < cells.size(); ++i)
        out << (i ? "," : "") << quote(cells[i]);
      out << "\n";
    };
    line(header);
    for (const auto& row : rows)
      line(row);
  }
};

// Answers to sipas-citizen as `sipas responses export` writes them, with
// contact columns that a careless join would bring along.
Table citizen_answers() {
  Table t;
  t.header = {"seq",
              "submission_id",
              "received_at",
              "review",
              "respondent_id",
              "stratum",
              "psu",
              "inclusion_probability",
              "design_weight",
              "language",
              "district",
              "phone",
              "email",
              "full_name",
              "commune_code",
              "unit_code",
              "a_sex",
              "a_age",
              "a_ethnic",
              "a_ethnic_other",
              "q1_1",
              "q1_2",
              "q2",
              "q9_01",
              "q11",
              "q_overall",
              "calibrated_weight",
              "repw1",
              "repw2",
              "repwx",
              "note"};
  t.rows = {
      {"1",
       "s-0001",
       "2024-05-01T10:00:00Z",
       "accepted",
       "R001",
       "Ba Đình|urban",
       "P01",
       "0.02",
       "50",
       "vi",
       "Ba Đình",
       "0912345678",
       "an@example.vn",
       "Nguyễn Văn An",
       "101",
       "007",
       "1",
       "3",
       "2",
       "Tày",
       "3",
       "1",
       "7",
       "5",
       "Thủ tục nhanh, cán bộ \"nhiệt tình\"",
       "4",
       "52.5",
       "0",
       "100",
       "9",
       "call back"},
      {"2",
       "s-0002",
       "2024-05-01T11:30:00Z",
       "accepted",
       "R002",
       "Ba Đình|urban",
       "P01",
       "0.02",
       "50",
       "en",
       "Ba Đình",
       "0987654321",
       "binh@example.vn",
       "Trần Thị Bình",
       "101",
       "012",
       "2",
       "1",
       "1",
       "",
       "2",
       "",
       "3",
       "",
       "",
       "5",
       "47.25",
       "100",
       "0",
       "9",
       ""},
      {"3",
       "s-0003",
       "2024-05-02T08:15:00Z",
       "flagged",
       "R003",
       "Sóc Sơn|rural",
       "P07",
       "0.0125",
       "80",
       "vi",
       "Sóc Sơn",
       "0901112233",
       "",
       "Lê Văn Cường",
       "205",
       "120",
       "1",
       "5",
       "1",
       "",
       "1",
       "3",
       "",
       "2",
       "Chờ lâu\nquá",
       "",
       "85",
       "160",
       "0",
       "9",
       ""},
  };
  return t;
}

r::ResponsesExport citizen_request(const sipas::test::TempDir& dir, r::ResponsesFormat format,
                                   const std::string& out) {
  citizen_answers().write(dir / "responses.csv");
  r::ResponsesExport request;
  request.questionnaire = form_path("forms/sipas-citizen.json");
  request.data = dir / "responses.csv";
  request.out = dir / out;
  request.format = format;
  request.columns.keep = {"district", "commune_code", "unit_code"};
  request.columns.repweights_prefix = "repw";
  return request;
}

// The whitelist for citizen_answers(), in file order: ids, design, kept,
// items, weights, replicate weights (repwx is not PREFIX+digits).
const std::vector<std::string> citizen_exported = {"seq",
                                                   "submission_id",
                                                   "respondent_id",
                                                   "stratum",
                                                   "psu",
                                                   "inclusion_probability",
                                                   "design_weight",
                                                   "district",
                                                   "commune_code",
                                                   "unit_code",
                                                   "a_sex",
                                                   "a_age",
                                                   "a_ethnic",
                                                   "a_ethnic_other",
                                                   "q1_1",
                                                   "q1_2",
                                                   "q2",
                                                   "q9_01",
                                                   "q11",
                                                   "q_overall",
                                                   "calibrated_weight",
                                                   "repw1",
                                                   "repw2"};

const std::vector<std::string> citizen_numbers = {"inclusion_probability",
                                                  "design_weight",
                                                  "commune_code",
                                                  "a_sex",
                                                  "a_age",
                                                  "a_ethnic",
                                                  "q1_1",
                                                  "q1_2",
                                                  "q2",
                                                  "q9_01",
                                                  "q_overall",
                                                  "calibrated_weight",
                                                  "repw1",
                                                  "repw2"};

bool is_number_column(const std::string& name) {
  return std::find(citizen_numbers.begin(), citizen_numbers.end(), name) != citizen_numbers.end();
}

// The first `n` characters of UTF-8 text.
std::string first_characters(const std::string& text, std::size_t n) {
  std::size_t end = 0;
  for (std::size_t count = 0; end < text.size() && count < n; ++count) {
    ++end;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
      ++end;
  }
  return text.substr(0, end);
}

class StatExportTest : public ::testing::TestWithParam<r::ResponsesFormat> {
 protected:
  bool sav() const { return GetParam() == r::ResponsesFormat::Sav; }
  std::string extension() const { return sav() ? "sav" : "dta"; }
  // A variable label as the format holds it: Stata keeps 80 characters; SPSS
  // 255 bytes, more than any text used here.
  std::string label(const std::string& text) const {
    if (sav()) {
      EXPECT_LE(text.size(), 255u);
      return text;
    }
    return first_characters(text, 80);
  }
};

TEST_P(StatExportTest, WhitelistedColumnsNamesLabelsAndEveryValue) {
  sipas::test::TempDir dir;
  auto request = citizen_request(dir, GetParam(), "out." + extension());
  auto summary = r::export_responses(request);
  EXPECT_EQ(summary.rows, 3u);
  const auto file = sipas::test::read_stat_file(request.out);
  EXPECT_EQ(file.row_count, 3);
  EXPECT_THAT(file.names(), ElementsAreArray(citizen_exported));
  for (const char* contact : {"phone", "email", "full_name", "note", "received_at", "review"})
    EXPECT_EQ(file.index(contact), -1) << contact;

  // Variable labels: the item texts in Vietnamese (the default), row texts for matrix rows.
  const Json form = form_json("forms/sipas-citizen.json");
  for (const char* id : {"a_sex", "a_age", "a_ethnic_other", "q1_1", "q2", "q9_01", "q11"}) {
    EXPECT_EQ(file.variable(id).label, label(item_json(form, id)["text"]["vi"])) << id;
  }
  EXPECT_EQ(file.variable("design_weight").label, "Trọng số thiết kế");

  // Value labels: every code of the item's scale, with its Vietnamese label.
  for (const char* id : {"a_sex", "a_age", "q1_1", "q2", "q9_01", "q_overall"}) {
    const auto& set = file.variable(id).label_set;
    ASSERT_FALSE(set.empty()) << id;
    std::map<std::string, std::string> read;
    for (const auto& [value, label] : file.number_labels.at(set))
      read[std::to_string(static_cast<long>(value))] = label;
    EXPECT_EQ(read, labels_json(form, id, "vi")) << id;
  }
  EXPECT_TRUE(file.variable("design_weight").label_set.empty());
  if (sav()) {
    // Codes without decimals; weights and probabilities with six.
    EXPECT_EQ(file.variable("a_sex").format, "F8.0");
    EXPECT_EQ(file.variable("q9_01").format, "F8.0");
    EXPECT_EQ(file.variable("inclusion_probability").format, "F12.6");
  }

  // Every value against the input.
  const Table input = citizen_answers();
  ASSERT_EQ(file.rows.size(), input.rows.size());
  for (std::size_t row = 0; row < input.rows.size(); ++row) {
    for (const auto& name : citizen_exported) {
      const std::string& cell = input.cell(row, name);
      const auto& value = file.value(row, name);
      if (is_number_column(name)) {
        ASSERT_FALSE(value.is_string) << name;
        if (cell.empty()) {
          EXPECT_TRUE(value.missing) << name << " row " << row;
        } else {
          EXPECT_FALSE(value.missing) << name << " row " << row;
          EXPECT_EQ(value.number, std::stod(cell)) << name << " row " << row;
        }
      } else {
        ASSERT_TRUE(value.is_string) << name;
        EXPECT_EQ(value.text, cell) << name << " row " << row;
      }
    }
  }
}

TEST_P(StatExportTest, EnglishLabels) {
  sipas::test::TempDir dir;
  auto request = citizen_request(dir, GetParam(), "out." + extension());
  request.labels = r::Language::En;
  r::export_responses(request);
  const auto file = sipas::test::read_stat_file(request.out);
  const Json form = form_json("forms/sipas-citizen.json");
  EXPECT_EQ(file.variable("a_age").label, "Age group");
  EXPECT_EQ(file.variable("q9_01").label, label(item_json(form, "q9_01")["text"]["en"]));
  EXPECT_EQ(file.number_labels.at(file.variable("a_sex").label_set).at(2), "Female");
  EXPECT_EQ(file.variable("design_weight").label, "Design weight");
}

TEST_P(StatExportTest, MultipleChoiceBecomesOneZeroOneVariablePerChoice) {
  // The example questionnaire's `channels` (codes 1-5), as the CSV holds it:
  // the codes joined by spaces.
  sipas::test::TempDir dir;
  Table t;
  t.header = {"respondent_id", "design_weight",  "email",         "age",        "sex", "height",
              "channels",      "channels_other", "online_rating", "visit_date", "ease"};
  t.rows = {{"A1", "10", "x@y.vn", "34", "2", "1.62", "1 3", "", "8", "2024-03-05", "6"},
            {"A2", "12.5", "", "61", "1", "", "5", "Zalo", "", "", "1"},
            {"A3", "10", "z@y.vn", "40", "1", "1.7", "", "", "", "2024-12-31", ""}};
  t.write(dir / "answers.csv");
  r::ResponsesExport request;
  request.questionnaire = form_path("examples/example-questionnaire.json");
  request.data = dir / "answers.csv";
  request.out = dir / ("out." + extension());
  request.format = GetParam();
  r::export_responses(request);
  const auto file = sipas::test::read_stat_file(request.out);
  EXPECT_THAT(file.names(), ElementsAreArray({"respondent_id", "design_weight", "age", "sex",
                                              "height", "channels_1", "channels_2", "channels_3",
                                              "channels_4", "channels_5", "channels_other",
                                              "online_rating", "visit_date", "ease"}));
  const Json form = form_json("examples/example-questionnaire.json");
  const auto channel_labels = labels_json(form, "channels", "vi");
  const std::string text = item_json(form, "channels")["text"]["vi"];
  for (int code = 1; code <= 5; ++code) {
    const auto name = "channels_" + std::to_string(code);
    EXPECT_EQ(file.variable(name).label,
              label(text + ": " + channel_labels.at(std::to_string(code))));
    const auto& set = file.number_labels.at(file.variable(name).label_set);
    EXPECT_EQ(set.at(0), "Không chọn");
    EXPECT_EQ(set.at(1), "Có chọn");
  }
  // "1 3": 1 and 3 selected; "5": only 5; empty: not answered, all missing.
  const std::vector<std::vector<int>> expected = {{1, 0, 1, 0, 0}, {0, 0, 0, 0, 1}};
  for (std::size_t row = 0; row < 2; ++row) {
    for (int code = 1; code <= 5; ++code) {
      const auto& v = file.value(row, "channels_" + std::to_string(code));
      EXPECT_FALSE(v.missing);
      EXPECT_EQ(v.number, expected[row][static_cast<std::size_t>(code - 1)]) << row << " " << code;
    }
  }
  for (int code = 1; code <= 5; ++code)
    EXPECT_TRUE(file.value(2, "channels_" + std::to_string(code)).missing);
  EXPECT_EQ(file.value(0, "height").number, 1.62);
  EXPECT_TRUE(file.value(1, "height").missing);
  EXPECT_EQ(file.value(0, "online_rating").number, 8);
  EXPECT_EQ(file.value(0, "visit_date").text, "2024-03-05");
  EXPECT_EQ(file.value(1, "channels_other").text, "Zalo");
  EXPECT_EQ(file.value(0, "ease").number, 6);
  EXPECT_TRUE(file.value(2, "ease").missing);
}

TEST_P(StatExportTest, StringCodesStayStrings) {
  // par-officials: respondent_group has string codes (hdnd, lead_dept, ...).
  sipas::test::TempDir dir;
  Table t;
  t.header = {"respondent_id", "stratum",          "psu",  "design_weight",
              "target_unit",   "respondent_group", "p1_1", "p8_1"};
  // Only the 4-byte code in the data: the labels of longer codes (civil_servant)
  // must still be whole.
  t.rows = {{"O1", "dept", "S01", "1", "Sở Tư pháp", "hdnd", "4", "9"},
            {"O2", "dept", "S02", "1", "Huyện Sóc Sơn", "hdnd", "5", ""}};
  t.write(dir / "officials.csv");
  r::ResponsesExport request;
  request.questionnaire = form_path("forms/par-officials.json");
  request.data = dir / "officials.csv";
  request.out = dir / ("out." + extension());
  request.format = GetParam();
  r::export_responses(request);
  const auto file = sipas::test::read_stat_file(request.out);
  const auto& group = file.variable("respondent_group");
  EXPECT_TRUE(group.is_string);
  EXPECT_EQ(file.value(0, "respondent_group").text, "hdnd");
  EXPECT_EQ(file.value(1, "target_unit").text, "Huyện Sóc Sơn");
  EXPECT_EQ(file.value(0, "p8_1").number, 9);
  EXPECT_TRUE(file.value(1, "p8_1").missing);
  const Json form = form_json("forms/par-officials.json");
  EXPECT_EQ(file.number_labels.at(file.variable("p8_1").label_set).at(9),
            labels_json(form, "p8_1", "vi").at("9"));
  if (GetParam() == r::ResponsesFormat::Sav) {
    // SPSS labels string values; Stata labels numbers only.
    ASSERT_FALSE(group.label_set.empty());
    std::map<std::string, std::string> read(file.string_labels.at(group.label_set).begin(),
                                            file.string_labels.at(group.label_set).end());
    EXPECT_EQ(read, labels_json(form, "respondent_group", "vi"));
  } else {
    EXPECT_TRUE(group.label_set.empty());
  }
}

TEST_P(StatExportTest, LongTexts) {
  // 700 Vietnamese characters of 3 bytes (2100 bytes): past SPSS's 255-byte
  // short string (a very long string keeps it whole) and past Stata's 2045-byte
  // str (cut to 681 characters, 2043 bytes, and reported).
  sipas::test::TempDir dir;
  std::string long_text;
  for (int i = 0; i < 700; ++i)
    long_text += "ệ";
  Table t = citizen_answers();
  t.rows[1][t.column("q11")] = long_text;
  t.write(dir / "responses.csv");
  r::ResponsesExport request;
  request.questionnaire = form_path("forms/sipas-citizen.json");
  request.data = dir / "responses.csv";
  request.out = dir / ("out." + extension());
  request.format = GetParam();
  const auto summary = r::export_responses(request);
  const auto file = sipas::test::read_stat_file(request.out);
  if (sav()) {
    EXPECT_EQ(file.value(1, "q11").text, long_text);
    EXPECT_TRUE(summary.cut_values.empty());
  } else {
    std::string cut;
    for (int i = 0; i < 681; ++i)
      cut += "ệ";
    EXPECT_EQ(file.value(1, "q11").text, cut);
    EXPECT_EQ(summary.cut_values, (std::map<std::string, std::size_t>{{"q11", 1}}));
  }
  EXPECT_EQ(file.value(0, "q11").text, t.cell(0, "q11"));
  EXPECT_EQ(file.value(2, "q11").text, t.cell(2, "q11"));
}

TEST_P(StatExportTest, NamesThatCollideAfterCleaningAreAnError) {
  sipas::test::TempDir dir;
  Table t;
  t.header = {"respondent_id", "district-name", "district_name", "a_sex"};
  t.rows = {{"R1", "a", "b", "1"}};
  t.write(dir / "responses.csv");
  r::ResponsesExport request;
  request.questionnaire = form_path("forms/sipas-citizen.json");
  request.data = dir / "responses.csv";
  request.out = dir / ("out." + extension());
  request.format = GetParam();
  request.columns.keep = {"district-name", "district_name"};
  try {
    r::export_responses(request);
    FAIL() << "expected export.name_collision";
  } catch (const r::ReportError& e) {
    EXPECT_EQ(e.id(), "export.name_collision");
    EXPECT_THAT(e.what(), HasSubstr("'district-name' and 'district_name'"));
  }
  EXPECT_FALSE(std::filesystem::exists(request.out));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);  // only the input: no temporary left behind
}

// Simulated answers to every item of three real forms (questionnaires'
// simulated_answers.cpp), with a contact column carried along from the sample:
// every value of the .sav and .dta files against the CSV, with the kind of
// every column decided here from the questionnaire JSON.
TEST_P(StatExportTest, SimulatedAnswersToRealFormsRoundTrip) {
  for (const std::string form_name : {"forms/sipas-citizen.json", "forms/par-officials.json",
                                      "examples/example-questionnaire.json"}) {
    SCOPED_TRACE(form_name);
    sipas::test::TempDir dir;
    {
      std::ofstream sample(dir / "sample.csv");
      sample << "id,stratum,psu,design_weight,role,district,mobile\n";
      const char* districts[] = {"Ba Đình", "Sóc Sơn", "Đông Anh"};
      for (int i = 0; i < 40; ++i) {
        sample << "U" << 100 + i << ",S" << i % 2 << ",P" << i % 6 << "," << 10 + i * 0.5 << ","
               << (i % 10 == 9 ? "reserve" : "main") << "," << districts[i % 3] << ",09"
               << 10000000 + i * 7919 << "\n";
      }
    }
    const auto questionnaire = sipas::questionnaires::load_questionnaire_file(form_path(form_name));
    sipas::questionnaires::SimulatedAnswersOptions options;
    options.seed = 11;
    options.response_rate = 0.9;
    options.carry = {"district", "mobile"};
    sipas::questionnaires::write_simulated_answers(questionnaire, dir / "sample.csv",
                                                   dir / "answers.csv", options);
    // The answers, read here.
    Table input;
    {
      sipas::io::CsvReader reader(dir / "answers.csv");
      input.header = reader.header();
      while (reader.next()) {
        std::vector<std::string> row;
        for (auto field : reader.fields())
          row.emplace_back(field);
        input.rows.push_back(row);
      }
    }
    ASSERT_GT(input.rows.size(), 20u);
    r::ResponsesExport request;
    request.questionnaire = form_path(form_name);
    request.data = dir / "answers.csv";
    request.out = dir / ("out." + extension());
    request.format = GetParam();
    request.columns.keep = {"district"};
    const auto summary = r::export_responses(request);
    EXPECT_TRUE(summary.cut_values.empty());
    const auto file = sipas::test::read_stat_file(request.out);
    ASSERT_EQ(file.rows.size(), input.rows.size());
    EXPECT_EQ(file.index("mobile"), -1);

    const Json form = form_json(form_name);
    std::vector<std::string> expected_names;
    std::size_t checked = 0;
    for (const auto& column : input.header) {
      if (column == "mobile") continue;
      std::string type = "text";  // id, stratum, psu, district
      Json item;
      if (column == "design_weight") {
        type = "number";
      } else if (column != "id" && column != "stratum" && column != "psu" && column != "district") {
        item = item_json(form, column);
        type = item.contains("type") ? item["type"].get<std::string>() : "likert";  // a row
      }
      if (type == "multiple") {
        const auto labels = labels_json(form, column, "vi");
        for (const auto& [code, label] : labels) {
          const std::string name = column + "_" + code;
          expected_names.push_back(name);
          for (std::size_t row = 0; row < input.rows.size(); ++row) {
            const auto& cell = input.cell(row, column);
            const auto& v = file.value(row, name);
            if (cell.empty()) {
              EXPECT_TRUE(v.missing);
              continue;
            }
            const bool selected = (" " + cell + " ").find(" " + code + " ") != std::string::npos;
            EXPECT_EQ(v.number, selected ? 1 : 0) << name << " row " << row << ": " << cell;
            ++checked;
          }
        }
        continue;
      }
      expected_names.push_back(column);
      bool number = type == "number" || type == "integer" || type == "decimal" || type == "rating";
      if (type == "single" || type == "likert") {
        // Integer codes are numbers; a likert item without choices (points 1..N) too.
        const auto labels = labels_json(form, column, "vi");
        number = std::all_of(labels.begin(), labels.end(), [](const auto& l) {
          return std::all_of(l.first.begin(), l.first.end(), ::isdigit);
        });
      }
      for (std::size_t row = 0; row < input.rows.size(); ++row) {
        const auto& cell = input.cell(row, column);
        const auto& v = file.value(row, column);
        if (number) {
          ASSERT_FALSE(v.is_string) << column;
          EXPECT_EQ(v.missing, cell.empty()) << column << " row " << row;
          if (!cell.empty()) {
            EXPECT_EQ(v.number, std::stod(cell)) << column << " row " << row;
          }
        } else {
          ASSERT_TRUE(v.is_string) << column;
          EXPECT_EQ(v.text, cell) << column << " row " << row;
        }
        ++checked;
      }
    }
    EXPECT_EQ(file.names(), expected_names);
    EXPECT_GT(checked, 500u);
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, StatExportTest,
                         ::testing::Values(r::ResponsesFormat::Sav, r::ResponsesFormat::Dta),
                         [](const auto& test_info) {
                           return test_info.param == r::ResponsesFormat::Sav ? "sav" : "dta";
                         });

// Reads a CSV written by the export with the io reader.
Table read_csv(const std::filesystem::path& path) {
  sipas::io::CsvReader reader(path);
  Table t;
  t.header = reader.header();
  while (reader.next()) {
    std::vector<std::string> row;
    for (auto field : reader.fields())
      row.emplace_back(field);
    t.rows.push_back(row);
  }
  return t;
}

TEST(CsvExportTest, CodesAreCopiedForTheWhitelistOnly) {
  sipas::test::TempDir dir;
  auto request = citizen_request(dir, r::ResponsesFormat::Csv, "out.csv");
  r::export_responses(request);
  const Table out = read_csv(request.out);
  EXPECT_THAT(out.header, ElementsAreArray(citizen_exported));
  const Table input = citizen_answers();
  ASSERT_EQ(out.rows.size(), input.rows.size());
  for (std::size_t row = 0; row < input.rows.size(); ++row) {
    for (const auto& name : citizen_exported)
      EXPECT_EQ(out.cell(row, name), input.cell(row, name)) << name;
  }
  const std::string text = sipas::io::read_file(request.out, 1 << 20);
  for (const char* contact : {"0912345678", "an@example.vn", "Nguyễn Văn An", "call back"})
    EXPECT_THAT(text, ::testing::Not(HasSubstr(contact)));
}

TEST(CsvExportTest, LabelsReplaceCodesInTheChosenLanguage) {
  for (const std::string language : {"vi", "en"}) {
    sipas::test::TempDir dir;
    auto request = citizen_request(dir, r::ResponsesFormat::Csv, "out.csv");
    request.labels = r::parse_language(language);
    r::export_responses(request);
    const Table out = read_csv(request.out);
    EXPECT_THAT(out.header, ElementsAreArray(citizen_exported));
    const Json form = form_json("forms/sipas-citizen.json");
    const Table input = citizen_answers();
    for (std::size_t row = 0; row < input.rows.size(); ++row) {
      for (const char* id :
           {"a_sex", "a_age", "a_ethnic", "q1_1", "q1_2", "q2", "q9_01", "q_overall"}) {
        const auto& code = input.cell(row, id);
        const auto expected = code.empty() ? "" : labels_json(form, id, language).at(code);
        EXPECT_EQ(out.cell(row, id), expected) << id << " row " << row;
      }
      for (const char* same : {"q11", "a_ethnic_other", "design_weight", "stratum", "repw2"})
        EXPECT_EQ(out.cell(row, same), input.cell(row, same));
    }
  }
  // A hand check of one cell: row 1 answered a_sex = 1, "Nam" in Vietnamese.
  sipas::test::TempDir dir;
  auto request = citizen_request(dir, r::ResponsesFormat::Csv, "out.csv");
  request.labels = r::Language::Vi;
  r::export_responses(request);
  EXPECT_EQ(read_csv(request.out).cell(0, "a_sex"), "Nam");
}

TEST(CsvExportTest, MultipleChoiceLabelsAreJoined) {
  sipas::test::TempDir dir;
  Table t;
  t.header = {"respondent_id", "channels"};
  t.rows = {{"A1", "1 3"}, {"A2", ""}};
  t.write(dir / "answers.csv");
  r::ResponsesExport request;
  request.questionnaire = form_path("examples/example-questionnaire.json");
  request.data = dir / "answers.csv";
  request.out = dir / "out.csv";
  request.labels = r::Language::En;
  r::export_responses(request);
  const Table out = read_csv(request.out);
  const auto labels =
      labels_json(form_json("examples/example-questionnaire.json"), "channels", "en");
  EXPECT_EQ(out.cell(0, "channels"), labels.at("1") + "; " + labels.at("3"));
  EXPECT_EQ(out.cell(1, "channels"), "");
}

// An error: its id, a message with `expected`, and nothing written.
void expect_error(const r::ResponsesExport& request, const std::string& id,
                  const std::string& expected) {
  try {
    r::export_responses(request);
    ADD_FAILURE() << "expected " << id;
  } catch (const sipas::Error& e) {
    EXPECT_EQ(e.id(), id) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(expected));
  }
  EXPECT_FALSE(std::filesystem::exists(request.out)) << request.out;
}

TEST(ExportErrorsTest, UnknownCodeNamesFileLineAndColumn) {
  for (auto format : {r::ResponsesFormat::Csv, r::ResponsesFormat::Sav, r::ResponsesFormat::Dta}) {
    sipas::test::TempDir dir;
    auto request = citizen_request(dir, format, "out.bin");
    Table t = citizen_answers();
    t.rows[2][t.column("q9_01")] = "7";  // sat5 has codes 1-5
    t.write(request.data);
    // The third row starts on line 4 (the rows before it have no line breaks in their cells).
    expect_error(
        request, "export.unknown_code",
        "responses.csv:4:" + std::to_string(t.column("q9_01") + 1) +
            ": column 'q9_01': '7' is not a code of item q9_01 (its codes: 1, 2, 3, 4, 5, 9)");
  }
}

TEST(ExportErrorsTest, OtherBadInputs) {
  sipas::test::TempDir dir;
  auto request = citizen_request(dir, r::ResponsesFormat::Sav, "out.sav");
  {
    Table t = citizen_answers();
    t.rows[0][t.column("design_weight")] = "fifty";
    t.write(request.data);
    expect_error(request, "export.invalid_number",
                 "responses.csv:2:" + std::to_string(t.column("design_weight") + 1) +
                     ": column 'design_weight': 'fifty' is not a number");
  }
  {
    Table t = citizen_answers();
    t.rows[1][t.column("q2")] = "1 2";  // two codes for a single choice
    t.write(request.data);
    expect_error(request, "export.unknown_code", "'1 2' is not a code of item q2");
  }
  citizen_answers().write(request.data);
  auto keep = request;
  keep.columns.keep = {"ward"};
  expect_error(keep, "export.unknown_column", "--keep names column 'ward'");
  auto replicates = request;
  replicates.columns.repweights_prefix = "bootrep";
  expect_error(replicates, "export.unknown_column",
               "--repweights bootrep: no column is named bootrep followed by digits");
  auto wrong = request;
  wrong.questionnaire = form_path("forms/par-officials.json");
  expect_error(wrong, "export.no_items", "no column is an item of questionnaire 'par-officials'");
  auto missing = request;
  missing.data = dir / "nothing.csv";
  expect_error(missing, "io.not_found", "nothing.csv");
  try {
    r::parse_responses_format("xlsx");
    ADD_FAILURE();
  } catch (const r::ReportError& e) {
    EXPECT_EQ(e.id(), "export.unknown_format");
  }
}

TEST(ExportErrorsTest, AFailedExportLeavesTheOldFile) {
  sipas::test::TempDir dir;
  auto request = citizen_request(dir, r::ResponsesFormat::Dta, "out.dta");
  r::export_responses(request);
  const auto before = sipas::io::read_file(request.out, 1 << 20);
  Table t = citizen_answers();
  t.rows[0][t.column("a_sex")] = "3";
  t.write(request.data);
  EXPECT_THROW(r::export_responses(request), r::ReportError);
  EXPECT_EQ(sipas::io::read_file(request.out, 1 << 20), before);
}

}  // namespace
