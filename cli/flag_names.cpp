#include "cli/flag_names.hpp"

#include "io/error.hpp"

namespace sipas::cli {
namespace {

constexpr FlagName analysis_names[] = {
    {"data", "data"},
    {"design.strata", "strata"},
    {"design.clusters", "psu"},
    {"design.weights", "weights"},
    {"design.fpc", "fpc"},
    {"design.lonely_psu", "lonely-psu"},
    {"replicates", "replicates"},
    {"repweights_prefix", "repweights"},
    {"reptype", "reptype"},
    {"repscale", "repscale"},
    {"rscales", "rscales"},
    {"mse", "mse"},
    {"seed", "seed"},
    {"statistics.mean", "mean"},
    {"statistics.total", "total"},
    {"statistics.ratio", "ratio"},
    {"statistics.proportion", "prop"},
    {"statistics.quantile", "quantile"},
    {"by", "by"},
    {"interval", "ci"},
    {"level", "level"},
    {"weights_file", "weights-file"},
    {"weights_id", "weights-id"},
    {"margins", "calibrate"},
    {"calfun", "calfun"},
    {"bounds", "bounds"},
    {"index", "index"},
    {"scheme", "scheme"},
    {"include_open_link", "include-open-link"},
    {"publishing_rule", "publishing-rule"},
    {"scales", "scale"},
    {"dont_know", "dont-know"},
};

constexpr FlagName compare_names[] = {
    {"pairs", "pair"},          {"each_vs_all", "each-vs-all"},
    {"adjustment", "adjust"},   {"this_year", "this-year"},
    {"last_year", "last-year"}, {"last_year_data", "last-year-data"},
    {"unit_map", "unit-map"},   {"last_year_by", "last-year-by"},
};

constexpr FlagName verify_names[] = {
    {"data_dirs", "data-dir"},
};

constexpr FlagName weights_names[] = {
    {"disposition", "disposition"},
    {"class_columns", "classes"},
    {"min_respondents", "min-respondents"},
    {"max_factor", "max-factor"},
    {"collapse=false", "no-collapse"},
    {"margins", "margins"},
    {"calfun", "calfun"},
    {"bounds", "bounds"},
    {"replicates", "replicates"},
    {"seed", "seed"},
    {"design.lonely_psu", "lonely-psu"},
    {"carry", "carry"},
};

constexpr FlagName index_names[] = {
    {"scheme", "scheme"}, {"appraisal", "appraisal"},   {"units", "units"},
    {"survey", "survey"}, {"thresholds", "thresholds"}, {"precision", "precision"},
};

constexpr FlagName small_area_names[] = {
    {"area", "area"},     {"direct", "direct"},         {"variance", "variance"},
    {"se", "se"},         {"covariates", "covariates"}, {"factors", "factors"},
    {"method", "method"}, {"level", "level"},
};

constexpr FlagName sample_names[] = {
    {"frame", "frame"},
    {"id_column", "id"},
    {"strata", "strata"},
    {"total", "n"},
    {"n_per_stratum", "n-per-stratum"},
    {"method", "method"},
    {"size_column", "size"},
    {"sort_column", "sort"},
    {"reserve", "reserve"},
    {"design", "design"},
    {"seed", "seed"},
    {"carry", "carry"},
};

constexpr FlagName sample_size_names[] = {
    {"margin", "margin"},      {"confidence", "confidence"},       {"proportion", "p"},
    {"design_effect", "deff"}, {"response_rate", "response-rate"}, {"minimum", "min"},
};

}  // namespace

const FlagTable analysis_flags = analysis_names;
const FlagTable compare_flags = compare_names;
const FlagTable verify_flags = verify_names;
const FlagTable weights_flags = weights_names;
const FlagTable index_flags = index_names;
const FlagTable small_area_flags = small_area_names;
const FlagTable sample_flags = sample_names;
const FlagTable sample_size_flags = sample_size_names;

std::string with_flags(std::string_view text, FlagTables tables, std::string_view prefix) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t open = text.find('`', at);
    const std::size_t close = open == std::string_view::npos ? open : text.find('`', open + 1);
    if (close == std::string_view::npos) break;
    const std::string_view field = text.substr(open + 1, close - open - 1);
    const FlagName* found = nullptr;
    for (const FlagTable& table : tables) {
      for (const FlagName& name : table) {
        if (name.field == field) {
          found = &name;
          break;
        }
      }
      if (found) break;
    }
    if (!found) {
      // Not a field of these requests (a backquote of the data): as it is.
      out.append(text.substr(at, open + 1 - at));
      at = open + 1;
      continue;
    }
    out.append(text.substr(at, open - at));
    out.append("--").append(prefix).append(found->flag);
    at = close + 1;
  }
  out.append(text.substr(at));
  return out;
}

int run_with_flags(FlagTables tables, const std::function<int()>& action) {
  try {
    return action();
  } catch (const Error& e) {
    throw Error(e.id(), with_flags(e.what(), tables));
  }
}

}  // namespace sipas::cli
