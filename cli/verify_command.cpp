// sipas verify: a results file of sipas analyze made again from its inputs.

#include <iostream>

#include "analysis/verify.hpp"
#include "cli/commands.hpp"
#include "cli/flag_names.hpp"

namespace sipas::cli {
namespace {

namespace a = sipas::analysis;

struct VerifyOptions {
  std::string results;
  std::vector<std::string> data_dirs;
};

int run_verify(const VerifyOptions& o) {
  std::vector<std::filesystem::path> dirs(o.data_dirs.begin(), o.data_dirs.end());
  const auto result = a::verify_results(o.results, dirs);
  for (const auto& input : result.inputs) {
    std::cout << "  " << input.role << ": " << input.found << " (SHA-256 " << input.sha256 << ")\n";
  }
  if (result.mismatch) {
    const a::Mismatch& m = *result.mismatch;
    std::cout << o.results << ": NOT reproduced: ";
    if (!m.statistic.empty()) {
      std::cout << m.statistic << " of " << m.variable << " in "
                << (m.domain.empty() ? std::string("everyone") : m.domain) << ", field " << m.field;
    } else {
      std::cout << m.field;
    }
    std::cout << ": the file has " << m.recorded << ", the inputs give " << m.computed << "\n";
    return exit_user_error;
  }
  std::cout << o.results << ": reproduced: all " << result.numbers << " numbers of "
            << result.estimates << " estimates are the same\n";
  return exit_ok;
}

}  // namespace

void add_verify_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<VerifyOptions>();
  auto* cmd = app.add_subcommand(
      "verify",
      "Make a results.json of sipas analyze again from the inputs it records and say whether\n"
      "every number is the same. The inputs (data, margins, questionnaire, scheme) are looked\n"
      "for by name in the --data-dir folders, then beside the results file; a file whose\n"
      "SHA-256 differs from the recorded one is refused. Exit 0: every number reproduced;\n"
      "1: a number differs (the first is named) or the inputs cannot be used.");
  cmd->add_option("results", o->results, "results.json written by sipas analyze")->required();
  cmd->add_option("--data-dir", o->data_dirs, "A folder to look for the inputs in (repeatable)");
  cmd->callback([&run, o] {
    run = [o] {
      return run_with_flags({verify_flags, analysis_flags}, [&] { return run_verify(*o); });
    };
  });
}

}  // namespace sipas::cli
