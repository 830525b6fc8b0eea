// sipas demo: the main job on the embedded defaults. For now it loads the
// standard questionnaires and checks the example responses; it grows, stage by
// stage, into the whole yearly pipeline.

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/questionnaire_output.hpp"
#include "questionnaires/error.hpp"
#include "questionnaires/item_scores.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/summary.hpp"
#include "questionnaires/validation.hpp"

namespace sipas::cli {
namespace {

namespace q = sipas::questionnaires;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

int run_demo() {
  std::cout << "sipas demo\n\n[1/2] Loading the standard questionnaires\n";
  std::map<std::string, q::Questionnaire> forms;
  for (const auto& file : q::standard_files()) {
    if (!starts_with(file.name, "forms/") && file.name != "examples/example-questionnaire.json")
      continue;
    auto questionnaire = q::load_questionnaire(file.content, file.name);
    print_summary(std::cout, std::string(file.name), q::summarize(questionnaire));
    forms.emplace(questionnaire.id(), std::move(questionnaire));
  }

  std::cout << "\n[2/2] Checking the example responses\n";
  int unexpected = 0;
  for (const auto& file : q::standard_files()) {
    if (!starts_with(file.name, "examples/responses/")) continue;
    auto form_id = nlohmann::json::parse(file.content).value("questionnaire", "");
    auto form = forms.find(form_id);
    if (form == forms.end()) {
      std::cout << file.name << ": names unknown questionnaire '" << form_id << "'\n";
      ++unexpected;
      continue;
    }
    q::Validator validator(form->second);
    auto response = q::parse_response(form->second, file.content);
    const auto& result = validator.validate(response);
    bool expect_valid = file.name.find("invalid") == std::string_view::npos;
    print_validation(std::cout, std::string(file.name), result);
    if (result.ok()) {
      std::size_t satisfied = 0, valid = 0;
      for (const auto& score : q::score_items(form->second, validator)) {
        satisfied += score.outcome == q::ItemOutcome::Satisfied;
        valid += score.outcome == q::ItemOutcome::Satisfied ||
                 score.outcome == q::ItemOutcome::NotSatisfied;
      }
      std::cout << "  satisfied on " << satisfied << " of " << valid << " scored answers\n";
    }
    if (result.ok() != expect_valid) {
      std::cout << "  UNEXPECTED: this example should be " << (expect_valid ? "valid" : "invalid")
                << "\n";
      ++unexpected;
    }
  }
  std::cout << "\n"
            << forms.size() << " questionnaires loaded; example responses "
            << (unexpected == 0 ? "behaved as expected" : "did NOT behave as expected") << "\n";
  return unexpected == 0 ? exit_ok : exit_internal_error;
}

}  // namespace

void add_demo_command(CLI::App& app, Action& run) {
  auto* demo = app.add_subcommand(
      "demo",
      "Run the main job on the embedded defaults: load the standard questionnaires and check the "
      "example responses (valid ones must pass, invalid ones must be rejected).");
  demo->callback([&run] { run = run_demo; });
}

}  // namespace sipas::cli
