#include "demo/province.hpp"

#include "demo/error.hpp"
#include "io/csv_writer.hpp"
#include "io/rng.hpp"
#include "sampling/synthetic_frame.hpp"

namespace sipas::demo {
namespace {

std::string two_digits(int n) {
  return (n < 10 ? "0" : "") + std::to_string(n);
}

}  // namespace

std::vector<Unit> Province::units() const {
  std::vector<Unit> all = departments;
  all.insert(all.end(), districts.begin(), districts.end());
  return all;
}

Province make_province(int districts, std::uint64_t seed) {
  if (districts < 2)
    throw DemoError("demo.invalid_option", "a province needs at least 2 districts");
  io::Rng rng(seed ^ 0x70726f76696e6365ULL);
  Province p;
  // Qualities spread over 0.55..0.95 so the units differ visibly.
  for (const auto& d : sampling::synthetic_departments())
    p.departments.push_back({d.id, d.name, "department", 0.55 + 0.4 * rng.uniform()});
  for (int d = 1; d <= districts; ++d) {
    std::string name =
        d == 1 ? "Thành phố (huyện " + two_digits(d) + ")" : "Huyện " + two_digits(d);
    p.districts.push_back({"P01-D" + two_digits(d), name, "district", 0.55 + 0.4 * rng.uniform()});
  }
  return p;
}

std::uint64_t write_officials_frame(const std::filesystem::path& path, const Province& province,
                                    int leaders_per_unit, int deputies,
                                    const io::CsvWriterOptions& csv) {
  io::CsvWriter out(path, csv);
  out.write_row({"id", "target_unit", "target_kind", "respondent_group", "home_unit"});
  std::uint64_t rows = 0;
  auto add = [&](const Unit& target, const std::string& group, const std::string& home, int k) {
    out.write_row(
        {target.id + "/" + home + "/" + std::to_string(k), target.id, target.kind, group, home});
    ++rows;
  };
  for (const auto& target : province.units()) {
    const bool is_department = target.kind == "department";
    const auto& raters = is_department ? province.districts : province.departments;
    for (const auto& rater : raters)
      for (int k = 1; k <= leaders_per_unit; ++k)
        add(target, is_department ? "lead_local" : "lead_dept", rater.id, k);
    for (int k = 1; k <= deputies; ++k)
      add(target, "hdnd", "HDND", k);
  }
  out.commit();
  return rows;
}

void write_units(const std::filesystem::path& path, const Province& province,
                 const io::CsvWriterOptions& csv) {
  io::CsvWriter out(path, csv);
  out.write_row({"unit", "name", "ranked"});
  for (const auto& u : province.units())
    out.write_row({u.id, u.name, "yes"});
  out.commit();
}

}  // namespace sipas::demo
