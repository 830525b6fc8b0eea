#pragma once

// Every fixed word of the HTML report, per language, as views of the texts
// catalogues (texts/vi.json, texts/en.json): a field `x` of ReportWords is the
// key "report.x", of SamplingWords "report.sampling.x", of CompareWords
// "report.compare.x" (a UnitNoun: "....one" and "....many"). "{1}", "{2}"
// mark where a value goes.

#include <string>
#include <string_view>

#include "reports/language.hpp"

namespace sipas::reports {

struct ReportWords {
  std::string_view lang;  // the html lang attribute
  std::string_view default_title;
  std::string_view generated_by;
  std::string_view contents;
  std::string_view show_numbers;  // <summary> of a chart's data table
  std::string_view missing_note;  // what "–" means

  // Headline
  std::string_view sec_headline;
  std::string_view overall_index;
  std::string_view ci_short;     // "KTC {1}%"
  std::string_view ci_long;      // "Khoảng tin cậy {1}%"
  std::string_view responses_n;  // "{1} phiếu trả lời"
  std::string_view weighted_n;
  std::string_view province;  // the whole surveyed population
  std::string_view headline_note;

  // Elements
  std::string_view sec_elements;
  std::string_view element;
  std::string_view index_percent;
  std::string_view se;
  std::string_view n;
  std::string_view elements_chart;  // accessible chart title
  std::string_view elements_note;

  // Units
  std::string_view sec_ranking;
  std::string_view unit;
  std::string_view rank;
  std::string_view ranking_chart;  // "{1}: overall index of each unit ..."
  std::string_view ranking_note;
  std::string_view rank_note;  // how ranks are given

  // Profiles
  std::string_view sec_profiles;
  std::string_view profile_chart;  // "{1}: element indices against {2}"
  std::string_view profile_note;
  std::string_view legend_unit;
  std::string_view legend_province;

  // Response rates
  std::string_view sec_rates;
  std::string_view stratum;
  std::string_view invited;
  std::string_view opened;
  std::string_view responded;
  std::string_view response_rate;
  std::string_view open_rate;
  std::string_view reserves_waiting;
  std::string_view open_link_responses;
  std::string_view total;
  std::string_view rates_chart;
  std::string_view rates_note;

  // Answer distributions
  std::string_view sec_answers;
  std::string_view answers_chart;  // "Answers to the items of {1}"
  std::string_view answers_note;
  std::string_view other_items;

  // PAR index
  std::string_view sec_par;
  std::string_view points;
  std::string_view max_points;
  std::string_view par_index;
  std::string_view group;
  std::string_view notes;
  std::string_view rescaled;
  std::string_view not_ranked;
  std::string_view survey_missing;  // "{1}" = the list
  std::string_view thresholds;
  std::string_view threshold_item;  // after group {1}'s badge: "from {2}"
  std::string_view par_areas;
  std::string_view par_scheme;  // "Scheme {1}, decision {2}, year {3}"
  std::string_view survey_max;

  // Methods
  std::string_view sec_methods;
  std::string_view design;
  std::string_view strata;
  std::string_view psu;
  std::string_view weights;
  std::string_view fpc;
  std::string_view lonely_psu;
  std::string_view none;
  std::string_view equal_weights;

  // Calibration
  std::string_view calibration;
  std::string_view no_calibration;
  std::string_view cal_poststratify;
  std::string_view cal_raking;
  std::string_view cal_linear;
  std::string_view iterations;
  std::string_view margins;
  std::string_view weight_range;
  std::string_view g_range;
  std::string_view g_bounds;
  std::string_view max_margin_error;

  // Variance, sample sizes and confidence intervals
  std::string_view variance;
  std::string_view variance_linearization;
  std::string_view variance_replicate;  // "{1}" type, "{2}" count
  std::string_view mse;
  std::string_view df;
  std::string_view sample_sizes;
  std::string_view rows;
  std::string_view weight_sum;
  std::string_view overall_n;
  std::string_view ci_methods;
  std::string_view ci_level;  // "{1}%"
  std::string_view ci_wald;
  std::string_view ci_logit;
  std::string_view ci_xlogit;
  std::string_view ci_beta;
  std::string_view ci_woodruff;

  // The index
  std::string_view index_definition;
  // The publishing rule: marks in tables, and its entry in the methods.
  std::string_view caution_mark;
  std::string_view suppressed_mark;
  std::string_view publishing_rule;
  std::string_view rule_source;
  std::string_view rule_thresholds;  // "{1}" min n, "{2}" caution CV, "{3}" suppress CV (percent)
  std::string_view rule_counts;      // "{1}" ok, "{2}" caution, "{3}" suppressed
  std::string_view rule_example;
  std::string_view flag_legend;

  // Inputs
  std::string_view inputs;
  std::string_view file;
  std::string_view role_data;
  std::string_view role_questionnaire;
  std::string_view role_scheme;
  std::string_view command;

  // Response rates and weighting steps (in Methods, from weights.json)
  std::string_view aapor_rates;
  std::string_view aapor_respondents;
  std::string_view aapor_nonrespondents;
  std::string_view aapor_ineligible;
  std::string_view aapor_unknown;
  std::string_view aapor_note;
  std::string_view weighting_steps;
  std::string_view step;
  std::string_view step_description;
  std::string_view weight_min;
  std::string_view weight_max;
  std::string_view step_design;
  std::string_view step_eligible;
  std::string_view step_nonresponse;
  std::string_view step_calibrated;
  std::string_view steps_note;

  // Weighting classes
  std::string_view weighting_classes;
  std::string_view classes_on;  // "{1}" count, "{2}" columns
  std::string_view class_rule;
  std::string_view class_rule_text;       // "{1}" min respondents, "{2}" max factor
  std::string_view class_rule_no_factor;  // "{1}" min respondents
  std::string_view classes_collapsed;
  std::string_view collapse_item;  // "{1}" class, "{2}" into, "{3}" reason (English, from the file)

  // Calibration and replicates inside `sipas weights`
  std::string_view weights_calibration;  // the calibration inside `sipas weights`
  std::string_view weights_replicates;
  std::string_view replicates_count;  // "{1}" type, "{2}" count
  std::string_view nonresponse_in_variance;
  std::string_view variance_nonresponse;  // "{1}": then_calibration or nothing
  std::string_view then_calibration;
  std::string_view variance_replicates_adjusted;  // "{1}": replicate_calibration or nothing
  std::string_view replicate_calibration;
  std::string_view weights_file_detail;  // "{1}" file, "{2}" column, "{3}" classes

  // Scale quality (in Methods)
  std::string_view scales;
  std::string_view scale_item;
  std::string_view alpha;
  std::string_view std_alpha;
  std::string_view alpha_weighted;
  std::string_view item_rest;
  std::string_view alpha_if_dropped;
  std::string_view dont_know_percent;
  std::string_view missing_percent;
  std::string_view scales_note;
};

const ReportWords& report_words(Language language);

// A stage's unit in words ("communes" at the head of a stage, "commune"
// after "per"); Vietnamese gives the same word twice.
struct UnitNoun {
  std::string_view one, many;
};

// The sample's design record in the methods (report_sample_design.cpp).
struct SamplingWords {
  std::string_view sample_selection;  // the sub-section's title
  std::string_view frame;
  std::string_view frame_text;  // "{1}" file, "{2}" rows
  std::string_view strata;
  std::string_view strata_text;  // "{1}" columns, "{2}" count, "{3}" frame rows
  std::string_view no_strata;    // "{1}" frame rows
  std::string_view selection;

  // Methods (single-stage and per stage).
  std::string_view srs;
  std::string_view systematic;
  std::string_view pps;
  std::string_view pps_systematic;
  std::string_view within_strata;  // "{1}" method
  std::string_view sorted_by;      // "{1}" column
  std::string_view size_by;        // "{1}" column or size_rows
  std::string_view size_rows;
  std::string_view sampford;
  std::string_view max_entropy;
  std::string_view pps_mixed;  // "{1}" Sampford count, "{2}" where, "{3}" maximum-entropy count
  std::string_view pps_rule;

  // Allocation of a single-stage sample; "{1}" the total.
  std::string_view alloc_proportional;
  std::string_view alloc_equal;
  std::string_view alloc_neyman;
  std::string_view alloc_power;  // "{2}" q
  std::string_view alloc_optimal;
  std::string_view alloc_given;  // "{1}" file, "{2}" total drawn
  std::string_view per_stratum;  // "{1}" n or a range
  std::string_view reserves_per_stratum;
  std::string_view no_reserves;

  // Stages.
  std::string_view stage_item;  // "{1}" number, "{2}" the rest
  std::string_view per_unit;    // "{1}" n, "{2}" the parent unit
  std::string_view reserves_per_unit;
  std::string_view certain;  // "{1}" rule, "{2}" how many units it took
  std::string_view or_word;  // between certainty values
  UnitNoun people, province, district, commune, village;
  UnitNoun strata_noun;  // where pps chose at stage 1: "strata"

  std::string_view sample_size;
  std::string_view sample_text;  // "{1}" main, "{2}" reserves
  std::string_view seed;
  std::string_view seed_given;  // "{1}" seed
  std::string_view seed_drawn;
  std::string_view generator;
  std::string_view command;

  // The strata table.
  std::string_view population;
  std::string_view main;
  std::string_view reserves;
  std::string_view stage_units;  // "{1}" units: "selected / all"
  std::string_view strata_more;  // "{1}" strata not shown, "{2}"–"{3}" populations of all strata
};

const SamplingWords& sampling_words(Language language);

// The comparisons (sipas compare) and the small-area estimates (sipas
// small-area) on the page and in the methods (report_comparisons.cpp).
struct CompareWords {
  // Against the province and in pairs
  std::string_view sec_comparisons;
  std::string_view against_province;
  std::string_view in_pairs;
  std::string_view against_last_year;
  std::string_view estimate;
  std::string_view pair;
  std::string_view difference;
  std::string_view difference_pp;
  std::string_view adjusted_p;
  std::string_view result;
  std::string_view above;
  std::string_view below;
  std::string_view up;
  std::string_view down;
  std::string_view what_compared;  // "{1}" variable, "{2}" mean or proportion, "{3}" column, "{4}"
                                   // the province's estimate
  std::string_view stat_mean;
  std::string_view stat_proportion;
  std::string_view test_t;       // "{1}" df, "{2}" level
  std::string_view test_normal;  // "{2}" level (no df known)
  std::string_view adjust_holm;  // "{1}" count, "{2}" 1 - level
  std::string_view adjust_bh;
  std::string_view adjust_none;

  // Year on year
  std::string_view this_year;
  std::string_view last_year;
  std::string_view change;
  std::string_view change_pp;
  std::string_view past;
  std::string_view past_same;
  std::string_view past_mapped;    // "{1}" the former units joined by " + "
  std::string_view past_combined;  // "{2}" weights_counts or weights_equal
  std::string_view weights_counts;
  std::string_view weights_equal;
  std::string_view past_none;
  std::string_view year_test;  // "{1}" level
  std::string_view year_past_note;

  // Small areas
  std::string_view sec_small_areas;
  std::string_view direct;
  std::string_view eblup;
  std::string_view gamma;
  std::string_view rank_interval;  // "{1}" level
  std::string_view model_text;     // "{1}" method, "{2}" sigma2_v, "{3}" covariates with beta
  std::string_view reml;
  std::string_view ml;
  std::string_view intercept_only;
  std::string_view intercept;
  std::string_view beta_item;

  // Notes under the small areas
  std::string_view eblup_note;
  std::string_view overlap_note;
  std::string_view overlap_note_lower;

  // Methods
  std::string_view methods_title;
  std::string_view m_comparisons;
  std::string_view m_comparisons_text;  // "{1}" count, "{2}" variable, "{3}" column
  std::string_view m_year;
  std::string_view m_year_text;

  // Methods: the model
  std::string_view m_model;
  std::string_view m_fit;
  std::string_view m_fit_text;
  std::string_view m_truncated;
  std::string_view m_residuals;
  std::string_view m_residuals_text;
  std::string_view m_mse;
  std::string_view mse_reml;
  std::string_view mse_ml;
  std::string_view m_ranks;
  std::string_view m_ranks_text;
  std::string_view no_ranks;
  std::string_view m_sources;
  std::string_view sources;
};

const CompareWords& compare_words(Language language);

// `pattern` with "{1}", "{2}", ... replaced by `values` (already escaped or
// not, as the caller needs).
std::string fill(std::string_view pattern, std::initializer_list<std::string> values);

}  // namespace sipas::reports
