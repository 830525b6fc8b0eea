#include "sampling/synthetic_frame.hpp"

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "io/csv_writer.hpp"
#include "io/rng.hpp"
#include "sampling/error.hpp"

namespace sipas::sampling {
namespace {

constexpr std::array<const char*, 8> service_fields = {"land",     "civil_status",   "construction",
                                                       "business", "social_affairs", "transport",
                                                       "justice",  "other"};
constexpr std::array<const char*, 3> channels = {"in_person", "post", "online"};
constexpr std::array<const char*, 5> age_groups = {"18-24", "25-34", "35-49", "50-60", "60+"};

std::string code(char prefix, int n) {
  std::string digits = std::to_string(n);
  return std::string(1, prefix) + std::string(digits.size() < 2 ? 2 - digits.size() : 0, '0') +
         digits;
}

}  // namespace

const std::vector<SyntheticDepartment>& synthetic_departments() {
  static const std::vector<SyntheticDepartment> departments = {
      {"S-TNMT", "Sở Tài nguyên và Môi trường", {"land"}},
      {"S-TP", "Sở Tư pháp", {"civil_status", "justice"}},
      {"S-XD", "Sở Xây dựng", {"construction"}},
      {"S-KHDT", "Sở Kế hoạch và Đầu tư", {"business"}},
      {"S-LDTBXH", "Sở Lao động - Thương binh và Xã hội", {"social_affairs"}},
      {"S-GTVT", "Sở Giao thông vận tải", {"transport"}},
      {"S-NV", "Sở Nội vụ", {"other"}},
  };
  return departments;
}

std::uint64_t write_synthetic_frame(const std::filesystem::path& path,
                                    const SyntheticFrameOptions& o) {
  if (o.provinces < 1 || o.districts_per_province < 1 || o.communes_per_district < 1 ||
      o.villages_per_commune < 1) {
    throw SamplingError("synthetic.invalid_option", "every level needs at least one unit");
  }
  io::Rng rng(o.seed);
  // Villages get uneven sizes (a lognormal-like spread), so that PPS matters.
  const std::uint64_t villages = static_cast<std::uint64_t>(o.provinces) *
                                 o.districts_per_province * o.communes_per_district *
                                 o.villages_per_commune;
  std::vector<double> weight(villages);
  double total = 0;
  for (auto& w : weight) {
    double u = rng.uniform();
    w = std::exp(2.0 * u);  // sizes spread over a factor of e² ≈ 7.4
    total += w;
  }
  // A frame of people with phone numbers, if made up ones: owner-only, like
  // any frame.
  io::CsvWriter out(
      path, {.neutralise_formulas = o.neutralise_formulas, .access = io::FileAccess::owner_only});
  std::vector<std::string> header = {"id",      "province",   "district",  "commune",
                                     "village", "is_capital", "is_seat",   "service_field",
                                     "channel", "sex",        "age_group", "phone"};
  std::array<std::string, service_fields.size()> department_of;
  if (o.with_departments) {
    header.push_back("department");
    for (std::size_t f = 0; f < service_fields.size(); ++f)
      for (const auto& d : synthetic_departments())
        for (const auto& field : d.service_fields)
          if (field == service_fields[f]) department_of[f] = d.id;
  }
  out.write_row(std::vector<std::string_view>(header.begin(), header.end()));
  std::vector<std::string> row(header.size());
  std::uint64_t written = 0, village = 0;
  double carried = 0;
  for (int p = 1; p <= o.provinces; ++p) {
    for (int d = 1; d <= o.districts_per_province; ++d) {
      for (int c = 1; c <= o.communes_per_district; ++c) {
        for (int v = 1; v <= o.villages_per_commune; ++v, ++village) {
          // Rows given so far follow the cumulated weights, so the total is exact.
          carried += weight[village] / total * static_cast<double>(o.rows);
          auto target = static_cast<std::uint64_t>(std::llround(carried));
          const std::string province = code('P', p), district = code('D', d),
                            commune = code('C', c), village_code = code('V', v);
          for (; written < target; ++written) {
            std::string id = province + "-" + district + "-" + commune + "-" + village_code + "-" +
                             std::to_string(written + 1);
            std::string phone = "09" + std::to_string(10000000 + rng.below(90000000));
            const auto field = rng.below(service_fields.size());
            row[0] = id;
            row[1] = province;
            row[2] = province + "-" + district;
            row[3] = commune;
            row[4] = village_code;
            row[5] = d == 1 ? "1" : "0";
            row[6] = c == 1 ? "1" : "0";
            row[7] = service_fields[field];
            row[8] = channels[rng.below(channels.size())];
            row[9] = rng.below(2) ? "female" : "male";
            row[10] = age_groups[rng.below(age_groups.size())];
            row[11] = phone;
            if (o.with_departments) row[12] = department_of[field];
            out.write_row(std::vector<std::string_view>(row.begin(), row.end()));
          }
        }
      }
    }
  }
  out.commit();
  return written;
}

}  // namespace sipas::sampling
