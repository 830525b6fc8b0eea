// sipas report: being built (issue 6); registered so the command list is complete.

#include "analysis/error.hpp"
#include "cli/commands.hpp"

namespace sipas::cli {

void add_report_command(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand("report", "(being built)");
  cmd->callback([&run] {
    run = []() -> int {
      throw analysis::AnalysisError("cli.not_built", "sipas report is not built yet");
    };
  });
}

}  // namespace sipas::cli
