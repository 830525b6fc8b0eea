// sipas report: the HTML report of a results file (reports/README.md, "HTML report").

#include <iostream>

#include "cli/commands.hpp"
#include "io/file.hpp"
#include "questionnaires/questionnaire.hpp"
#include "reports/error.hpp"
#include "reports/report.hpp"

namespace sipas::cli {
namespace {

namespace r = sipas::reports;

struct ReportOptions {
  std::string results, questionnaire, par_index, rates, weights, sample_design, compare, small_area;
  std::string lang = "vi", title, unit_column, out;
};

int run_report(const ReportOptions& o) {
  if (o.results.empty())
    throw r::ReportError("report.missing_option", "--results results.json is required");
  if (o.out.empty()) throw r::ReportError("report.missing_option", "--out report.html is required");
  r::ReportOptions options;
  options.language = r::parse_language(o.lang);
  options.title = o.title;
  options.unit_column = o.unit_column;
  // Everything is read and checked before anything is written.
  r::ReportInputs inputs;
  inputs.results = r::load_results(o.results);
  if (!o.questionnaire.empty()) {
    inputs.questionnaire.emplace(questionnaires::load_questionnaire_file(o.questionnaire));
    inputs.questionnaire_source = o.questionnaire;
  }
  if (!o.par_index.empty()) inputs.par_index = r::load_par_index(o.par_index);
  if (!o.rates.empty()) inputs.progress = r::load_progress(o.rates);
  if (!o.weights.empty()) inputs.weights = r::load_weights(o.weights);
  if (!o.sample_design.empty()) inputs.sample_design = r::load_sample_design(o.sample_design);
  if (!o.compare.empty()) inputs.compare = r::load_compare(o.compare);
  if (!o.small_area.empty()) inputs.small_area = r::load_small_area(o.small_area);
  const std::string html = r::render_report(inputs, options);
  // Estimates and indices, made to be published.
  io::write_file_atomic(o.out, html, io::FileAccess::shared);
  std::cerr << o.out << ": report written (" << html.size() << " bytes)\n";
  return exit_ok;
}

}  // namespace

void add_report_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand(
      "report",
      "Write a self-contained HTML report (inline CSS and SVG charts; no script, font or "
      "network needed to view it) of a results file from `sipas analyze --index`: the overall "
      "and element indices with confidence intervals, units ranked with CI whiskers, each "
      "unit's element profile against the province, answer distributions, and a methods "
      "section; with --rates, response rates by stratum; with --par-index, the PAR index "
      "table with groups; with --weights, the AAPOR response rates (RR1, RR3) by stratum and "
      "the weighting steps in the methods; with --sample-design, how the sample was drawn (frame, "
      "strata, each stage's units and method, seed); with --compare, each unit against the "
      "province "
      "and against last year with its significance; with --small-area, the small-area estimates "
      "(EBLUPs beside the direct estimates, with rank intervals) and their model in the methods.");
  cmd->add_option("--results", o->results,
                  "results.json written by `sipas analyze --index Q.json --by UNIT`");
  cmd->add_option("--questionnaire", o->questionnaire,
                  "The questionnaire used for the analysis, for the labels of elements, items "
                  "and answers (without it: ids and codes)");
  cmd->add_option("--par-index", o->par_index,
                  "PAR index result from `sipas index` (sipas-par-index-result/1)");
  cmd->add_option("--rates", o->rates,
                  "Fieldwork progress JSON from the admin API "
                  "(GET /api/v1/surveys/{id}/progress)");
  cmd->add_option("--weights", o->weights,
                  "weights.json written by `sipas weights` (sipas-weights/1): AAPOR response "
                  "rates by stratum, the weighting steps and their spread, the classes");
  cmd->add_option("--sample-design", o->sample_design,
                  "The design record sipas sample wrote beside the sample (design.json, or "
                  "--design-out such as sample.design.json; sipas-sample-design/1): the frame, "
                  "strata, stages and selection methods, sample size and seed in the methods");
  cmd->add_option("--compare", o->compare,
                  "compare.json written by `sipas compare` (sipas-compare/1): units against the "
                  "province (or in pairs) and against last year, with adjusted p-values");
  cmd->add_option("--small-area", o->small_area,
                  "The results of `sipas small-area` (sipas-small-area/1): Fay-Herriot EBLUPs "
                  "beside the direct estimates, with rank intervals, and the model's fit");
  cmd->add_option("--lang", o->lang, "Language of the report: vi | en")->capture_default_str();
  cmd->add_option("--title", o->title,
                  "Title of the report (default: the questionnaire's title, else a fixed one)");
  cmd->add_option("--unit-column", o->unit_column,
                  "Domain column whose levels are the units to rank (default: the first domain "
                  "column in the results)");
  cmd->add_option("--out", o->out, "The HTML file to write (replaced atomically)");
  cmd->footer(
      "Example:\n"
      "  sipas analyze --data answers.csv --strata district --weights w --index Q.json \\\n"
      "      --by district --out results.json\n"
      "  sipas report --results results.json --questionnaire Q.json --lang en --out report.html\n"
      "\n"
      "Errors (exit 1, nothing written) name the file and the field, e.g.\n"
      "  results.json: estimates[3].ci_low: expected a number or null [report.invalid_field]");
  cmd->callback([&run, o] { run = [o] { return run_report(*o); }; });
}

}  // namespace sipas::cli
