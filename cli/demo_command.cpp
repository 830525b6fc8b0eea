// sipas demo: the main job on the embedded defaults. It loads the standard
// questionnaires, checks the example responses, makes a synthetic provincial
// frame, draws a multi-stage sample, lets the sampled citizens answer
// (simulated) and estimates the satisfaction indices with raking to the
// frame's margins; it grows, stage by stage, into the whole yearly pipeline.

#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "analysis/run.hpp"
#include "cli/commands.hpp"
#include "cli/questionnaire_output.hpp"
#include "io/file.hpp"
#include "questionnaires/error.hpp"
#include "questionnaires/item_scores.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/simulated_answers.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/summary.hpp"
#include "questionnaires/validation.hpp"
#include "sampling/design_spec.hpp"
#include "sampling/draw.hpp"
#include "sampling/frame_counts.hpp"
#include "sampling/standard_designs.hpp"
#include "sampling/synthetic_frame.hpp"

namespace sipas::cli {
namespace {

namespace q = sipas::questionnaires;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

namespace s = sipas::sampling;

struct DemoOptions {
  std::string out = "sipas-demo";
  std::uint64_t seed = 2024;
};

// Stage 3: a synthetic province and a PAPI-style sample of its citizens.
void demo_sampling(const DemoOptions& o) {
  namespace fs = std::filesystem;
  fs::create_directories(o.out);
  const fs::path frame = fs::path(o.out) / "frame.csv";
  s::SyntheticFrameOptions frame_options;
  frame_options.rows = 60000;
  frame_options.seed = o.seed;
  auto rows = s::write_synthetic_frame(frame, frame_options);
  std::cout << "  " << frame.string() << ": " << rows << " people who completed procedures in "
            << frame_options.districts_per_province << " districts\n";
  const auto* design_file = s::find_standard_design("designs/province-citizens.json");
  s::SampleRequest request;
  request.frame = frame;
  request.design =
      s::parse_design_spec(std::string(design_file->content), std::string(design_file->name));
  request.seed = o.seed;
  request.seed_given = true;
  request.carry = {"district", "commune", "village",  "service_field",
                   "channel",  "sex",     "age_group"};
  request.out = fs::path(o.out) / "sample.csv";
  request.command_line = "sipas demo";
  auto summary = s::draw_sample(request);
  io::write_file_atomic(fs::path(o.out) / "design.json", summary.design.dump(2) + "\n");
  std::cout << "  " << request.out.string() << ": " << summary.main << " main and "
            << summary.reserves
            << " reserve respondents (districts and communes by PPS with the capital and the seats "
               "certain, villages by systematic PPS, 15 people per village)\n"
            << "  " << (fs::path(o.out) / "design.json").string() << ": the design record\n";
}

// Stage 4: the sampled citizens answer, and the indices are estimated.
void demo_analysis(const DemoOptions& o) {
  namespace fs = std::filesystem;
  const fs::path out(o.out);
  const auto* form_file = q::find_standard_file("forms/sipas-citizen.json");
  const fs::path form_path = out / "sipas-citizen.json";
  io::write_file_atomic(form_path, form_file->content);
  auto form = q::load_questionnaire(form_file->content, form_file->name);
  q::SimulatedAnswersOptions answers;
  answers.seed = o.seed;
  answers.propensity_column = "district";
  answers.carry = {"district", "sex", "age_group"};
  auto simulated =
      q::write_simulated_answers(form, out / "sample.csv", out / "responses.csv", answers);
  std::cout << "  " << (out / "responses.csv").string() << ": " << simulated.responded << " of "
            << simulated.invited
            << " sampled citizens answered (simulated; every response validated)\n";
  // Population margins of the frame: sex and age group.
  std::string margins = "variable,level,total\n";
  for (const char* column : {"sex", "age_group"}) {
    for (const auto& [level, count] : s::count_strata(out / "frame.csv", {column})) {
      margins += std::string(column) + "," + level + "," + std::to_string(count) + "\n";
    }
  }
  io::write_file_atomic(out / "margins.csv", margins);
  analysis::AnalysisRequest request;
  request.data = out / "responses.csv";
  request.design.strata = "stratum";
  request.design.clusters = {"psu"};
  request.design.weights = "design_weight";
  request.margins = out / "margins.csv";
  request.calfun = "raking";
  request.index = form_path;
  request.by = {"district"};
  request.command_line = "sipas demo";
  auto result = analysis::run_analysis(request);
  io::write_file_atomic(out / "results.json", analysis::to_json(result).dump(2) + "\n");
  std::cout << "  raked to the frame's sex and age margins in "
            << result.design["calibration"]["iterations"]
            << " passes; design: " << result.design["variance"].get<std::string>() << "\n";
  for (const auto& e : result.estimates) {
    const bool headline = e.statistic == "overall_index" || e.statistic == "group_index";
    if (!headline) continue;
    std::cout << "  " << (e.domain.empty() ? "province" : e.domain[0].second) << " " << e.variable
              << ": " << std::fixed << std::setprecision(1) << e.estimate << "% (95% CI "
              << e.ci_low << " to " << e.ci_high << ")\n";
  }
  std::cout << std::defaultfloat << "  " << (out / "results.json").string() << ": "
            << result.estimates.size() << " estimates\n";
}

int run_demo(const DemoOptions& options) {
  std::cout << "sipas demo\n\n[1/4] Loading the standard questionnaires\n";
  std::map<std::string, q::Questionnaire> forms;
  for (const auto& file : q::standard_files()) {
    if (!starts_with(file.name, "forms/") && file.name != "examples/example-questionnaire.json")
      continue;
    auto questionnaire = q::load_questionnaire(file.content, file.name);
    print_summary(std::cout, std::string(file.name), q::summarize(questionnaire));
    forms.emplace(questionnaire.id(), std::move(questionnaire));
  }

  std::cout << "\n[2/4] Checking the example responses\n";
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
  std::cout << "\n[3/4] Drawing a sample from a synthetic provincial frame\n";
  demo_sampling(options);
  std::cout << "\n[4/4] Simulated answers and the satisfaction indices\n";
  demo_analysis(options);
  std::cout << "\n"
            << forms.size() << " questionnaires loaded; example responses "
            << (unexpected == 0 ? "behaved as expected" : "did NOT behave as expected")
            << "; outputs in " << options.out << "/\n";
  return unexpected == 0 ? exit_ok : exit_internal_error;
}

}  // namespace

void add_demo_command(CLI::App& app, Action& run) {
  auto* demo = app.add_subcommand("demo",
                                  "Run the main job on the embedded defaults: load the standard "
                                  "questionnaires, check the example "
                                  "responses (valid ones must pass, invalid ones must be "
                                  "rejected), make a synthetic provincial frame "
                                  "and draw a multi-stage sample from it.");
  auto options = std::make_shared<DemoOptions>();
  demo->add_option("--out", options->out, "Folder for the demo's outputs")->capture_default_str();
  demo->add_option("--seed", options->seed, "Seed of the synthetic data and the sample")
      ->capture_default_str();
  demo->callback([&run, options] { run = [options] { return run_demo(*options); }; });
}

}  // namespace sipas::cli
