#include "analysis/verify.hpp"

#include <algorithm>
#include <cmath>

#include "analysis/error.hpp"
#include "analysis/publishing_rule.hpp"
#include "analysis/standard_schemes.hpp"
#include "io/file.hpp"
#include "io/sha256.hpp"

namespace sipas::analysis {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// A results file is JSON of a few megabytes; this bounds what verify reads.
constexpr std::size_t max_results_bytes = std::size_t{1} << 30;

std::string name_of(const fs::path& path) {
  return path.filename().string();
}

[[noreturn]] void invalid(const std::string& where, const std::string& why) {
  throw AnalysisError("verify.invalid_results", where + ": " + why);
}

// The value at `key` of the recorded request, of the type asked for.
template <typename T>
T field(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key))
    invalid("request", "no field '" + std::string(key) + "'");
  try {
    return object.at(key).get<T>();
  } catch (const Json::exception&) {
    invalid("request/" + std::string(key), "not of the type a request has");
  }
}

// The value parse() reads from the request: its option errors become
// verify.invalid_results at `where`.
template <typename Parse>
auto parsed(const std::string& where, Parse parse) {
  try {
    return parse();
  } catch (const AnalysisError& e) {
    if (e.id() != "analysis.invalid_option") throw;
    invalid(where, e.what());
  }
}

// Compares the file's results with the computed ones, estimates first, and
// keeps the first difference.
class Comparison {
 public:
  std::size_t numbers = 0;
  std::optional<Mismatch> first;

  void results(const Json& recorded, const Json& computed) {
    if (!recorded.is_object()) invalid("results", "not a JSON object");
    const Json none;
    auto at = [&](const Json& j, const std::string& key) -> const Json& {
      return j.contains(key) ? j.at(key) : none;
    };
    estimates(at(recorded, "estimates"), at(computed, "estimates"));
    // Then everything else (design, ranking, request and what later versions
    // add), in key order.
    std::vector<std::string> keys;
    for (const auto& [key, value] : recorded.items())
      keys.push_back(key);
    for (const auto& [key, value] : computed.items()) {
      if (!recorded.contains(key)) keys.push_back(key);
    }
    for (const auto& key : keys) {
      if (key != "estimates") value({}, "/" + key, at(recorded, key), at(computed, key));
    }
  }

 private:
  void estimates(const Json& recorded, const Json& computed) {
    if (!recorded.is_array() || !computed.is_array()) {
      value({}, "/estimates", recorded, computed);
      return;
    }
    const std::size_t common = std::min(recorded.size(), computed.size());
    for (std::size_t k = 0; k < common; ++k) {
      const Json& e = recorded[k];
      Mismatch where;
      if (e.is_object()) {
        where.statistic = text(e, "statistic");
        where.variable = text(e, "variable");
        if (e.contains("domain") && e["domain"].is_object()) {
          for (const auto& [column, level] : e["domain"].items())
            where.domain += (where.domain.empty() ? "" : ";") + column + "=" +
                            (level.is_string() ? level.get<std::string>() : level.dump());
        }
      }
      value(where, "", e, computed[k]);
    }
    if (recorded.size() != computed.size()) {
      note({}, "/estimates (count)", Json(recorded.size()), Json(computed.size()));
    }
  }

  static std::string text(const Json& e, const char* key) {
    return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : std::string();
  }

  void value(const Mismatch& where, const std::string& path, const Json& recorded,
             const Json& computed) {
    if (recorded.is_number() && computed.is_number()) {
      ++numbers;
      if (recorded.get<double>() != computed.get<double>()) note(where, path, recorded, computed);
      return;
    }
    if (recorded.is_object() && computed.is_object()) {
      for (const auto& [key, v] : recorded.items())
        value(where, path + "/" + key, v, computed.contains(key) ? computed[key] : Json());
      for (const auto& [key, v] : computed.items()) {
        if (!recorded.contains(key)) value(where, path + "/" + key, Json(), v);
      }
      return;
    }
    if (recorded.is_array() && computed.is_array() && recorded.size() == computed.size()) {
      for (std::size_t k = 0; k < recorded.size(); ++k)
        value(where, path + "/" + std::to_string(k), recorded[k], computed[k]);
      return;
    }
    if (recorded != computed) note(where, path, recorded, computed);
  }

  void note(const Mismatch& where, const std::string& path, const Json& recorded,
            const Json& computed) {
    if (first) return;
    Mismatch m = where;
    // Inside an estimate the path is its field ("se"); elsewhere the JSON
    // path ("/design/weight_sum").
    m.field = !where.statistic.empty() && !path.empty() ? path.substr(1) : path;
    m.recorded =
        recorded.is_null() && !recorded.is_discarded() ? "(absent or null)" : recorded.dump();
    m.computed = computed.is_null() ? "(absent or null)" : computed.dump();
    first = std::move(m);
  }
};

}  // namespace

Json request_json(const AnalysisRequest& r) {
  Json statistics = Json::array();
  for (const auto& s : r.statistics) {
    statistics.push_back({{"kind", to_string(s.kind)},
                          {"variable", s.variable},
                          {"denominator", s.denominator},
                          {"codes", s.codes},
                          {"p", s.p}});
  }
  Json scales = Json::array();
  for (const auto& s : r.scales) {
    if (s.source == ScaleRequest::Source::Option)
      scales.push_back({{"name", s.name}, {"items", s.items}});
  }
  const auto shipped = shipped_publishing_rules();
  const bool shipped_rule =
      !r.publishing_rule.empty() && !fs::exists(fs::path(r.publishing_rule)) &&
      std::find(shipped.begin(), shipped.end(), r.publishing_rule) != shipped.end();
  auto name_or_null = [](const std::optional<fs::path>& path) {
    return path ? Json(name_of(*path)) : Json(nullptr);
  };
  return {{"data", name_of(r.data)},
          {"design",
           {{"strata", r.design.strata},
            {"psu", r.design.clusters},
            {"weights", r.design.weights},
            {"fpc", r.design.fpc},
            {"lonely_psu", to_string(r.design.lonely_psu)}}},
          {"replicates", r.replicates ? to_string(*r.replicates) : std::string()},
          {"repweights", r.repweights_prefix},
          {"reptype", r.reptype ? reptype_option(*r.reptype) : std::string()},
          {"repscale", r.repscale ? Json(*r.repscale) : Json(nullptr)},
          {"mse", r.mse},
          {"seed", r.seed},
          {"statistics", statistics},
          {"by", r.by},
          {"interval", to_string(r.interval)},
          {"level", r.level},
          {"weights_file", name_or_null(r.weights_file)},
          {"weights_id", r.weights_id},
          {"margins", name_or_null(r.margins)},
          {"calfun", to_string(r.calfun)},
          {"bounds", r.bounds ? Json{r.bounds->first, r.bounds->second} : Json(nullptr)},
          {"index", name_or_null(r.index)},
          {"scheme", name_or_null(r.scheme)},
          {"include_open_link", r.include_open_link},
          {"rscales", r.rscales ? Json(*r.rscales) : Json(nullptr)},
          {"scales", scales},
          {"dont_know", r.dont_know},
          // A rule file by its name (an input), or a shipped rule's name.
          {"publishing_rule", shipped_rule ? r.publishing_rule : name_of(r.publishing_rule)},
          {"publishing_rule_shipped", shipped_rule}};
}

AnalysisRequest request_from_json(
    const Json& j, const std::function<fs::path(const std::string&, const std::string&)>& locate) {
  if (!j.is_object()) invalid("request", "not a JSON object");
  AnalysisRequest r;
  r.data = locate("data", field<std::string>(j, "data"));
  const Json design = field<Json>(j, "design");
  r.design.strata = field<std::string>(design, "strata");
  r.design.clusters = field<std::vector<std::string>>(design, "psu");
  r.design.weights = field<std::string>(design, "weights");
  r.design.fpc = field<std::vector<std::string>>(design, "fpc");
  r.design.lonely_psu = parsed("request/design/lonely_psu", [&] {
    return parse_lonely_psu(field<std::string>(design, "lonely_psu"));
  });
  if (const auto replicates = field<std::string>(j, "replicates"); !replicates.empty())
    r.replicates = parsed("request/replicates", [&] { return parse_replicate_method(replicates); });
  r.repweights_prefix = field<std::string>(j, "repweights");
  if (const auto reptype = field<std::string>(j, "reptype"); !reptype.empty())
    r.reptype = parsed("request/reptype", [&] { return parse_replicate_type(reptype); });
  if (const Json scale = field<Json>(j, "repscale"); !scale.is_null())
    r.repscale = field<double>(j, "repscale");
  r.mse = field<bool>(j, "mse");
  r.seed = field<std::uint64_t>(j, "seed");
  for (const Json& s : field<Json>(j, "statistics")) {
    StatisticRequest statistic;
    statistic.kind = parsed("request/statistics",
                            [&] { return parse_statistic_kind(field<std::string>(s, "kind")); });
    statistic.variable = field<std::string>(s, "variable");
    statistic.denominator = field<std::string>(s, "denominator");
    statistic.codes = field<std::vector<std::string>>(s, "codes");
    statistic.p = field<double>(s, "p");
    r.statistics.push_back(std::move(statistic));
  }
  r.by = field<std::vector<std::string>>(j, "by");
  r.interval = parsed("request/interval",
                      [&] { return parse_interval_method(field<std::string>(j, "interval")); });
  r.level = field<double>(j, "level");
  // Absent from the results of a sipas before --weights-file.
  if (j.contains("weights_file") && !j["weights_file"].is_null()) {
    r.weights_file = locate("weights_file", field<std::string>(j, "weights_file"));
    r.weights_id = field<std::string>(j, "weights_id");
  }
  if (const Json margins = field<Json>(j, "margins"); !margins.is_null())
    r.margins = locate("margins", field<std::string>(j, "margins"));
  r.calfun = parsed("request/calfun",
                    [&] { return parse_calibration_function(field<std::string>(j, "calfun")); });
  if (const Json bounds = field<Json>(j, "bounds"); !bounds.is_null()) {
    const auto b = field<std::vector<double>>(j, "bounds");
    if (b.size() != 2) invalid("request/bounds", "not two numbers");
    r.bounds = std::make_pair(b[0], b[1]);
  }
  if (const Json index = field<Json>(j, "index"); !index.is_null())
    r.index = locate("questionnaire", field<std::string>(j, "index"));
  if (const Json scheme = field<Json>(j, "scheme"); !scheme.is_null())
    r.scheme = locate("scheme", field<std::string>(j, "scheme"));
  r.include_open_link = field<bool>(j, "include_open_link");
  if (const Json rscales = field<Json>(j, "rscales"); !rscales.is_null())
    r.rscales = field<std::vector<double>>(j, "rscales");
  for (const Json& s : field<Json>(j, "scales")) {
    ScaleRequest scale;
    scale.name = field<std::string>(s, "name");
    scale.items = field<std::vector<std::string>>(s, "items");
    r.scales.push_back(std::move(scale));
  }
  r.dont_know = field<std::vector<std::string>>(j, "dont_know");
  const auto rule = field<std::string>(j, "publishing_rule");
  if (!rule.empty()) {
    r.publishing_rule =
        field<bool>(j, "publishing_rule_shipped") ? rule : locate("publishing_rule", rule).string();
  }
  return r;
}

VerifyResult verify_results(const fs::path& results, const std::vector<fs::path>& data_dirs) {
  Json recorded = Json::parse(io::read_file(results, max_results_bytes), nullptr, false);
  const std::string source = results.string();
  if (recorded.is_discarded() || !recorded.is_object())
    invalid(source, "not a results file of sipas analyze (not JSON)");
  if (!recorded.contains("request") || !recorded.contains("design") ||
      !recorded.contains("estimates")) {
    invalid(source,
            "no 'request' to run again: a results file of an older sipas records only its "
            "command line; run sipas analyze again with this sipas");
  }
  const Json& design = recorded["design"];
  // The inputs' recorded SHA-256, by role.
  auto recorded_hash = [&](const Json& entry, const std::string& role) -> std::string {
    if (!entry.is_object() || !entry.contains("sha256") || !entry["sha256"].is_string())
      invalid(source, "no SHA-256 recorded for the " + role);
    return entry["sha256"].get<std::string>();
  };
  const Json none;
  const Json& inputs = design.contains("inputs") ? design["inputs"] : none;
  auto input_entry = [&](const std::string& key) -> const Json& {
    return inputs.is_object() && inputs.contains(key) ? inputs[key] : none;
  };
  const Json& calibration = design.contains("calibration") ? design["calibration"] : none;

  std::vector<fs::path> dirs = data_dirs;
  dirs.push_back(results.has_parent_path() ? results.parent_path() : fs::path("."));
  VerifyResult out;
  auto locate = [&](const std::string& role, const std::string& name) -> fs::path {
    std::string hash;
    if (role == "data") {
      hash = recorded_hash(input_entry("data"), role);
    } else if (role == "margins") {
      hash = recorded_hash(calibration.is_object() && calibration.contains("margins")
                               ? calibration["margins"]
                               : none,
                           role);
    } else {
      hash = recorded_hash(input_entry(role), role);
    }
    if (name.empty() || name != name_of(name) || name == "." || name == "..")
      invalid(source, "the " + role + " file is recorded as '" + name + "', not a file name");
    for (const auto& dir : dirs) {
      const fs::path candidate = dir / name;
      std::error_code ec;
      if (!fs::is_regular_file(candidate, ec)) continue;
      const std::string found = io::sha256_file(candidate);
      if (found != hash) {
        throw AnalysisError("verify.input_changed",
                            candidate.string() + ": SHA-256 " + found + ", but " + source +
                                " was made from a " + role + " file '" + name + "' with SHA-256 " +
                                hash + ": this is not the file the results were made from");
      }
      out.inputs.push_back({role, name, hash, candidate.string()});
      return candidate;
    }
    // A scheme given by name: the one compiled into sipas.
    if (const io::EmbeddedFile* file = role == "scheme" ? find_standard_scheme(name) : nullptr) {
      io::Sha256 digest;
      digest.update(file->content);
      if (digest.hex_digest() != hash) {
        throw AnalysisError("verify.input_changed",
                            "the embedded scheme '" + name + "' of this sipas has SHA-256 " +
                                digest.hex_digest() + ", but " + source +
                                " was made with one whose SHA-256 is " + hash +
                                ": give that scheme's file with `data_dirs`");
      }
      out.inputs.push_back({role, name, hash, "embedded:" + name});
      return fs::path(name);
    }
    std::string where;
    for (const auto& dir : dirs)
      where += (where.empty() ? "" : ", ") + dir.string();
    throw AnalysisError("verify.input_missing", source + " was made from the " + role + " file '" +
                                                    name + "', which is not in " + where +
                                                    " (give its folder with `data_dirs`)");
  };
  AnalysisRequest r = request_from_json(recorded["request"], locate);
  r.command_line = design.value("command", std::string());
  const AnalysisResult result = run_analysis(r);
  Comparison comparison;
  comparison.results(recorded, to_json(result));
  out.numbers = comparison.numbers;
  out.mismatch = std::move(comparison.first);
  out.estimates = recorded["estimates"].is_array() ? recorded["estimates"].size() : 0;
  return out;
}

}  // namespace sipas::analysis
