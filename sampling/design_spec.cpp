#include "sampling/design_spec.hpp"

#include <nlohmann/json.hpp>

#include "io/file.hpp"
#include "sampling/error.hpp"

namespace sipas::sampling {
namespace {

using Json = nlohmann::json;

constexpr std::size_t max_design_bytes = 1 << 20;
constexpr std::size_t max_stages = 8;

[[noreturn]] void fail(const std::string& source, const std::string& path,
                       const std::string& message) {
  throw SamplingError("design.invalid", source + ": " + path + ": " + message);
}

void check_keys(const Json& object, const std::string& source, const std::string& path,
                std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const char* a : allowed)
      known |= key == a;
    if (!known) fail(source, path + "/" + key, "unknown field '" + key + "'");
  }
}

std::int64_t sample_count(const Json& v, const std::string& source, const std::string& path) {
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0) {
    fail(source, path, "must be a whole number >= 0");
  }
  return v.get<std::int64_t>();
}

}  // namespace

std::optional<SelectionMethod> selection_method_from_string(const std::string& name) {
  if (name == "srs") return SelectionMethod::Srs;
  if (name == "systematic") return SelectionMethod::Systematic;
  if (name == "pps-systematic") return SelectionMethod::PpsSystematic;
  if (name == "pps") return SelectionMethod::Pps;
  return std::nullopt;
}

std::string to_string(SelectionMethod method) {
  switch (method) {
    case SelectionMethod::Srs:
      return "srs";
    case SelectionMethod::Systematic:
      return "systematic";
    case SelectionMethod::PpsSystematic:
      return "pps-systematic";
    case SelectionMethod::Pps:
      return "pps";
  }
  return "";
}

DesignSpec load_design_spec(const std::filesystem::path& path) {
  return parse_design_spec(io::read_file(path, max_design_bytes), path.filename().string());
}

DesignSpec parse_design_spec(const std::string& json_text, const std::string& source) {
  Json doc;
  try {
    doc = Json::parse(json_text);
  } catch (const Json::parse_error& e) {
    throw SamplingError("design.invalid",
                        source + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const Json::out_of_range& e) {
    // A number past a double's range (1e400) is not a parse_error.
    const std::string what = e.what();
    throw SamplingError("design.invalid",
                        source + ": not valid JSON (" + what.substr(what.find(']') + 2) + ")");
  }
  if (!doc.is_object()) fail(source, "/", "a design must be a JSON object");
  check_keys(doc, source, "", {"format", "strata", "stages"});
  if (doc.value("format", "") != "sipas-design/1") {
    fail(source, "/format", "must be \"sipas-design/1\"");
  }
  DesignSpec spec;
  if (doc.contains("strata")) {
    const auto& strata = doc["strata"];
    if (!strata.is_array()) fail(source, "/strata", "must be an array of column names");
    for (const auto& s : strata) {
      if (!s.is_string() || s.get<std::string>().empty()) {
        fail(source, "/strata", "must be an array of column names");
      }
      spec.strata.push_back(s.get<std::string>());
    }
  }
  auto stages = doc.find("stages");
  if (stages == doc.end() || !stages->is_array() || stages->empty() ||
      stages->size() > max_stages) {
    fail(source, "/stages", "must be an array of 1 to " + std::to_string(max_stages) + " stages");
  }
  for (std::size_t i = 0; i < stages->size(); ++i) {
    const auto& s = (*stages)[i];
    const std::string path = "/stages/" + std::to_string(i);
    const bool last = i + 1 == stages->size();
    if (!s.is_object()) fail(source, path, "a stage must be an object");
    check_keys(s, source, path,
               {"unit", "method", "n", "n_per_stratum", "size", "certainty", "reserve"});
    Stage stage;
    if (s.contains("unit")) {
      if (!s["unit"].is_string() || s["unit"].get<std::string>().empty()) {
        fail(source, path + "/unit", "must be a column name");
      }
      stage.unit = s["unit"].get<std::string>();
    }
    if (last && !stage.unit.empty()) {
      fail(source, path + "/unit", "the last stage selects frame rows: leave out 'unit'");
    }
    if (!last && stage.unit.empty())
      fail(source, path + "/unit", "every stage but the last needs a 'unit' column");
    auto method = selection_method_from_string(s.value("method", "srs"));
    if (!method) fail(source, path + "/method", "must be srs, systematic, pps-systematic or pps");
    stage.method = *method;
    if (!s.contains("n")) fail(source, path + "/n", "is required");
    stage.n = sample_count(s["n"], source, path + "/n");
    if (s.contains("n_per_stratum")) {
      if (i != 0) fail(source, path + "/n_per_stratum", "is allowed on the first stage only");
      if (!s["n_per_stratum"].is_object())
        fail(source, path + "/n_per_stratum", "must be {stratum: n}");
      for (const auto& [key, value] : s["n_per_stratum"].items()) {
        stage.n_per_stratum[key] = sample_count(value, source, path + "/n_per_stratum/" + key);
      }
    }
    if (s.contains("size")) {
      const auto& size = s["size"];
      if (size == "rows") {
        stage.size.kind = SizeMeasure::Kind::Rows;
      } else if (size.is_object() && size.size() == 1 &&
                 (size.contains("sum") || size.contains("value")) && size.begin()->is_string()) {
        stage.size.kind = size.contains("sum") ? SizeMeasure::Kind::Sum : SizeMeasure::Kind::Value;
        stage.size.column = size.begin()->get<std::string>();
      } else {
        fail(source, path + "/size", "must be \"rows\", {\"sum\": column} or {\"value\": column}");
      }
      if (last)
        fail(source, path + "/size", "the last stage selects rows by SRS or systematic sampling");
    }
    if (s.contains("certainty")) {
      const auto& c = s["certainty"];
      if (!c.is_object() || !c.contains("column") || !c["column"].is_string() ||
          !c.contains("values") || !c["values"].is_array() || c["values"].empty()) {
        fail(source, path + "/certainty", "must be {\"column\": name, \"values\": [...]}");
      }
      check_keys(c, source, path + "/certainty", {"column", "values"});
      stage.certainty_column = c["column"].get<std::string>();
      for (const auto& v : c["values"]) {
        if (!v.is_string()) fail(source, path + "/certainty/values", "values must be strings");
        stage.certainty_values.push_back(v.get<std::string>());
      }
      if (last) fail(source, path + "/certainty", "certainty applies to stage units, not to rows");
    }
    if (s.contains("reserve")) {
      if (!last) fail(source, path + "/reserve", "reserves are drawn at the last stage only");
      stage.reserve = sample_count(s["reserve"], source, path + "/reserve");
    }
    if (last &&
        (stage.method == SelectionMethod::Pps || stage.method == SelectionMethod::PpsSystematic)) {
      fail(source, path + "/method", "the last stage selects rows by srs or systematic");
    }
    spec.stages.push_back(std::move(stage));
  }
  return spec;
}

}  // namespace sipas::sampling
