#include "analysis/par_index_scheme.hpp"

#include <charconv>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "analysis/error.hpp"
#include "io/file.hpp"
#include "io/number_text.hpp"

namespace sipas::analysis {
namespace {

using Json = nlohmann::json;

constexpr std::size_t max_scheme_bytes = 4 << 20;
// A real tree has 3 levels (area, criterion, sub-criterion); the limit keeps
// a hostile file from recursing deep.
constexpr int max_depth = 16;
// Maxima are sums of decimals such as 0.25 or 2.25 written in the file.
constexpr double sum_tolerance = 1e-9;
constexpr int min_year = 1900, max_year = 2200;

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string at_index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

bool is_number(const Json& v) {
  return v.is_number() && std::isfinite(v.get<double>());
}

// The thresholds rules shared by the scheme file and --thresholds; `fail`
// names the offending entry.
void check_thresholds(const std::vector<GroupThreshold>& thresholds,
                      const std::function<void(std::size_t, const std::string&)>& fail) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    const auto& t = thresholds[i];
    if (t.group.empty()) fail(i, "a group needs a name");
    if (!names.insert(t.group).second) fail(i, "group '" + t.group + "' appears twice");
    if (!(t.min >= 0 && t.min <= 100)) fail(i, "min must be between 0 and 100");
    if (i > 0 && !(t.min < thresholds[i - 1].min)) {
      fail(i, "minima must decrease: " + io::shortest_decimal(t.min) + " is not below " +
                  io::shortest_decimal(thresholds[i - 1].min));
    }
  }
}

class SchemeParser {
 public:
  explicit SchemeParser(std::string source) : source_(std::move(source)) {}

  IndexScheme parse(const std::string& text) {
    Json doc;
    try {
      doc = Json::parse(text);
    } catch (const Json::parse_error& e) {
      throw AnalysisError("scheme.invalid",
                          source_ + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
    } catch (const Json::out_of_range& e) {
      // A number past a double's range (1e400) is not a parse_error.
      const std::string what = e.what();
      throw AnalysisError("scheme.invalid",
                          source_ + ": not valid JSON (" + what.substr(what.find(']') + 2) + ")");
    }
    if (!doc.is_object()) fail("(top)", "a scheme must be a JSON object");
    only(doc, "",
         {"format", "id", "decision", "year", "level", "title", "notes", "survey", "thresholds",
          "precision", "areas"});
    if (!doc.contains("format") || doc["format"] != index_scheme_format)
      fail("format", "must be \"" + std::string(index_scheme_format) + "\"");
    IndexScheme s;
    s.id = text_field(doc, "", "id");
    s.decision = text_field(doc, "", "decision");
    if (!doc.contains("year") || !doc["year"].is_number_integer() ||
        doc["year"].get<long long>() < min_year || doc["year"].get<long long>() > max_year) {
      fail("year", "must be a year such as 2022");
    }
    s.year = static_cast<int>(doc["year"].get<long long>());
    s.level = text_field(doc, "", "level");
    if (s.level != "province" && s.level != "ministry")
      fail("level", "must be \"province\" or \"ministry\"");
    s.title = local_text(doc, "", "title");
    if (doc.contains("notes")) {
      if (!doc["notes"].is_array()) fail("notes", "must be an array of texts");
      for (std::size_t i = 0; i < doc["notes"].size(); ++i) {
        if (!doc["notes"][i].is_string()) fail(at_index("notes", i), "must be a text");
        s.notes.push_back(doc["notes"][i].get<std::string>());
      }
    }
    if (doc.contains("survey")) {
      const Json& survey = doc["survey"];
      if (!survey.is_object()) fail("survey", "must be an object");
      only(survey, "survey",
           {"unit_column", "group_column", "group_weights", "conversion", "excluded_codes"});
      parse_survey_settings(survey, SchemePath::dotted("survey"), source_, s.survey);
    }
    s.thresholds = thresholds(doc);
    if (doc.contains("precision")) {
      const Json& p = doc["precision"];
      if (!p.is_number_integer() || p.get<long long>() < 0 || p.get<long long>() > max_precision)
        fail("precision",
             "must be a whole number of decimals from 0 to " + std::to_string(max_precision));
      s.precision = static_cast<int>(p.get<long long>());
    }
    if (!doc.contains("areas") || !doc["areas"].is_array() || doc["areas"].empty())
      fail("areas", "must be a non-empty array of areas");
    for (std::size_t i = 0; i < doc["areas"].size(); ++i)
      node(doc["areas"][i], at_index("areas", i), IndexNode::no_parent, 0, s);
    for (std::size_t k = 0; k < s.nodes.size(); ++k) {
      const IndexNode& n = s.nodes[k];
      if (n.method != IndexNode::Method::Survey) continue;
      for (const auto& g : n.groups) {
        if (!s.survey.group_weights.empty() && !s.survey.group_weights.contains(g)) {
          fail(join(paths_[k], "groups"),
               "group '" + g + "' has no weight in survey.group_weights");
        }
      }
      s.survey.criteria.push_back({n.id, n.label.en, n.max_points, n.items, n.groups});
    }
    return s;
  }

 private:
  [[noreturn]] void fail(const std::string& path, const std::string& why) const {
    throw AnalysisError("scheme.invalid", source_ + ": " + path + ": " + why);
  }

  void only(const Json& object, const std::string& path,
            std::initializer_list<const char*> allowed) const {
    for (const auto& [key, value] : object.items()) {
      bool known = false;
      for (const char* a : allowed)
        known = known || key == a;
      if (!known) fail(join(path, key), "unknown field");
    }
  }

  std::string text_field(const Json& object, const std::string& path, const char* key) const {
    if (!object.contains(key) || !object[key].is_string() || object[key].get<std::string>().empty())
      fail(join(path, key), "must be a non-empty text");
    return object[key].get<std::string>();
  }

  LocalText local_text(const Json& object, const std::string& path, const char* key) const {
    const std::string here = join(path, key);
    if (!object.contains(key) || !object[key].is_object())
      fail(here, "must be {\"vi\": \"...\", \"en\": \"...\"}");
    only(object[key], here, {"vi", "en"});
    return {text_field(object[key], here, "vi"), text_field(object[key], here, "en")};
  }

  std::vector<std::string> names(const Json& object, const std::string& path, const char* key,
                                 bool required) const {
    const std::string here = join(path, key);
    std::vector<std::string> out;
    if (!object.contains(key)) {
      if (required) fail(here, "must name at least one");
      return out;
    }
    const Json& list = object[key];
    if (!list.is_array() || (required && list.empty())) fail(here, "must be a non-empty array");
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_string() || list[i].get<std::string>().empty())
        fail(at_index(here, i), "must be a non-empty text");
      out.push_back(list[i].get<std::string>());
    }
    return out;
  }

  std::vector<GroupThreshold> thresholds(const Json& doc) const {
    if (!doc.contains("thresholds")) return default_thresholds();
    const Json& list = doc["thresholds"];
    if (!list.is_array()) fail("thresholds", "must be an array of {group, min}");
    std::vector<GroupThreshold> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string here = at_index("thresholds", i);
      if (!list[i].is_object()) fail(here, "must be {\"group\": \"A\", \"min\": 90}");
      only(list[i], here, {"group", "min"});
      GroupThreshold t;
      t.group = text_field(list[i], here, "group");
      if (!list[i].contains("min") || !is_number(list[i]["min"]))
        fail(join(here, "min"), "must be a number");
      t.min = list[i]["min"].get<double>();
      out.push_back(t);
    }
    check_thresholds(
        out, [&](std::size_t i, const std::string& why) { fail(at_index("thresholds", i), why); });
    return out;
  }

  // Parses one node and its subtree into s.nodes (pre-order); returns its index.
  std::size_t node(const Json& v, const std::string& path, std::size_t parent, int depth,
                   IndexScheme& s) {
    if (depth >= max_depth)
      fail(path, "the tree is nested deeper than " + std::to_string(max_depth) + " levels");
    if (!v.is_object()) fail(path, "must be an object");
    only(v, path,
         {"id", "label", "max_points", "method", "children", "items", "groups", "statistic",
          "variable", "domain_columns", "note"});
    IndexNode n;
    n.id = text_field(v, path, "id");
    if (auto [it, fresh] = first_path_.emplace(n.id, join(path, "id")); !fresh)
      fail(join(path, "id"), "'" + n.id + "' appears twice (first at " + it->second + ")");
    n.label = local_text(v, path, "label");
    if (v.contains("note") && !v["note"].is_string()) fail(join(path, "note"), "must be a text");
    n.parent = parent;
    n.depth = depth;
    std::optional<double> stated;
    if (v.contains("max_points")) {
      if (!is_number(v["max_points"])) fail(join(path, "max_points"), "must be a number");
      stated = v["max_points"].get<double>();
      if (!(*stated > 0)) fail(join(path, "max_points"), "must be > 0");
    }
    const std::size_t index = s.nodes.size();
    if (v.contains("children")) {
      for (const char* leaf_only :
           {"method", "items", "groups", "statistic", "variable", "domain_columns"}) {
        if (v.contains(leaf_only))
          fail(join(path, leaf_only), "only a leaf (a node without children) has this field");
      }
      const Json& children = v["children"];
      if (!children.is_array() || children.empty())
        fail(join(path, "children"), "must be a non-empty array (leave it out for a leaf)");
      s.nodes.push_back(std::move(n));
      paths_.push_back(path);
      double sum = 0;
      for (std::size_t i = 0; i < children.size(); ++i) {
        const std::size_t child =
            node(children[i], at_index(join(path, "children"), i), index, depth + 1, s);
        s.nodes[index].children.push_back(child);
        sum += s.nodes[child].max_points;
      }
      if (stated && std::fabs(*stated - sum) > sum_tolerance * std::max(1.0, sum)) {
        fail(join(path, "max_points"), "is " + io::shortest_decimal(*stated) +
                                           " but its children sum to " + io::shortest_decimal(sum));
      }
      s.nodes[index].max_points = sum;
      return index;
    }
    if (!stated) fail(join(path, "max_points"), "a leaf needs its maximum points");
    n.max_points = *stated;
    const std::string method = v.contains("method") && v["method"].is_string()
                                   ? v["method"].get<std::string>()
                                   : std::string();
    auto forbid = [&](std::initializer_list<const char*> keys, const std::string& why) {
      for (const char* key : keys) {
        if (v.contains(key)) fail(join(path, key), why);
      }
    };
    if (method == "appraised") {
      n.method = IndexNode::Method::Appraised;
      forbid({"items", "groups", "statistic", "variable", "domain_columns"},
             "an appraised leaf takes its points from the appraisal file");
    } else if (method == "survey") {
      n.method = IndexNode::Method::Survey;
      forbid({"statistic", "variable", "domain_columns"}, "only a sipas leaf has this field");
      n.items = names(v, path, "items", true);
      n.groups = names(v, path, "groups", false);
    } else if (method == "sipas") {
      n.method = IndexNode::Method::Sipas;
      forbid({"items", "groups"}, "only a survey leaf has this field");
      n.statistic = v.contains("statistic") ? text_field(v, path, "statistic") : "overall_index";
      if (v.contains("variable")) {
        n.variable = text_field(v, path, "variable");
      } else if (n.statistic == "overall_index") {
        n.variable = "overall";  // as analysis/indices.cpp names the overall index
      } else {
        fail(join(path, "variable"), "name the estimate's variable (e.g. an element id)");
      }
      n.domain_columns = names(v, path, "domain_columns", false);
    } else {
      fail(join(path, "method"), "a leaf's method must be \"appraised\", \"survey\" or \"sipas\"");
    }
    s.nodes.push_back(std::move(n));
    paths_.push_back(path);
    return index;
  }

  std::string source_;
  std::map<std::string, std::string> first_path_;  // node id -> where it was first seen
  std::vector<std::string> paths_;                 // by node index
};

}  // namespace

std::string to_string(IndexNode::Method method) {
  switch (method) {
    case IndexNode::Method::Appraised:
      return "appraised";
    case IndexNode::Method::Survey:
      return "survey";
    case IndexNode::Method::Sipas:
      return "sipas";
    case IndexNode::Method::None:
      break;
  }
  return "";
}

const IndexNode* IndexScheme::find(const std::string& node_id) const {
  for (const auto& n : nodes) {
    if (n.id == node_id) return &n;
  }
  return nullptr;
}

double IndexScheme::max_points() const {
  double sum = 0;
  for (const auto& n : nodes) {
    if (n.depth == 0) sum += n.max_points;
  }
  return sum;
}

double IndexScheme::survey_max() const {
  double sum = 0;
  for (const auto& n : nodes) {
    if (n.method == IndexNode::Method::Survey || n.method == IndexNode::Method::Sipas)
      sum += n.max_points;
  }
  return sum;
}

IndexScheme parse_index_scheme(const std::string& json_text, const std::string& source) {
  return SchemeParser(source).parse(json_text);
}

IndexScheme load_index_scheme(const std::filesystem::path& path) {
  return parse_index_scheme(io::read_file(path, max_scheme_bytes), path.filename().string());
}

ParScheme survey_part(const IndexScheme& scheme) {
  if (scheme.survey.criteria.empty()) {
    throw AnalysisError("scheme.no_survey_leaves",
                        "scheme '" + scheme.id +
                            "' has no survey leaves: it gives sipas analyze no points to compute");
  }
  return scheme.survey;
}

std::vector<GroupThreshold> default_thresholds() {
  return {{"A", 90}, {"B", 80}, {"C", 70}};  // domain.md §2.7, PAR 2022
}

std::vector<GroupThreshold> parse_thresholds(const std::string& text) {
  auto bad = [&](const std::string& why) -> void {
    throw AnalysisError("index.invalid_thresholds", "`thresholds` " + text + ": " + why);
  };
  std::vector<GroupThreshold> out;
  if (text == "none") return out;
  std::string entry;
  for (char c : text + ",") {
    if (c != ',') {
      entry += c;
      continue;
    }
    const auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size())
      bad("write GROUP=MIN[,GROUP=MIN...], e.g. A=90,B=80,C=70 (or none)");
    GroupThreshold t;
    t.group = entry.substr(0, eq);
    const std::string number = entry.substr(eq + 1);
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), t.min);
    if (ec != std::errc() || end != number.data() + number.size())
      bad("'" + number + "' is not a number");
    out.push_back(t);
    entry.clear();
  }
  check_thresholds(out, [&](std::size_t i, const std::string& why) {
    bad(out[i].group.empty() ? why : out[i].group + ": " + why);
  });
  return out;
}

}  // namespace sipas::analysis
