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
  io::CsvWriter out(path);
  out.write_row({"id", "province", "district", "commune", "village", "is_capital", "is_seat",
                 "service_field", "channel", "sex", "age_group", "phone"});
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
            out.write_row({id, province, province + "-" + district, commune, village_code,
                           d == 1 ? "1" : "0", c == 1 ? "1" : "0",
                           service_fields[rng.below(service_fields.size())],
                           channels[rng.below(channels.size())], rng.below(2) ? "female" : "male",
                           age_groups[rng.below(age_groups.size())], phone});
          }
        }
      }
    }
  }
  out.commit();
  return written;
}

}  // namespace sipas::sampling
