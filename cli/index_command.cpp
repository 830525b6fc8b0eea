// sipas index: the PAR index from appraisal points and survey results.

#include <iomanip>
#include <iostream>
#include <sstream>

#include "analysis/error.hpp"
#include "analysis/par_index.hpp"
#include "analysis/standard_schemes.hpp"
#include "cli/commands.hpp"
#include "cli/flag_names.hpp"
#include "io/file.hpp"

namespace sipas::cli {
namespace {

namespace a = sipas::analysis;

struct IndexOptions {
  std::string scheme, appraisal, units, thresholds, out;
  std::vector<std::string> survey;
  std::optional<int> precision;
  bool list = false;
  bool raw_csv = false;
};

int list_schemes() {
  for (const auto& file : a::standard_schemes()) {
    const std::string name = a::scheme_short_name(file);
    const a::IndexScheme s = a::parse_index_scheme(std::string(file.content), name + ".json");
    std::size_t areas = 0;
    for (const auto& n : s.nodes)
      areas += n.depth == 0 ? 1 : 0;
    std::cout << std::left << std::setw(20) << name << s.decision << " (" << s.year << "), "
              << s.level << ", " << areas << " areas, " << s.max_points() << " points of which "
              << s.survey_max() << " from the survey: " << s.title.en << "\n";
  }
  return exit_ok;
}

// Units a survey leaf has no value for: a results file is often what is
// missing (the departments' SIPAS leaf needs `analyze --by department`), and
// the index is then computed on a smaller maximum without a word.
void warn_missing_survey_points(const std::vector<a::MissingSurveyLeaf>& gaps) {
  for (const auto& gap : gaps) {
    std::string units;
    for (const auto& u : gap.units)
      units += (units.empty() ? "" : ", ") + u;
    const std::string count = std::to_string(gap.units.size());
    const bool sipas = gap.method == a::IndexNode::Method::Sipas;
    std::cerr << "sipas: cảnh báo: " << count << " đơn vị không có điểm khảo sát cho tiêu chí "
              << gap.leaf << ": " << units
              << (sipas ? " (thiếu tệp kết quả của `sipas analyze --index ... --by CỘT`, CỘT chứa "
                          "các đơn vị này, vd. --by department?)\n"
                        : " (thiếu tệp kết quả của `sipas analyze --scheme` có câu trả lời về các "
                          "đơn vị này?)\n");
    std::cerr << "sipas: warning: " << count << " unit"
              << (gap.units.size() == 1 ? " has" : "s have") << " no survey points for leaf "
              << gap.leaf << ": " << units
              << (sipas ? " (is a results file of `sipas analyze --index ... --by COLUMN` missing, "
                          "COLUMN holding these units, e.g. --by department?)\n"
                        : " (is a results file of `sipas analyze --scheme` with answers about "
                          "these units missing?)\n");
  }
}

int run_index(const IndexOptions& o) {
  if (o.list) return list_schemes();
  if (o.scheme.empty()) {
    throw a::AnalysisError("index.missing_option",
                           "--scheme is required: a scheme file or an embedded scheme's name "
                           "(sipas index --list-schemes)");
  }
  if (o.appraisal.empty())
    throw a::AnalysisError("index.missing_option", "--appraisal appraisal.csv is required");
  const bool csv = o.out.ends_with(".csv");
  if (!o.out.empty() && !csv && !o.out.ends_with(".json")) {
    throw a::AnalysisError("index.invalid_option",
                           "--out " + o.out + ": the name must end in .json or .csv");
  }
  a::ParIndexRequest r;
  r.scheme = o.scheme;
  r.appraisal = o.appraisal;
  if (!o.units.empty()) r.units = o.units;
  for (const auto& s : o.survey)
    r.survey.emplace_back(s);
  if (!o.thresholds.empty()) r.thresholds = a::parse_thresholds(o.thresholds);
  r.precision = o.precision;
  r.command_line = invocation();
  const a::ParIndexResult result = a::run_par_index(r);
  const std::string text = csv ? a::par_index_csv(result, {.neutralise_formulas = !o.raw_csv})
                               : a::par_index_json(result).dump(2) + "\n";
  if (o.out.empty()) {
    std::cout << text;
  } else {
    // Points and ranks of units, no person's data.
    io::write_file_atomic(o.out, text, io::FileAccess::shared);
    std::size_t ranked = 0, rescaled = 0;
    for (const auto& u : result.units) {
      ranked += u.rank ? 1 : 0;
      rescaled += u.rescaled ? 1 : 0;
    }
    std::cerr << o.out << ": " << result.units.size() << " units, " << ranked << " ranked, "
              << rescaled << " rescaled without survey points\n";
  }
  if (r.survey.empty() && result.scheme.survey_max() > 0) {
    std::cerr << "note: no --survey given: every unit's index is its appraised points over the "
                 "appraised maximum\n";
  } else {
    warn_missing_survey_points(result.survey_missing);
  }
  return exit_ok;
}

}  // namespace

void add_index_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<IndexOptions>();
  auto* cmd = app.add_subcommand(
      "index",
      "The PAR index: appraised points and survey points per unit, the index of every area "
      "and criterion (points / applicable maximum x 100), ranks and groups.");
  cmd->add_option("--scheme", o->scheme,
                  "Index scheme (sipas-par-index/1): a JSON file, or the name of an embedded "
                  "scheme such as par-province-876 (see --list-schemes)");
  cmd->add_option("--appraisal", o->appraisal,
                  "Appraised points, CSV unit,criterion,points (one row per unit and appraised "
                  "leaf; points empty or n/a: the criterion does not apply to the unit)");
  cmd->add_option("--units", o->units,
                  "Units, CSV unit,name[,ranked] (ranked yes/no, default yes); without it the "
                  "units are those of the appraisal");
  cmd->add_option("--survey", o->survey,
                  "Results JSON of sipas analyze (repeatable): par_points for the survey leaves "
                  "(analyze --scheme with this scheme), the SIPAS statistic by unit for sipas "
                  "leaves (analyze --index ... --by UNIT_COLUMN)");
  cmd->add_option("--thresholds", o->thresholds,
                  "Groups GROUP=MIN,... in descending order, or none (default: the scheme's; "
                  "A=90,B=80,C=70)");
  cmd->add_option("--precision", o->precision,
                  "Decimals at which indices are ranked and grouped (default: the scheme's, 2)");
  cmd->add_option("--out", o->out,
                  "par-index.json or par-index.csv (format by extension; default: JSON on "
                  "standard output)");
  cmd->add_flag("--list-schemes", o->list, "List the embedded schemes and exit");
  add_raw_csv_flag(*cmd, o->raw_csv);
  cmd->footer(
      "A unit without any survey value is rescaled: index = 100 x appraised points / (applicable "
      "maximum - survey maximum), and flagged; a survey leaf without a value for some units leaves "
      "their maximum, and a warning names the leaf and the units. Units whose indices are equal at "
      "the published "
      "precision share a rank. Formats and formulas: analysis/README.md, \"PAR index\".\n"
      "Exit codes: 0 ok, 1 user error (the message names the file and line, or the field), 2 "
      "internal error.");
  cmd->callback([&run, o] {
    run = [o] { return run_with_flags({index_flags}, [&] { return run_index(*o); }); };
  });
}

}  // namespace sipas::cli
