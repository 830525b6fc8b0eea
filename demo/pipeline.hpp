#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace sipas::demo {

struct DemoOptions {
  std::filesystem::path out = "sipas-demo";
  std::uint64_t seed = 2024;
  std::uint64_t citizens = 60000;  // rows of the citizens' frame
  int districts = 10;
  int leaders_per_unit = 4;  // officials of each unit who rate the others
  int deputies = 20;         // People's Council deputies, who rate every unit
  int clients = 8;           // simultaneous respondents over HTTP
  // The loopback port of the demo's server (0: any free one). The links
  // files hold it, so two runs write the same links only on the same port.
  unsigned short port = 0;
  // Write every CSV's cells as they are, without the apostrophe that keeps a
  // spreadsheet from running a cell as a formula (`--raw-csv`;
  // io/formula_guard.hpp).
  bool raw_csv = false;
};

// One file the demo wrote, for the closing list.
struct DemoOutput {
  std::string what;
  std::filesystem::path path;
};

struct DemoResult {
  std::vector<DemoOutput> outputs;
  unsigned short port = 0;  // where the server listened
};

// A line of progress for the person watching ("[3/8] ..." for a stage, "  ..."
// for a detail).
using Progress = std::function<void(const std::string& line)>;

// The whole year on generated data (README, "The whole year by hand", gives
// the same steps as commands): a synthetic province, samples with reserves, a
// server on a free loopback port, simulated citizens and officials answering
// over HTTP (with non-response, invalid submissions that must be rejected,
// replays, reserves activated where response is low), close, analysis with
// raking to the frame's margins, the PAR index, exports and the report.
// Files with personal data (frames, samples, links, keys, answers and their
// exports) are written owner-only (0600); the others (designs, progress,
// margins, appraisal, results, index, report) are shared.
// Throws sipas::Error when a stage fails or an outcome the simulation makes
// certain does not happen.
DemoResult run_demo(const DemoOptions& options, const Progress& progress);

}  // namespace sipas::demo
