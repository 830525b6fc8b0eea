// sipas questionnaire check | validate

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/questionnaire_output.hpp"
#include "cli/usage_errors.hpp"
#include "io/file.hpp"
#include "questionnaires/error.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/summary.hpp"
#include "questionnaires/validation.hpp"

namespace sipas::cli {
namespace {

namespace q = sipas::questionnaires;

// A response document is small; anything bigger is refused before parsing.
constexpr std::size_t max_response_bytes = 4 * 1024 * 1024;

struct CheckOptions {
  std::vector<std::string> files;
  bool json = false;
};

struct ValidateOptions {
  std::string form;
  std::string response;
  bool json = false;
};

int run_check(const CheckOptions& options) {
  int status = exit_ok;
  nlohmann::json report = nlohmann::json::array();
  for (const auto& file : options.files) {
    try {
      auto questionnaire = q::load_questionnaire_file(file);
      auto summary = q::summarize(questionnaire);
      if (options.json) {
        report.push_back({{"file", file}, {"ok", true}, {"summary", summary_json(summary)}});
      } else {
        print_summary(std::cout, file, summary);
      }
    } catch (const q::DefinitionError& e) {
      status = exit_user_error;
      if (options.json) {
        report.push_back({{"file", file}, {"ok", false}, {"problems", problems_json(e)}});
      } else {
        std::cerr << file << ": " << e.problems().size() << " problem"
                  << (e.problems().size() == 1 ? "" : "s") << ":\n";
        for (const auto& p : e.problems())
          std::cerr << "  " << p.describe(e.source()) << "\n";
      }
    } catch (const Error& e) {
      status = exit_user_error;
      if (options.json) {
        report.push_back(
            {{"file", file}, {"ok", false}, {"error", {{"id", e.id()}, {"message", e.what()}}}});
      } else {
        print_error(std::cerr, e.id(), e.what());
      }
    }
  }
  if (options.json) std::cout << report.dump(2) << "\n";
  return status;
}

int run_validate(const ValidateOptions& options) {
  auto questionnaire = q::load_questionnaire_file(options.form);
  auto text = io::read_file(options.response, max_response_bytes);
  q::Response response;
  try {
    response = q::parse_response(questionnaire, text);
  } catch (const q::ResponseError& e) {
    throw q::ResponseError(e.id(), options.response + ": " + e.what());
  }
  auto result = q::validate(questionnaire, response);
  if (options.json) {
    std::cout << validation_json(options.response, result).dump(2) << "\n";
  } else {
    print_validation(std::cout, options.response, result);
  }
  return result.ok() ? exit_ok : exit_user_error;
}

}  // namespace

void add_questionnaire_command(CLI::App& app, Action& run) {
  auto* command =
      app.add_subcommand("questionnaire", "Check questionnaire definitions and responses");
  command->require_subcommand(1);

  auto check_options = std::make_shared<CheckOptions>();
  auto* check = command->add_subcommand(
      "check",
      "Load questionnaire files, report every problem (file, JSON path, item, position) and print "
      "a summary of each: items, elements, languages. Exit 1 if any file has a problem.");
  check->add_option("files", check_options->files, "Questionnaire JSON files")
      ->required()
      ->check(CLI::ExistingFile);
  check->add_flag("--json", check_options->json, "Print the report as JSON");
  check->callback(
      [&run, check_options] { run = [check_options] { return run_check(*check_options); }; });

  auto validate_options = std::make_shared<ValidateOptions>();
  auto* validate = command->add_subcommand(
      "validate",
      "Validate a response against a questionnaire and print every problem, each with its item, "
      "error id and a message in the response's language. Exit 1 if there is any.");
  validate->add_option("form", validate_options->form, "Questionnaire JSON file")
      ->required()
      ->check(CLI::ExistingFile);
  validate->add_option("response", validate_options->response, "Response JSON file")
      ->required()
      ->check(CLI::ExistingFile);
  validate->add_flag("--json", validate_options->json, "Print the result as JSON");
  validate->callback([&run, validate_options] {
    run = [validate_options] { return run_validate(*validate_options); };
  });
}

}  // namespace sipas::cli
