#pragma once

// Design records of `sipas sample` drawn by the sampler itself, for the
// report's tests: the demo's multi-stage design (communes by pps with the seat
// certain, then people by SRS with reserves) and the provincial four-stage one
// on a synthetic province, a stratified SRS, a systematic sample in 72
// strata, and a pps sample whose two strata use the two algorithms. Nothing
// is kept on disk: the frames live in a temporary folder while they are drawn.

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "sampling/draw.hpp"
#include "sampling/standard_designs.hpp"
#include "sampling/synthetic_frame.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::test {

inline constexpr std::uint64_t sample_seed = 20240501;

struct Records {
  // province-districts.json: communes by pps (the seat certain), people by SRS.
  nlohmann::json multi;
  nlohmann::json papi;    // province-citizens.json: districts, communes, villages, people
  nlohmann::json single;  // SRS by district, proportional allocation, reserves
  nlohmann::json many;    // systematic in 72 strata (district × commune), equal allocation
  nlohmann::json pps;     // pps with sizes per stratum given in a file
  std::uint64_t frame_rows = 0;
};

namespace sample_design_detail {

namespace sampling = sipas::sampling;
using Json = nlohmann::json;

inline sampling::SampleRequest request(const std::filesystem::path& frame,
                                       const std::filesystem::path& out) {
  sampling::SampleRequest r;
  r.frame = frame;
  r.out = out;
  r.seed = sample_seed;
  r.seed_given = true;
  return r;
}

inline Json draw_design(const std::filesystem::path& frame, const std::filesystem::path& out,
                        const char* design) {
  sampling::SampleRequest r = request(frame, out);
  const auto* file = sampling::find_standard_design(design);
  r.design = sampling::parse_design_spec(std::string(file->content), std::string(file->name));
  r.command_line = std::string("sipas sample --design ") + design;
  return sampling::draw_sample(r).design;
}

}  // namespace sample_design_detail

// Drawn once: 6,000 people in 6 districts of 12 communes of 3 villages.
inline const Records& records() {
  static const Records drawn = [] {
    using namespace sample_design_detail;
    sipas::test::TempDir dir("sipas-sample-design");
    const auto frame = dir / "frame.csv";
    sampling::SyntheticFrameOptions fo;
    fo.rows = 6000;
    fo.districts_per_province = 6;
    fo.communes_per_district = 12;
    fo.villages_per_commune = 3;
    fo.seed = 11;
    Records out;
    out.frame_rows = sampling::write_synthetic_frame(frame, fo);
    out.multi = draw_design(frame, dir / "a.csv", "designs/province-districts.json");
    out.papi = draw_design(frame, dir / "b.csv", "designs/province-citizens.json");

    sampling::SampleRequest r = request(frame, dir / "c.csv");
    r.strata = {"district"};
    r.total = 200;
    r.reserve = 3;
    r.command_line = "sipas sample --strata district --n 200 --reserve 3";
    out.single = sampling::draw_sample(r).design;

    r = request(frame, dir / "d.csv");
    r.strata = {"district", "commune"};
    r.total = 144;
    r.allocation.method = sampling::AllocationMethod::Equal;
    r.method = sampling::SelectionMethod::Systematic;
    r.sort_column = "village";
    out.many = sampling::draw_sample(r).design;

    // Stratum A: 2 of 20 (Sampford's method finishes); B: 100 of 300
    // (it would not: the maximum-entropy design).
    {
      std::ofstream f(dir / "pps.csv");
      f << "id,stratum,size\n";
      for (int i = 1; i <= 20; ++i)
        f << "a" << i << ",A," << i << "\n";
      for (int i = 1; i <= 300; ++i)
        f << "b" << i << ",B," << 1 + i % 7 << "\n";
      std::ofstream(dir / "n.csv") << "stratum,n\nA,2\nB,100\n";
    }
    r = request(dir / "pps.csv", dir / "e.csv");
    r.strata = {"stratum"};
    r.n_per_stratum = dir / "n.csv";
    r.method = sampling::SelectionMethod::Pps;
    r.size_column = "size";
    r.seed_given = false;
    out.pps = sampling::draw_sample(r).design;
    return out;
  }();
  return drawn;
}

}  // namespace sipas::test
