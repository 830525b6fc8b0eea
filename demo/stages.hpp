#pragma once

// Internal to the demo: the stages of run_demo(), in three files.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "demo/pipeline.hpp"
#include "demo/province.hpp"
#include "io/csv_writer.hpp"
#include "io/rng.hpp"
#include "sampling/draw.hpp"

namespace sipas::demo {

inline constexpr int stage_count = 8;
inline const std::string citizens_survey = "sipas-2026";
inline const std::string officials_survey = "par-officials-2026";

struct StageContext {
  const DemoOptions& options;
  Province province;
  const Progress& progress;
  DemoResult& result;

  std::filesystem::path path(const std::string& name) const { return options.out / name; }
  void stage(int n, const std::string& title) const {
    progress("[" + std::to_string(n) + "/" + std::to_string(stage_count) + "] " + title);
  }
  void detail(const std::string& line) const { progress("  " + line); }
  void output(std::string what, const std::string& name) const {
    result.outputs.push_back({std::move(what), path(name)});
  }
  // How the demo's CSV files are written: guarded unless --raw-csv.
  io::CsvWriterOptions csv(io::FileAccess access) const {
    return {.neutralise_formulas = !options.raw_csv, .access = access};
  }
  // The query parameter that asks the server for the same ("&raw=1" or "").
  std::string raw_query() const { return options.raw_csv ? "&raw=1" : ""; }
};

// Deterministic randomness per unit or invitation: the same one behaves the
// same in every run with the same seed, whichever client thread serves it.
io::Rng unit_rng(std::uint64_t seed, const std::string& id);

// Draws a sample of `frame` with an embedded design and writes its design
// record beside it.
sampling::SampleSummary draw(const std::filesystem::path& frame, const char* design,
                             const std::filesystem::path& out, std::vector<std::string> carry,
                             std::uint64_t seed, bool raw_csv);

// A commune's own effect on its citizens' satisfaction, the same every year
// (uniform, SD 0.12): communes of a district differ, as the small-area model
// assumes.
double commune_effect(std::uint64_t seed, const std::string& district, const std::string& commune);

// "12.3%".
std::string percent(double fraction);

// Stages 1-2: the province, its frames and the samples.
void make_frames_and_samples(StageContext& context);
// Stages 3-5: the server, the fieldwork over HTTP, closing and exports.
void run_fieldwork(StageContext& context);
// Stage 6, first: the citizens' weights for nonresponse (margins.csv written).
void weight_citizens(StageContext& context);
// Stage 6: last year's survey of the province, simulated, when one district
// was two (citizens-responses-2025.csv, results-citizens-2025.json,
// unit-map.csv).
struct LastYear {
  std::string year, merged;        // the district that was two
  std::vector<std::string> parts;  // last year's districts it was made of
  std::size_t responses = 0;
  // Last year's district of a commune of this year's `district`.
  std::string district_of(const std::string& district, const std::string& commune) const;
};
LastYear simulate_last_year(StageContext& context);
// Stage 6: communes-direct.csv, each sampled commune's direct share satisfied
// overall with a smoothed variance and last year's share in its district.
// Returns the communes.
std::size_t write_commune_table(StageContext& context, const LastYear& last_year);
// Stage 6: communes-small-area.json, the Fay–Herriot EBLUPs of the communes'
// shares beside the direct ones, with bootstrap rank intervals.
void estimate_communes(StageContext& context);
// Stage 6: compare-districts.json, each district against the province and
// against last year.
void compare_units(StageContext& context, const LastYear& last_year);
// Stages 6-8: analysis, PAR index, exports and the report.
void publish_results(StageContext& context);

}  // namespace sipas::demo
