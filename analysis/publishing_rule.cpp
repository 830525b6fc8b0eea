#include "analysis/publishing_rule.hpp"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <span>

#include "analysis/error.hpp"
#include "io/embedded_file.hpp"
#include "io/file.hpp"
#include "io/number_text.hpp"
#include "io/sha256.hpp"

namespace sipas::analysis {

std::span<const io::EmbeddedFile> embedded_rule_files();

namespace {

using Json = nlohmann::json;
constexpr const char* format_name = "sipas-publishing-rule/1";
constexpr const char* default_rule = "cv-16-33";
constexpr std::size_t max_rule_bytes = 1 << 20;

std::string sha256_of(std::string_view text) {
  io::Sha256 hash;
  hash.update(text);
  return hash.hex_digest();
}

std::string short_name(const io::EmbeddedFile& file) {
  std::string name(file.name);
  if (auto slash = name.rfind('/'); slash != std::string::npos) name.erase(0, slash + 1);
  if (name.ends_with(".json")) name.erase(name.size() - 5);
  return name;
}

// Shares in percent that the indices give without a design effect.
bool percent_share(const std::string& statistic) {
  return statistic == "item_index" || statistic == "expectation_share" ||
         statistic == "indicator_share" || statistic == "answer_share";
}

}  // namespace

PublishingRule parse_publishing_rule(const std::string& json_text, const std::string& source) {
  auto fail = [&](const std::string& field, const std::string& why) -> void {
    throw AnalysisError("rule.invalid", source + ": " + (field.empty() ? "" : field + ": ") + why);
  };
  Json doc = Json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) fail("", "not a JSON object");
  static const std::set<std::string> known = {"format",    "name",       "example",
                                              "title",     "source",     "min_n",
                                              "min_n_eff", "caution_cv", "suppress_cv"};
  for (const auto& [key, value] : doc.items()) {
    if (!known.contains(key)) fail(key, "unknown field");
  }
  if (!doc.contains("format") || doc["format"] != format_name)
    fail("format", std::string("must be \"") + format_name + "\"");
  auto text = [&](const char* field, bool required) {
    if (!doc.contains(field)) {
      if (required) fail(field, "missing");
      return std::string();
    }
    if (!doc[field].is_string() || doc[field].get<std::string>().empty())
      fail(field, "must be a non-empty text");
    return doc[field].get<std::string>();
  };
  auto number = [&](const char* field, bool required) {
    if (!doc.contains(field) || doc[field].is_null()) {
      if (required) fail(field, "missing");
      return not_available;
    }
    if (!doc[field].is_number() || !std::isfinite(doc[field].get<double>()) ||
        doc[field].get<double>() < 0)
      fail(field, "must be a number, at least 0");
    return doc[field].get<double>();
  };
  PublishingRule rule;
  rule.name = text("name", true);
  // The source: one text, or {"vi": text, "en": text}.
  if (!doc.contains("source")) fail("source", "missing");
  if (doc["source"].is_object()) {
    const Json& s = doc["source"];
    if (!s.contains("vi") || !s.contains("en") || !s["vi"].is_string() || !s["en"].is_string() ||
        s["vi"].get<std::string>().empty() || s["en"].get<std::string>().empty())
      fail("source", "must be a text or {\"vi\": text, \"en\": text}");
    rule.source_vi = s["vi"].get<std::string>();
    rule.source_en = s["en"].get<std::string>();
  } else {
    rule.source_vi = rule.source_en = text("source", true);
  }
  if (doc.contains("example")) {
    if (!doc["example"].is_boolean()) fail("example", "must be true or false");
    rule.example = doc["example"].get<bool>();
  }
  if (doc.contains("title")) {
    const Json& title = doc["title"];
    if (!title.is_object() || !title.contains("vi") || !title.contains("en") ||
        !title["vi"].is_string() || !title["en"].is_string())
      fail("title", "must be {\"vi\": text, \"en\": text}");
    rule.title_vi = title["vi"].get<std::string>();
    rule.title_en = title["en"].get<std::string>();
  }
  rule.min_n = number("min_n", true);
  rule.min_n_eff = number("min_n_eff", false);
  rule.caution_cv = number("caution_cv", true);
  rule.suppress_cv = number("suppress_cv", true);
  if (rule.caution_cv > rule.suppress_cv)
    fail("caution_cv",
         "must not be above suppress_cv (" + io::shortest_decimal(rule.suppress_cv) + ")");
  rule.file = source;
  rule.sha256 = sha256_of(json_text);
  return rule;
}

PublishingRule load_publishing_rule(const std::string& path_or_name) {
  const std::filesystem::path path(path_or_name);
  std::error_code ec;
  if (!path_or_name.empty() && std::filesystem::exists(path, ec)) {
    return parse_publishing_rule(io::read_file(path, max_rule_bytes), path.filename().string());
  }
  for (const auto& file : embedded_rule_files()) {
    if (short_name(file) == path_or_name || short_name(file) + ".json" == path_or_name) {
      PublishingRule rule =
          parse_publishing_rule(std::string(file.content), short_name(file) + ".json");
      rule.file = "embedded:" + short_name(file);
      return rule;
    }
  }
  std::string names;
  for (const auto& name : shipped_publishing_rules())
    names += (names.empty() ? "" : ", ") + name;
  throw AnalysisError("rule.not_found", "'" + path_or_name +
                                            "': no such file, and no shipped publishing rule of "
                                            "that name (shipped: " +
                                            names + ")");
}

PublishingRule default_publishing_rule() {
  return load_publishing_rule(default_rule);
}

std::vector<std::string> shipped_publishing_rules() {
  std::vector<std::string> names;
  for (const auto& file : embedded_rule_files())
    names.push_back(short_name(file));
  return names;
}

void assess(Estimate& e, const PublishingRule& rule) {
  e.ci_width =
      std::isfinite(e.ci_low) && std::isfinite(e.ci_high) ? e.ci_high - e.ci_low : not_available;
  e.cv = std::isfinite(e.estimate) && std::isfinite(e.se) && e.estimate != 0
             ? e.se / std::abs(e.estimate)
             : not_available;
  e.n_eff = not_available;
  if (std::isfinite(e.deff) && e.deff > 0) {
    e.n_eff = e.n / e.deff;
  } else if (percent_share(e.statistic) && e.n > 0 && std::isfinite(e.se)) {
    // Kish's deff of a proportion: its variance over p (1 - p) / n.
    const double p = e.estimate / 100, v = (e.se / 100) * (e.se / 100);
    if (p > 0 && p < 1 && v > 0) e.n_eff = e.n / (v / (p * (1 - p) / e.n));
  }
  e.flag = "ok";
  e.flag_reason.clear();
  auto set = [&](const char* flag, std::string why) {
    e.flag = flag;
    e.flag_reason = std::move(why);
  };
  if (!std::isfinite(e.estimate)) return set("suppressed", "no estimate");
  if (e.n < rule.min_n)
    return set("suppressed",
               "n " + io::shortest_decimal(e.n) + " < " + io::shortest_decimal(rule.min_n));
  if (std::isfinite(rule.min_n_eff) && std::isfinite(e.n_eff) && e.n_eff < rule.min_n_eff)
    return set("suppressed", "n_eff " + io::shortest_decimal(e.n_eff) + " < " +
                                 io::shortest_decimal(rule.min_n_eff));
  if (!std::isfinite(e.se)) return set("suppressed", "no standard error");
  if (std::isfinite(e.cv) && e.cv > rule.suppress_cv)
    return set("suppressed",
               "cv " + io::shortest_decimal(e.cv) + " > " + io::shortest_decimal(rule.suppress_cv));
  if (std::isfinite(e.cv) && e.cv > rule.caution_cv)
    return set("caution",
               "cv " + io::shortest_decimal(e.cv) + " > " + io::shortest_decimal(rule.caution_cv));
}

}  // namespace sipas::analysis
