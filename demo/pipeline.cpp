#include "demo/pipeline.hpp"

#include <iomanip>
#include <sstream>

#include "demo/error.hpp"
#include "demo/stages.hpp"
#include "io/file.hpp"
#include "sampling/design_spec.hpp"
#include "sampling/draw.hpp"
#include "sampling/standard_designs.hpp"
#include "sampling/synthetic_frame.hpp"

namespace sipas::demo {

namespace fs = std::filesystem;
namespace s = sipas::sampling;

s::SampleSummary draw(const fs::path& frame, const char* design, const fs::path& out,
                      std::vector<std::string> carry, std::uint64_t seed, bool raw_csv) {
  const auto* file = s::find_standard_design(design);
  if (!file) throw DemoError("demo.missing_design", std::string("no embedded design ") + design);
  s::SampleRequest request;
  request.frame = frame;
  request.design = s::parse_design_spec(std::string(file->content), std::string(file->name));
  request.seed = seed;
  request.seed_given = true;
  request.carry = std::move(carry);
  request.out = out;
  request.neutralise_formulas = !raw_csv;
  request.command_line = "sipas demo";
  auto summary = s::draw_sample(request);
  auto record = out;
  record.replace_extension(".design.json");
  io::write_file_atomic(record, summary.design.dump(2) + "\n", io::FileAccess::shared);
  return summary;
}

io::Rng unit_rng(std::uint64_t seed, const std::string& id) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : id)
    h = (h ^ c) * 1099511628211ULL;
  return io::Rng(seed ^ h);
}

double commune_effect(std::uint64_t seed, const std::string& district, const std::string& commune) {
  return 0.4 * (unit_rng(seed + 17, district + "/" + commune).uniform() - 0.5);
}

std::string percent(double fraction) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << 100 * fraction << "%";
  return out.str();
}

void make_frames_and_samples(StageContext& c) {
  const auto& o = c.options;
  c.stage(1, "A synthetic province");
  s::SyntheticFrameOptions frame_options;
  frame_options.rows = o.citizens;
  frame_options.districts_per_province = o.districts;
  frame_options.seed = o.seed;
  frame_options.with_departments = true;
  frame_options.neutralise_formulas = !o.raw_csv;
  const auto citizens = s::write_synthetic_frame(c.path("citizens-frame.csv"), frame_options);
  const auto officials =
      write_officials_frame(c.path("officials-frame.csv"), c.province, o.leaders_per_unit,
                            o.deputies, c.csv(io::FileAccess::owner_only));
  write_units(c.path("units.csv"), c.province, c.csv(io::FileAccess::shared));
  c.detail(std::to_string(c.province.departments.size()) + " departments, " +
           std::to_string(c.province.districts.size()) + " districts, " +
           std::to_string(o.districts * frame_options.communes_per_district) + " communes");
  c.detail(std::to_string(citizens) + " people who completed procedures; " +
           std::to_string(officials) +
           " ratings officials can give (department and district leaders rate each other, "
           "People's Council deputies rate all)");
  c.output("citizens' frame", "citizens-frame.csv");
  c.output("officials' frame", "officials-frame.csv");
  c.output("assessed units", "units.csv");

  c.stage(2, "Samples with reserves");
  auto cs = draw(c.path("citizens-frame.csv"), "designs/province-districts.json",
                 c.path("citizens-sample.csv"),
                 {"district", "commune", "department", "service_field", "channel", "sex",
                  "age_group", "phone"},
                 o.seed, o.raw_csv);
  c.detail("citizens: " + std::to_string(cs.main) + " main and " + std::to_string(cs.reserves) +
           " reserves in " + std::to_string(cs.strata) +
           " districts (3 communes each by PPS with the seat certain, 15 people per commune)");
  auto os = draw(c.path("officials-frame.csv"), "designs/province-officials.json",
                 c.path("officials-sample.csv"), {"target_kind", "respondent_group", "home_unit"},
                 o.seed + 1, o.raw_csv);
  c.detail("officials: " + std::to_string(os.main) + " main and " + std::to_string(os.reserves) +
           " reserves, 12 ratings of each of " + std::to_string(os.strata) + " units");
  c.output("citizens' sample and design record", "citizens-sample.csv");
  c.output("officials' sample and design record", "officials-sample.csv");
}

DemoResult run_demo(const DemoOptions& options, const Progress& progress) {
  std::error_code failed;
  fs::create_directories(options.out, failed);
  if (failed) {
    throw DemoError("demo.bad_out", "cannot create the output folder " + options.out.string() +
                                        ": " + failed.message());
  }
  DemoResult result;
  StageContext context{options, make_province(options.districts, options.seed), progress, result};
  make_frames_and_samples(context);
  run_fieldwork(context);
  publish_results(context);
  return result;
}

}  // namespace sipas::demo
