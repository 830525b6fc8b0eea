#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace sipas::cli {

// Exit codes (design.md): 0 ok, 1 user error, 2 internal error.
inline constexpr int exit_ok = 0;
inline constexpr int exit_user_error = 1;
inline constexpr int exit_internal_error = 2;

// Each command registers its subcommand and stores in `run` the action to
// take when it is chosen; main() parses and runs it.
using Action = std::function<int()>;

void add_questionnaire_command(CLI::App& app, Action& run);
void add_sample_command(CLI::App& app, Action& run);
void add_analyze_command(CLI::App& app, Action& run);

// "a,b,,c" → {a, b, c}: the list options (--strata, --by, --contact).
std::vector<std::string> split_list(const std::string& text);

// --raw-csv, on every command that writes CSV: the cells' bytes as they are,
// without the apostrophe that keeps a spreadsheet from running a text cell
// that begins with = + - @ tab or CR as a formula (io/formula_guard.hpp).
void add_raw_csv_flag(CLI::App& command, bool& raw_csv);

// The command line as typed, for audit records (design.json).
void set_invocation(int argc, char** argv);
const std::string& invocation();
void add_demo_command(CLI::App& app, Action& run);
void add_serve_command(CLI::App& app, Action& run);
void add_survey_admin_commands(CLI::App& app, Action& run);
void add_survey_command(CLI::App& app, Action& run);
void add_invite_command(CLI::App& app, Action& run);
void add_responses_command(CLI::App& app, Action& run);
void add_key_command(CLI::App& app, Action& run);
void add_unit_command(CLI::App& app, Action& run);
void add_user_command(CLI::App& app, Action& run);
void add_audit_command(CLI::App& app, Action& run);
void add_db_command(CLI::App& app, Action& run);
void add_index_command(CLI::App& app, Action& run);
void add_export_command(CLI::App& app, Action& run);
void add_report_command(CLI::App& app, Action& run);
void add_weights_command(CLI::App& app, Action& run);
void add_verify_command(CLI::App& app, Action& run);
void add_compare_command(CLI::App& app, Action& run);
void add_small_area_command(CLI::App& app, Action& run);

}  // namespace sipas::cli
