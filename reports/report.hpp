#pragma once

// The HTML report (reports/README.md, "HTML report"): one self-contained page
// (inline CSS and SVG; no script, font, image or network) with the overall and
// element indices and their confidence intervals, units ranked with CI
// whiskers, each unit's element profile against the province, response rates
// by stratum, answer distributions, the PAR index table with groups, and the
// methods. Every number comes from the input files; every string from them is
// escaped.

#include <optional>
#include <string>

#include "questionnaires/questionnaire.hpp"
#include "reports/language.hpp"
#include "reports/report_inputs.hpp"

namespace sipas::reports {

struct ReportInputs {
  ResultsFile results;
  // Labels of elements, groups, items and answer codes; without it the report
  // shows ids and codes.
  std::optional<questionnaires::Questionnaire> questionnaire;
  std::string questionnaire_source;  // its file name, for messages
  std::optional<ParIndexResult> par_index;
  std::optional<FieldworkProgress> progress;
  // weights.json of `sipas weights`: response rates and weighting steps in
  // the methods.
  std::optional<WeightsSummary> weights;
  // The design record of `sipas sample` (sample.design.json): how the sample
  // was drawn, in the methods.
  std::optional<SampleDesignSummary> sample_design;
  // compare.json of `sipas compare`: units against the province and against
  // last year, beside the units' results and in the methods.
  std::optional<CompareSummary> compare;
  // The small-area estimates of `sipas small-area`: EBLUPs beside the direct
  // estimates, with rank intervals, and the model in the methods.
  std::optional<SmallAreaSummary> small_area;
};

struct ReportOptions {
  Language language = Language::Vi;
  std::string title;        // empty: the questionnaire's title, else a fixed one
  std::string unit_column;  // the domain column of the units; empty: the first found
};

// Decimals of indices in the report's text and tables (SIPAS is published with
// two, e.g. 82.66%), and on its charts.
inline constexpr int index_decimals = 2;
inline constexpr int chart_decimals = 1;

// Throws ReportError: report.no_indices (results without satisfaction
// indices), report.unknown_unit_column, report.questionnaire_mismatch.
std::string render_report(const ReportInputs& inputs, const ReportOptions& options);

}  // namespace sipas::reports
