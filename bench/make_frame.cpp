// A realistic synthetic population frame for timing `sipas sample`
// (bench/sample_bench.sh): persons in villages, in communes, in districts, in
// Vietnam's 63 provinces, written reproducibly from a seed.
//
//   make_frame --rows N --seed S --out FILE
//
// Columns:
//   id          "P01-D03-C07-000123": province, district and commune codes and the
//               person's number within the commune (unique in the frame)
//   province    one of the 63 province names (UTF-8)
//   district    "Thành phố" (the provincial capital, always the first district) or
//               "Huyện NN"; unique within its province only
//   commune     "Thị trấn" (the district seat, always the first commune) or "Xã NN";
//               unique within its district only
//   village     "Thôn N"; unique within its commune only
//   is_capital  1 on every row of a province's first district, else 0
//   is_seat     1 on every row of a district's first commune, else 0
//   sex         1 or 2
//   age_group   18-24, 25-34, 35-44, 45-54, 55-64 or 65+
//   name        a Vietnamese full name; about 5 % carry a comma and 0.5 % a
//               nickname in double quotes, so the writer has to quote them
//   households  the village's number of households, the same on every row of a
//               village (a size measure for PPS: {"value": "households"})
//
// Structure: 8-12 districts per province, 10-20 communes per district, 3-7
// villages per commune (about 47,000 villages). Each unit gets a random
// relative size (provinces 0.4-1.6, Hà Nội and Hồ Chí Minh 4 times that;
// capitals 2.5 times and seats 2 times as big as their siblings' draw), and
// the N rows are spread over the villages in proportion to the product, with
// exact rounding of the running total, so the frame has exactly N rows. A
// village that gets no row does not appear. The same N and seed give the same
// bytes on any machine: the generator is SplitMix64 and only doubles are
// used for the spread (no standard distributions).
//
// Rows are written with io::CsvWriter (atomically: a temporary file renamed
// into place).

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "bench/generator_args.hpp"
#include "io/csv_writer.hpp"

namespace {

constexpr std::array<std::string_view, 63> provinces = {
    "An Giang",  "Bà Rịa - Vũng Tàu", "Bạc Liêu",   "Bắc Giang",   "Bắc Kạn",    "Bắc Ninh",
    "Bến Tre",   "Bình Dương",        "Bình Định",  "Bình Phước",  "Bình Thuận", "Cà Mau",
    "Cao Bằng",  "Cần Thơ",           "Đà Nẵng",    "Đắk Lắk",     "Đắk Nông",   "Điện Biên",
    "Đồng Nai",  "Đồng Tháp",         "Gia Lai",    "Hà Giang",    "Hà Nam",     "Hà Nội",
    "Hà Tĩnh",   "Hải Dương",         "Hải Phòng",  "Hậu Giang",   "Hòa Bình",   "Hưng Yên",
    "Khánh Hòa", "Kiên Giang",        "Kon Tum",    "Lai Châu",    "Lâm Đồng",   "Lạng Sơn",
    "Lào Cai",   "Long An",           "Nam Định",   "Nghệ An",     "Ninh Bình",  "Ninh Thuận",
    "Phú Thọ",   "Phú Yên",           "Quảng Bình", "Quảng Nam",   "Quảng Ngãi", "Quảng Ninh",
    "Quảng Trị", "Sóc Trăng",         "Sơn La",     "Tây Ninh",    "Thái Bình",  "Thái Nguyên",
    "Thanh Hóa", "Thừa Thiên Huế",    "Tiền Giang", "Hồ Chí Minh", "Trà Vinh",   "Tuyên Quang",
    "Vĩnh Long", "Vĩnh Phúc",         "Yên Bái"};

constexpr std::array<std::string_view, 14> family = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng",
                                                     "Huỳnh",  "Phan", "Vũ", "Võ",   "Đặng",
                                                     "Bùi",    "Đỗ",   "Hồ", "Ngô"};
constexpr std::array<std::string_view, 8> middle = {"Văn", "Minh",  "Ngọc",  "Đức",
                                                    "Hữu", "Thanh", "Quang", "Công"};
constexpr std::array<std::string_view, 16> given = {
    "An",  "Bình", "Cường", "Dũng", "Hoa",  "Lan",  "Mai",   "Nam",
    "Hải", "Hùng", "Linh",  "Long", "Hằng", "Tuấn", "Trang", "Phương"};
constexpr std::array<std::string_view, 6> age_groups = {"18-24", "25-34", "35-44",
                                                        "45-54", "55-64", "65+"};

// SplitMix64: the same sequence on every compiler and standard library.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // In [0, n); the modulo bias is irrelevant here.
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
  std::uint32_t between(std::uint32_t lo, std::uint32_t hi) { return lo + below(hi - lo + 1); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

struct Village {
  std::uint16_t province, district, commune, village;
  double weight;
  std::uint64_t rows = 0;
};

// Appends `value` with at least `width` digits, zero-padded.
void append_number(std::string& out, std::uint64_t value, int width) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  (void)ec;
  for (auto n = end - digits; n < width; ++n)
    out += '0';
  out.append(digits, end);
}

std::vector<Village> layout(std::uint64_t rows, Random& random) {
  std::vector<Village> villages;
  for (std::uint16_t p = 0; p < provinces.size(); ++p) {
    double province_weight = 0.4 + 1.2 * random.uniform();
    if (provinces[p] == "Hà Nội" || provinces[p] == "Hồ Chí Minh") province_weight *= 4;
    const auto districts = random.between(8, 12);
    for (std::uint16_t d = 0; d < districts; ++d) {
      const double district_weight = (0.3 + 1.4 * random.uniform()) * (d == 0 ? 2.5 : 1.0);
      const auto communes = random.between(10, 20);
      for (std::uint16_t c = 0; c < communes; ++c) {
        const double commune_weight = (0.3 + 1.4 * random.uniform()) * (c == 0 ? 2.0 : 1.0);
        const auto count = random.between(3, 7);
        for (std::uint16_t v = 0; v < count; ++v) {
          const double village_weight = 0.3 + 1.4 * random.uniform();
          villages.push_back(
              {p, d, c, v, province_weight * district_weight * commune_weight * village_weight});
        }
      }
    }
  }
  double total = 0;
  for (const auto& v : villages)
    total += v.weight;
  // Round the running total, so the villages' rows add up to exactly `rows`.
  double cumulated = 0;
  std::uint64_t assigned = 0;
  for (auto& v : villages) {
    cumulated += v.weight;
    auto upto =
        static_cast<std::uint64_t>(std::llround(static_cast<double>(rows) * cumulated / total));
    if (upto > rows || &v == &villages.back()) upto = rows;
    if (upto < assigned) upto = assigned;
    v.rows = upto - assigned;
    assigned = upto;
  }
  return villages;
}

}  // namespace

int main(int argc, char** argv) {
  const auto [rows, seed, out] = sipas::bench::parse_generator_args("make_frame", argc, argv);

  try {
    Random random{seed};
    const auto villages = layout(rows, random);
    sipas::io::CsvWriter writer(out);
    writer.write_row({"id", "province", "district", "commune", "village", "is_capital", "is_seat",
                      "sex", "age_group", "name", "households"});
    std::string prefix, id, district, commune, village, households, name;
    std::uint64_t person = 0;  // within the commune
    const Village* previous = nullptr;
    for (const auto& v : villages) {
      if (v.rows == 0) continue;
      const bool new_commune = previous == nullptr || previous->province != v.province ||
                               previous->district != v.district || previous->commune != v.commune;
      previous = &v;
      if (new_commune) person = 0;
      district.clear();
      commune.clear();
      village.clear();
      prefix.clear();
      if (v.district == 0) {
        district += "Thành phố";
      } else {
        district += "Huyện ";
        append_number(district, v.district + 1u, 2);
      }
      if (v.commune == 0) {
        commune += "Thị trấn";
      } else {
        commune += "Xã ";
        append_number(commune, v.commune + 1u, 2);
      }
      village += "Thôn ";
      append_number(village, v.village + 1u, 1);
      prefix += 'P';
      append_number(prefix, v.province + 1u, 2);
      prefix += "-D";
      append_number(prefix, v.district + 1u, 2);
      prefix += "-C";
      append_number(prefix, v.commune + 1u, 2);
      prefix += '-';
      // About 4.2 persons per household, give or take 20 %, at least 1.
      households.clear();
      append_number(
          households,
          std::max<std::uint64_t>(1, static_cast<std::uint64_t>(static_cast<double>(v.rows) / 4.2 *
                                                                (0.8 + 0.4 * random.uniform()))),
          1);
      const std::string_view capital = v.district == 0 ? "1" : "0";
      const std::string_view seat = v.commune == 0 ? "1" : "0";
      for (std::uint64_t r = 0; r < v.rows; ++r) {
        id.assign(prefix);
        append_number(id, ++person, 6);
        const std::uint64_t bits = random.next();
        const bool female = bits & 1;
        const auto mark = (bits >> 24) % 1000;
        name.clear();
        // About 0.5 % have a nickname in quotes (quoted, quotes doubled) and
        // 5 % a comma ("child of Mr ..."), so the writer must quote them.
        if (mark >= 50 && mark < 55) name += "\"Út\" ";
        name += family[(bits >> 1) % family.size()];
        name += ' ';
        name += female ? std::string_view("Thị") : middle[(bits >> 8) % middle.size()];
        name += ' ';
        name += given[(bits >> 16) % given.size()];
        if (mark < 50) {
          name += ", con ông ";
          name += given[(bits >> 40) % given.size()];
        }
        writer.write_row({id, provinces[v.province], district, commune, village, capital, seat,
                          female ? "2" : "1", age_groups[(bits >> 32) % age_groups.size()], name,
                          households});
      }
    }
    writer.commit();
    std::fprintf(stderr, "make_frame: %s: %llu rows\n", out,
                 static_cast<unsigned long long>(writer.rows_written() - 1));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_frame: %s\n", e.what());
    return 1;
  }
  return 0;
}
