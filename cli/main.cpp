// The sipas command: parses the command line and dispatches to a subcommand.

#include <algorithm>
#include <iostream>

#include "app/use_case_error.hpp"

#include "cli/commands.hpp"
#include "cli/usage_errors.hpp"
#include "io/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"sipas: citizen-satisfaction surveys for public administration"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("sipas 0.1.0"));
  sipas::cli::Action run;
  sipas::cli::set_invocation(argc, argv);
  sipas::cli::add_questionnaire_command(app, run);
  sipas::cli::add_sample_command(app, run);
  sipas::cli::add_analyze_command(app, run);
  sipas::cli::add_compare_command(app, run);
  sipas::cli::add_weights_command(app, run);
  sipas::cli::add_serve_command(app, run);
  sipas::cli::add_survey_admin_commands(app, run);
  sipas::cli::add_db_command(app, run);
  sipas::cli::add_index_command(app, run);
  sipas::cli::add_export_command(app, run);
  sipas::cli::add_report_command(app, run);
  sipas::cli::add_verify_command(app, run);
  sipas::cli::add_small_area_command(app, run);
  sipas::cli::add_demo_command(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    app.exit(e);
    return sipas::cli::exit_ok;
  } catch (const CLI::ParseError& e) {
    const auto error = sipas::cli::describe_parse_error(app, e);
    sipas::cli::print_error(std::cerr, error.id, error.message);
    return sipas::cli::exit_user_error;
  }
  try {
    return run ? run() : sipas::cli::exit_user_error;
  } catch (const sipas::app::UseCaseError& e) {
    // A use case names the field of its request; here it is the flag.
    std::string message = e.what();
    if (!e.field().empty()) {
      std::string flag = e.field();
      std::replace(flag.begin(), flag.end(), '_', '-');
      message += " (--" + flag + ")";
    }
    sipas::cli::print_error(std::cerr, e.id(), message);
    return sipas::cli::exit_user_error;
  } catch (const sipas::Error& e) {
    sipas::cli::print_error(std::cerr, e.id(), e.what());
    return sipas::cli::exit_user_error;
  } catch (const std::exception& e) {
    std::cerr << "sipas: internal error: " << e.what() << "\n";
    return sipas::cli::exit_internal_error;
  }
}
