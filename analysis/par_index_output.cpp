// par-index.json and par-index.csv: what the report and the demo read.

#include <cmath>

#include "analysis/par_index.hpp"
#include "io/csv_writer.hpp"
#include "io/number_text.hpp"

namespace sipas::analysis {
namespace {

using Json = nlohmann::ordered_json;

Json number_or_null(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

Json text_json(const LocalText& t) {
  return Json{{"vi", t.vi}, {"en", t.en}};
}

Json record_json(const InputRecord& r) {
  return Json{{"path", r.path}, {"sha256", r.sha256}};
}

Json score_json(const NodeScore& s) {
  return Json{
      {"points", s.points}, {"max_points", s.max_points}, {"index", number_or_null(s.index())}};
}

// An index where nothing applies (NaN) is an empty cell.
std::string number_text(double x) {
  return std::isfinite(x) ? io::shortest_decimal(x) : "";
}

}  // namespace

Json par_index_json(const ParIndexResult& r) {
  const IndexScheme& s = r.scheme;
  Json thresholds = Json::array();
  for (const auto& t : r.thresholds)
    thresholds.push_back(Json{{"group", t.group}, {"min", t.min}});
  Json survey = Json::array();
  for (const auto& f : r.survey_files)
    survey.push_back(record_json(f));
  Json nodes = Json::array();
  for (const auto& n : s.nodes) {
    nodes.push_back(Json{
        {"id", n.id},
        {"parent", n.parent == IndexNode::no_parent ? Json(nullptr) : Json(s.nodes[n.parent].id)},
        {"depth", n.depth},
        {"label", text_json(n.label)},
        {"max_points", n.max_points},
        {"method", n.leaf() ? Json(to_string(n.method)) : Json(nullptr)}});
  }
  Json units = Json::array();
  for (const auto& u : r.units) {
    Json node_scores = Json::object();
    for (std::size_t k = 0; k < s.nodes.size(); ++k)
      node_scores[s.nodes[k].id] = score_json(u.nodes[k]);
    units.push_back(Json{{"unit", u.unit.id},
                         {"name", u.unit.name},
                         {"ranked", u.unit.ranked},
                         {"points", u.total.points},
                         {"max_points", u.total.max_points},
                         {"index", number_or_null(u.total.index())},
                         {"rank", u.rank ? Json(*u.rank) : Json(nullptr)},
                         {"group", u.group ? Json(*u.group) : Json(nullptr)},
                         {"rescaled", u.rescaled},
                         {"survey_missing", u.survey_missing},
                         {"nodes", node_scores}});
  }
  return Json{{"format", "sipas-par-index-result/1"},
              {"scheme",
               {{"id", s.id},
                {"decision", s.decision},
                {"year", s.year},
                {"level", s.level},
                {"title", text_json(s.title)},
                {"survey_max", s.survey_max()}}},
              {"thresholds", thresholds},
              {"precision", r.precision},
              {"inputs",
               {{"scheme", record_json(r.scheme_file)},
                {"appraisal", record_json(r.appraisal_file)},
                {"units", r.units_file ? record_json(*r.units_file) : Json(nullptr)},
                {"survey", survey}}},
              {"command_line", r.command_line},
              {"nodes", nodes},
              {"units", units}};
}

std::string par_index_csv(const ParIndexResult& r, const io::CsvWriterOptions& csv) {
  std::vector<std::string> header = {"unit", "name",  "points",   "max_points",    "index",
                                     "rank", "group", "rescaled", "survey_missing"};
  std::vector<std::size_t> areas;
  for (std::size_t k = 0; k < r.scheme.nodes.size(); ++k) {
    if (r.scheme.nodes[k].depth == 0) {
      areas.push_back(k);
      header.push_back("index_" + r.scheme.nodes[k].id);
    }
  }
  std::string out;
  auto row = [&out, &csv](const std::vector<std::string>& fields) {
    std::vector<std::string_view> views(fields.begin(), fields.end());
    io::append_csv_row(out, views, csv);
  };
  row(header);
  for (const auto& u : r.units) {
    std::string missing;
    for (const auto& id : u.survey_missing)
      missing += (missing.empty() ? "" : ";") + id;
    std::vector<std::string> fields = {u.unit.id,
                                       u.unit.name,
                                       number_text(u.total.points),
                                       number_text(u.total.max_points),
                                       number_text(u.total.index()),
                                       u.rank ? std::to_string(*u.rank) : "",
                                       u.group.value_or(""),
                                       u.rescaled ? "true" : "false",
                                       missing};
    for (std::size_t k : areas)
      fields.push_back(number_text(u.nodes[k].index()));
    row(fields);
  }
  return out;
}

}  // namespace sipas::analysis
