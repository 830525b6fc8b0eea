#include "app/response_export.hpp"

#include <charconv>

#include "app/clock.hpp"
#include "io/csv_writer.hpp"
#include "io/number_text.hpp"

namespace sipas::app {

namespace {

using Json = nlohmann::json;

std::string cell(const Json& value) {
  if (value.is_null()) return {};
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string out;
    for (const auto& v : value) {
      if (!out.empty()) out += ' ';
      out += cell(v);
    }
    return out;
  }
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number()) return io::shortest_decimal(value.get<double>());
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

}  // namespace

std::string_view channel_of(const store::ExportedResponse& row) {
  return row.open_link ? "open_link" : "invitation";
}

std::string responses_csv(const questionnaires::Questionnaire& questionnaire,
                          const std::vector<store::ExportedResponse>& rows,
                          const io::CsvWriterOptions& csv) {
  std::vector<std::string> attributes;
  for (const auto& row : rows) {
    for (const auto& [name, value] : row.attributes) {
      if (std::find(attributes.begin(), attributes.end(), name) == attributes.end())
        attributes.push_back(name);
    }
  }
  std::vector<const questionnaires::Item*> items;
  for (const auto& item : questionnaire.items()) {
    if (item.answerable()) items.push_back(&item);
  }
  std::vector<std::string> header = {"seq",           "submission_id", "received_at",
                                     "review",        "channel",       "respondent_id",
                                     "stratum",       "psu",           "inclusion_probability",
                                     "design_weight", "language"};
  // An attribute named like a column already written (e.g. the respondent
  // group an invitation preloads, which the respondent then answers) is left
  // out: the answer is what the respondent confirmed, and a CSV column name
  // must be unique.
  std::erase_if(attributes, [&](const std::string& name) {
    return std::find(header.begin(), header.end(), name) != header.end() ||
           std::any_of(items.begin(), items.end(),
                       [&](const questionnaires::Item* item) { return item->id == name; });
  });
  for (const auto& a : attributes)
    header.push_back(a);
  for (const auto* item : items)
    header.push_back(item->id);
  std::string out;
  std::vector<std::string_view> views(header.begin(), header.end());
  io::append_csv_row(out, views, csv);
  std::vector<std::string> cells;
  for (const auto& row : rows) {
    cells = {std::to_string(row.seq),
             row.submission_id,
             iso_time(row.received_at),
             std::string(store::to_string(row.review)),
             std::string(channel_of(row)),
             row.respondent_id.value_or(""),
             row.stratum.value_or(""),
             row.psu.value_or(""),
             row.inclusion_probability ? io::shortest_decimal(*row.inclusion_probability) : "",
             row.design_weight ? io::shortest_decimal(*row.design_weight) : "",
             row.language};
    for (const auto& a : attributes) {
      std::string value;
      for (const auto& [name, v] : row.attributes) {
        if (name == a) value = v;
      }
      cells.push_back(std::move(value));
    }
    const Json document = Json::parse(row.answers_json, nullptr, false);
    const Json* answers =
        document.is_object() && document.contains("answers") ? &document["answers"] : nullptr;
    for (const auto* item : items) {
      auto it = answers ? answers->find(item->id) : Json::const_iterator();
      cells.push_back(answers && it != answers->end() ? cell(*it) : std::string());
    }
    views.assign(cells.begin(), cells.end());
    io::append_csv_row(out, views, csv);
  }
  return out;
}

Json responses_json(const std::vector<store::ExportedResponse>& rows, std::int64_t since) {
  Json list = Json::array();
  std::int64_t next = since;
  for (const auto& row : rows) {
    Json r = {{"seq", row.seq},
              {"submission_id", row.submission_id},
              {"received_at", iso_time(row.received_at)},
              {"review", store::to_string(row.review)},
              {"channel", channel_of(row)},
              {"language", row.language},
              {"respondent_id", nullptr},
              {"stratum", nullptr},
              {"psu", nullptr},
              {"inclusion_probability", nullptr},
              {"design_weight", nullptr}};
    if (row.respondent_id) r["respondent_id"] = *row.respondent_id;
    if (row.stratum) r["stratum"] = *row.stratum;
    if (row.psu) r["psu"] = *row.psu;
    if (row.inclusion_probability) r["inclusion_probability"] = *row.inclusion_probability;
    if (row.design_weight) r["design_weight"] = *row.design_weight;
    Json attributes = Json::object();
    for (const auto& [name, value] : row.attributes)
      attributes[name] = value;
    r["attributes"] = attributes;
    const Json document = Json::parse(row.answers_json, nullptr, false);
    r["answers"] =
        document.is_object() && document.contains("answers") ? document["answers"] : Json::object();
    list.push_back(std::move(r));
    next = std::max(next, row.seq);
  }
  return {{"responses", list}, {"next_since", next}};
}

}  // namespace sipas::app
