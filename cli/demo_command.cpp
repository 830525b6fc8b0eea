// sipas demo: the whole year end to end on generated data (demo/pipeline.hpp).

#include <chrono>
#include <iomanip>
#include <iostream>

#include "cli/commands.hpp"
#include "demo/pipeline.hpp"

namespace sipas::cli {
namespace {

int run_demo(const demo::DemoOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::cout << "sipas demo: one year of a provincial SIPAS and PAR survey, end to end\n";
  auto result = demo::run_demo(options, [&](const std::string& line) {
    if (line.rfind("[", 0) == 0) {
      std::cout << "\n"
                << line << "  (" << std::fixed << std::setprecision(1) << elapsed() << " s)"
                << std::defaultfloat << std::endl;
    } else {
      std::cout << line << std::endl;
    }
  });
  std::cout << "\nDone in " << std::fixed << std::setprecision(1) << elapsed() << " s. Outputs:\n";
  for (const auto& o : result.outputs)
    std::cout << "  " << std::left << std::setw(52) << o.what << " " << o.path.string() << "\n";
  return exit_ok;
}

}  // namespace

void add_demo_command(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand(
      "demo",
      "Run one year end to end on generated data: a synthetic province and its frames, samples\n"
      "with reserves, a survey server on a free loopback port, simulated citizens and officials\n"
      "answering over HTTP (with non-response and invalid submissions that must be rejected),\n"
      "closing, analysis with raking to population margins, the PAR index, exports (CSV, SPSS,\n"
      "Stata, Excel) and the HTML report. Prints where each output is.");
  auto o = std::make_shared<demo::DemoOptions>();
  cmd->add_option("--out", o->out, "Folder for the outputs (created; files in it are replaced)")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of everything generated")->capture_default_str();
  cmd->add_option("--citizens", o->citizens, "Rows of the citizens' frame")->capture_default_str();
  cmd->add_option("--districts", o->districts, "Districts of the province")
      ->check(CLI::Range(2, 99))
      ->capture_default_str();
  cmd->add_option("--clients", o->clients, "Respondents answering at once over HTTP")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--port", o->port,
                  "Loopback port of the demo's server (default 0: any free port; the links "
                  "files name it)")
      ->capture_default_str();
  add_raw_csv_flag(*cmd, o->raw_csv);
  cmd->callback([&run, o] { run = [o] { return run_demo(*o); }; });
}

}  // namespace sipas::cli
