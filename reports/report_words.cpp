#include "reports/report_words.hpp"

#include "texts/texts.hpp"

namespace sipas::reports {
namespace {

// Each word is the catalogue's "report.<field>" (texts/vi.json, texts/en.json).
// Designated initializers in order: -Wmissing-field-initializers stops the
// build when a field is left out, and a key missing from a catalogue throws
// texts.missing_key (tests/texts/ checks that none is).
#define WORD(field) .field = texts::text(code, "report." #field)
ReportWords words_in(std::string_view code) {
  return ReportWords{.lang = code,
                     WORD(default_title),
                     WORD(generated_by),
                     WORD(contents),
                     WORD(show_numbers),
                     WORD(missing_note),

                     // Headline
                     WORD(sec_headline),
                     WORD(overall_index),
                     WORD(ci_short),
                     WORD(ci_long),
                     WORD(responses_n),
                     WORD(weighted_n),
                     WORD(province),
                     WORD(headline_note),

                     // Elements
                     WORD(sec_elements),
                     WORD(element),
                     WORD(index_percent),
                     WORD(se),
                     WORD(n),
                     WORD(elements_chart),
                     WORD(elements_note),

                     // Units
                     WORD(sec_ranking),
                     WORD(unit),
                     WORD(rank),
                     WORD(ranking_chart),
                     WORD(ranking_note),
                     WORD(rank_note),

                     // Profiles
                     WORD(sec_profiles),
                     WORD(profile_chart),
                     WORD(profile_note),
                     WORD(legend_unit),
                     WORD(legend_province),

                     // Response rates
                     WORD(sec_rates),
                     WORD(stratum),
                     WORD(invited),
                     WORD(opened),
                     WORD(responded),
                     WORD(response_rate),
                     WORD(open_rate),
                     WORD(reserves_waiting),
                     WORD(open_link_responses),
                     WORD(total),
                     WORD(rates_chart),
                     WORD(rates_note),

                     // Answer distributions
                     WORD(sec_answers),
                     WORD(answers_chart),
                     WORD(answers_note),
                     WORD(other_items),

                     // PAR index
                     WORD(sec_par),
                     WORD(points),
                     WORD(max_points),
                     WORD(par_index),
                     WORD(group),
                     WORD(notes),
                     WORD(rescaled),
                     WORD(not_ranked),
                     WORD(survey_missing),
                     WORD(thresholds),
                     WORD(threshold_item),
                     WORD(par_areas),
                     WORD(par_scheme),
                     WORD(survey_max),

                     // Methods
                     WORD(sec_methods),
                     WORD(design),
                     WORD(strata),
                     WORD(psu),
                     WORD(weights),
                     WORD(fpc),
                     WORD(lonely_psu),
                     WORD(none),
                     WORD(equal_weights),

                     // Calibration
                     WORD(calibration),
                     WORD(no_calibration),
                     WORD(cal_poststratify),
                     WORD(cal_raking),
                     WORD(cal_linear),
                     WORD(iterations),
                     WORD(margins),
                     WORD(weight_range),
                     WORD(g_range),
                     WORD(g_bounds),
                     WORD(max_margin_error),

                     // Variance, sample sizes and confidence intervals
                     WORD(variance),
                     WORD(variance_linearization),
                     WORD(variance_replicate),
                     WORD(mse),
                     WORD(df),
                     WORD(sample_sizes),
                     WORD(rows),
                     WORD(weight_sum),
                     WORD(overall_n),
                     WORD(ci_methods),
                     WORD(ci_level),
                     WORD(ci_wald),
                     WORD(ci_logit),
                     WORD(ci_xlogit),
                     WORD(ci_beta),
                     WORD(ci_woodruff),

                     // The index
                     WORD(index_definition),
                     // The publishing rule: marks in tables, and its entry in the methods.
                     WORD(caution_mark),
                     WORD(suppressed_mark),
                     WORD(publishing_rule),
                     WORD(rule_source),
                     WORD(rule_thresholds),
                     WORD(rule_counts),
                     WORD(rule_example),
                     WORD(flag_legend),

                     // Inputs
                     WORD(inputs),
                     WORD(file),
                     WORD(role_data),
                     WORD(role_questionnaire),
                     WORD(role_scheme),
                     WORD(command),

                     // Response rates and weighting steps (in Methods, from weights.json)
                     WORD(aapor_rates),
                     WORD(aapor_respondents),
                     WORD(aapor_nonrespondents),
                     WORD(aapor_ineligible),
                     WORD(aapor_unknown),
                     WORD(aapor_note),
                     WORD(weighting_steps),
                     WORD(step),
                     WORD(step_description),
                     WORD(weight_min),
                     WORD(weight_max),
                     WORD(step_design),
                     WORD(step_eligible),
                     WORD(step_nonresponse),
                     WORD(step_calibrated),
                     WORD(steps_note),

                     // Weighting classes
                     WORD(weighting_classes),
                     WORD(classes_on),
                     WORD(class_rule),
                     WORD(class_rule_text),
                     WORD(class_rule_no_factor),
                     WORD(classes_collapsed),
                     WORD(collapse_item),

                     // Calibration and replicates inside `sipas weights`
                     WORD(weights_calibration),
                     WORD(weights_replicates),
                     WORD(replicates_count),
                     WORD(nonresponse_in_variance),
                     WORD(variance_nonresponse),
                     WORD(then_calibration),
                     WORD(variance_replicates_adjusted),
                     WORD(replicate_calibration),
                     WORD(weights_file_detail),

                     // Scale quality (in Methods)
                     WORD(scales),
                     WORD(scale_item),
                     WORD(alpha),
                     WORD(std_alpha),
                     WORD(alpha_weighted),
                     WORD(item_rest),
                     WORD(alpha_if_dropped),
                     WORD(dont_know_percent),
                     WORD(missing_percent),
                     WORD(scales_note)};
}
#undef WORD

}  // namespace

const ReportWords& report_words(Language language) {
  static const ReportWords vietnamese = words_in("vi");
  static const ReportWords english = words_in("en");
  return language == Language::Vi ? vietnamese : english;
}

std::string fill(std::string_view pattern, std::initializer_list<std::string> values) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}' &&
        pattern[i + 1] >= '1' && pattern[i + 1] <= '9') {
      const auto k = static_cast<std::size_t>(pattern[i + 1] - '1');
      if (k < values.size()) {
        out += *(values.begin() + k);
        i += 2;
        continue;
      }
    }
    out += pattern[i];
  }
  return out;
}

}  // namespace sipas::reports
