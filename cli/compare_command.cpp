// sipas compare: differences between domains, each domain against the whole
// population, and year on year across a reorganisation of the units.

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "analysis/compare_run.hpp"
#include "analysis/error.hpp"
#include "cli/commands.hpp"
#include "cli/design_options.hpp"
#include "cli/flag_names.hpp"
#include "io/file.hpp"

namespace sipas::cli {
namespace {

namespace a = sipas::analysis;

constexpr const char* last_year_prefix = "last-year-";

struct CompareOptions {
  DesignOptions design, last_design;
  std::vector<std::string> means, props, pairs;
  std::string by, adjust = "holm", last_year, this_year, unit_map, last_year_by,
                  out = "compare.json";
  bool each_vs_all = false;
  double level = 0.95;
  const CLI::App* command = nullptr;  // to ask which options were given
};

std::string cell(double x, int decimals) {
  if (!std::isfinite(x)) return "-";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

std::string p_cell(double p) {
  if (!std::isfinite(p)) return "-";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, p < 1e-4 ? "%.1e" : "%.4f", p);
  return buffer;
}

std::string padded(const std::string& text, std::size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

// The short table printed after the file is written.
std::string summary(const a::CompareResult& r) {
  std::ostringstream out;
  const std::string adjusted = r.adjustment == a::Adjustment::None
                                   ? "unadjusted p"
                                   : a::to_string(r.adjustment) + "-adjusted p";
  if (!r.comparisons.empty()) {
    out << r.statistic << " of " << r.variable << " by " << r.by << ": " << r.comparisons.size()
        << " comparisons, " << adjusted << ", level " << r.level << "\n";
    out << padded("a", 16) << padded("b", 16) << padded("difference", 12) << padded("se", 10)
        << padded("p", 10) << padded("p_adj", 10) << "direction\n";
    for (const auto& d : r.comparisons) {
      out << padded(d.a, 16) << padded(d.b, 16) << padded(cell(d.difference, 4), 12)
          << padded(cell(d.se, 4), 10) << padded(p_cell(d.p), 10)
          << padded(p_cell(d.p_adjusted), 10) << d.direction << "\n";
    }
  }
  if (r.year_on_year_asked) {
    std::size_t with_past = 0;
    for (const auto& y : r.year_on_year)
      with_past += y.past != "none";
    out << "year on year, " << r.variable << " by " << r.by << ": " << with_past << " of "
        << r.year_on_year.size() << " units with a comparable past (" << a::year_on_year_test
        << "), " << adjusted << "\n";
    out << padded("unit", 20) << padded("this_year", 12) << padded("last_year", 12)
        << padded("difference", 12) << padded("se", 10) << padded("p_adj", 10) << padded("past", 10)
        << "direction\n";
    for (const auto& y : r.year_on_year) {
      out << padded(y.unit, 20) << padded(cell(y.this_year, 4), 12)
          << padded(cell(y.last_year, 4), 12) << padded(cell(y.difference, 4), 12)
          << padded(cell(y.se, 4), 10) << padded(p_cell(y.p_adjusted), 10) << padded(y.past, 10)
          << y.direction << "\n";
    }
  }
  return out.str();
}

int run_compare(const CompareOptions& o) {
  a::CompareRequest r;
  r.analysis = design_request(o.design, "");
  using Kind = a::StatisticRequest::Kind;
  if (o.means.size() + o.props.size() != 1) {
    throw a::AnalysisError("compare.invalid_statistic",
                           "give one --mean VAR or one --prop VAR=CODES (one statistic is "
                           "compared per run)");
  }
  r.analysis.statistics.push_back(o.means.empty() ? a::parse_statistic(Kind::Proportion, o.props[0])
                                                  : a::parse_statistic(Kind::Mean, o.means[0]));
  if (o.by.empty())
    throw a::AnalysisError("compare.missing_option",
                           "--by COL is required: the column whose "
                           "levels are compared");
  r.analysis.by = {o.by};
  r.analysis.level = o.level;
  for (const auto& text : o.pairs) {
    const auto comma = text.find(',');
    if (comma == std::string::npos || comma == 0 || comma + 1 == text.size() ||
        text.find(',', comma + 1) != std::string::npos) {
      throw a::AnalysisError("compare.invalid_option",
                             "--pair " + text + ": write A,B (two levels of --by, or a level and " +
                                 a::everyone_label + ")");
    }
    r.pairs.emplace_back(text.substr(0, comma), text.substr(comma + 1));
  }
  r.each_vs_all = o.each_vs_all;
  auto adjustment = a::adjustment_from_string(o.adjust);
  if (!adjustment)
    throw a::AnalysisError("compare.invalid_option", "--adjust must be holm, BH or none");
  r.adjustment = *adjustment;
  if (!o.last_year.empty()) r.last_year = o.last_year;
  if (!o.this_year.empty()) r.this_year = o.this_year;
  if (!o.unit_map.empty()) r.unit_map = o.unit_map;
  r.last_year_by = o.last_year_by;
  if (!o.last_design.data.empty()) {
    r.last_year_data = design_request(o.last_design, last_year_prefix);
  } else if (o.last_design.any_given(*o.command, last_year_prefix)) {
    throw a::AnalysisError("compare.missing_option",
                           "the --last-year-... design options describe last year's data: give "
                           "--last-year-data FILE with them");
  }
  r.command_line = invocation();
  const auto result = a::run_compare(r);
  // Estimates and tests for domains, no record-level data.
  io::write_file_atomic(o.out, a::to_json(result).dump(2) + "\n", io::FileAccess::shared);
  std::cout << summary(result);
  std::cerr << o.out << ": " << result.comparisons.size() << " comparisons"
            << (result.year_on_year_asked
                    ? ", " + std::to_string(result.year_on_year.size()) + " units year on year"
                    : std::string())
            << "\n";
  return exit_ok;
}

}  // namespace

void add_compare_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<CompareOptions>();
  auto* cmd = app.add_subcommand(
      "compare",
      "Which units did better or worse: differences between levels of --by (--pair A,B) or of "
      "each level against the whole population (--each-vs-all), with design-based SEs that use "
      "the covariance of the two estimates, intervals and p-values (t with the design's degrees "
      "of freedom), adjusted for multiple comparisons (Holm, Benjamini-Hochberg as R's "
      "p.adjust); and year on year against an earlier results file (--last-year), across a "
      "reorganisation of the units (--unit-map old_unit,new_unit,date), from last year's "
      "estimates or answers (--last-year-data). Writes JSON (--out) and prints a table.");
  o->command = cmd;
  add_design_options(*cmd, o->design, "", "");
  cmd->add_option("--mean", o->means, "Mean of VAR (one --mean or one --prop)");
  cmd->add_option("--prop", o->props, "Proportion VAR=CODE[,CODE...]");
  cmd->add_option("--by", o->by, "The column whose levels (units) are compared");
  cmd->add_option("--pair", o->pairs,
                  "A,B: the difference A - B of two levels of --by, or of a level and 'all' "
                  "(the whole population); repeatable");
  cmd->add_flag("--each-vs-all", o->each_vs_all,
                "Every level against the whole population it is part of (the overlap "
                "accounted for)");
  cmd->add_option("--adjust", o->adjust,
                  "Multiple comparisons: holm (family-wise), BH (false discovery rate) or none")
      ->capture_default_str();
  cmd->add_option("--level", o->level,
                  "Confidence level; a difference is significant when its "
                  "adjusted p is below 1 - level")
      ->capture_default_str();
  cmd->add_option("--last-year", o->last_year,
                  "Results file of sipas analyze for last year (the same --mean/--prop by the "
                  "unit column): this year's units beside their past");
  cmd->add_option("--this-year", o->this_year,
                  "This year's estimates from a results file instead of --data (year on year "
                  "only)");
  cmd->add_option("--unit-map", o->unit_map,
                  "CSV old_unit,new_unit,date (YYYY-MM-DD): which of last year's units each of "
                  "this year's is made of; an unchanged unit is listed with old = new, and a "
                  "unit not listed has no comparable past. Without it units are matched by "
                  "identical code (assumed unchanged)");
  cmd->add_option("--last-year-by", o->last_year_by, "Last year's unit column (default: --by)");
  add_design_options(*cmd, o->last_design, last_year_prefix, " (last year's)");
  cmd->add_option("--out", o->out, "Output JSON")->capture_default_str();
  cmd->callback([&run, o] {
    run = [o] {
      return run_with_flags({analysis_flags, compare_flags}, [&] { return run_compare(*o); });
    };
  });
}

}  // namespace sipas::cli
