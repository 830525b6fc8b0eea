#pragma once

#include <string>
#include <vector>

#include "analysis/estimate.hpp"

namespace sipas::analysis {

// When an estimate may be published (analysis/README.md "Reliability"): a
// rule is data, a `sipas-publishing-rule/1` JSON file or a shipped one
// (analysis/rules/), naming its source. An estimate is
// - suppressed when it rests on fewer than min_n respondents (or, where the
//   rule sets it, an effective n below min_n_eff), when its coefficient of
//   variation is above suppress_cv, or when it has no value or no SE;
// - caution when its CV is above caution_cv;
// - ok otherwise.
struct PublishingRule {
  std::string name;
  std::string title_vi, title_en;
  std::string source_vi, source_en;  // where the thresholds come from
  bool example = false;              // an example to adopt, not an official text
  double min_n = 0;
  double min_n_eff = not_available;  // not used when absent
  double caution_cv = not_available;
  double suppress_cv = not_available;
  std::string file;    // the file name, or "embedded:NAME"
  std::string sha256;  // of its text
};

// Parses a rule; `source` names the file in messages. Throws AnalysisError
// rule.invalid naming the field.
PublishingRule parse_publishing_rule(const std::string& json_text, const std::string& source);
// A rule file, or the name of a shipped rule (cv-16-33). Throws AnalysisError
// rule.not_found, rule.invalid, or io::IoError.
PublishingRule load_publishing_rule(const std::string& path_or_name);
// The shipped default, cv-16-33.
PublishingRule default_publishing_rule();
std::vector<std::string> shipped_publishing_rules();

// Fills e.n_eff (n / deff; for a share in percent without a deff, n over
// the share's design effect against p(1 - p)/n), e.cv (SE / |estimate|),
// e.ci_width and e.flag / e.flag_reason by the rule.
void assess(Estimate& e, const PublishingRule& rule);

}  // namespace sipas::analysis
