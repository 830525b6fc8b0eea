// Synthetic survey responses for timing `sipas analyze` and the analysis library
// (bench/analysis_bench.cpp, bench/analysis_bench.sh), written reproducibly from a seed.
//
//   make_responses --rows N --seed S --out FILE
//
// Columns:
//   stratum   1..63 (the strata of a stratified two-stage sample)
//   psu       20 PSUs per stratum with ids unique in the file: stratum × 100 + 1..20
//             (101..120, 201..220, ..., 6301..6320)
//   weight    the PSU's design weight (its stratum's base weight, 40-400, times a PSU
//             factor 0.8-1.25) times a nonresponse adjustment of the row's sex × age
//             class in its PSU (0.85-1.2): constant within PSU × sex × age, so at most
//             12,600 distinct values, written with 3 decimals
//   domain    d01..d30, unequal sizes (the largest about 5 times the smallest), crossing
//             every PSU
//   sex       F or M (F about 52 %)
//   age       18-29, 30-39, 40-49, 50-59, 60+
//   q01..q20  answers 1-5 on a satisfaction scale, 9 = don't know (2-5 % by item), empty =
//             missing (1-3 % by item); the answers follow a latent satisfaction with
//             stratum, PSU, domain, person and item effects, so shares differ by domain
//             and answers correlate within persons and PSUs
//
// The N rows are spread over the 1,260 PSUs in proportion to a random size 0.5-1.5 with
// exact rounding of the running total (a PSU gets about N / 1,260 rows; with N below
// about 3,000 some PSUs get none). The same N and seed give the same bytes on any
// machine: the generator is SplitMix64, and uniform doubles are built from its bits
// (no standard distributions). Rows are written with io::CsvWriter, atomically.

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
#include "io/number_text.hpp"

namespace {

constexpr int strata = 63;
constexpr int psus_per_stratum = 20;
constexpr int domains = 30;
constexpr int items = 20;
constexpr std::array<std::string_view, 5> age_groups = {"18-29", "30-39", "40-49", "50-59", "60+"};
constexpr std::array<double, 5> age_shares = {0.20, 0.22, 0.21, 0.19, 0.18};

// SplitMix64: the same sequence on every compiler and standard library.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // In [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // In [lo, hi).
  double between(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // The index of the first cumulative share above a uniform draw.
  template <std::size_t N>
  std::size_t pick(const std::array<double, N>& cumulative) {
    const double u = uniform() * cumulative.back();
    std::size_t k = 0;
    while (k + 1 < N && u >= cumulative[k])
      ++k;
    return k;
  }
};

struct Psu {
  int stratum;
  int id;
  double weight;                  // design weight
  std::array<double, 10> adjust;  // nonresponse adjustment per sex × age class
  double effect;                  // latent satisfaction shift
  std::uint64_t rows = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const auto [rows, seed, out] = sipas::bench::parse_generator_args("make_responses", argc, argv);

  try {
    Random random{seed};
    // Strata, PSUs and their sizes.
    std::vector<Psu> psus;
    std::array<double, strata> stratum_effect{}, female_share{};
    for (int h = 0; h < strata; ++h) {
      const double base = random.between(40, 400);
      stratum_effect[static_cast<std::size_t>(h)] = random.between(-0.4, 0.4);
      female_share[static_cast<std::size_t>(h)] = random.between(0.48, 0.56);
      for (int k = 0; k < psus_per_stratum; ++k) {
        Psu p;
        p.stratum = h + 1;
        p.id = (h + 1) * 100 + k + 1;
        p.weight = base * random.between(0.8, 1.25);
        for (auto& a : p.adjust)
          a = random.between(0.85, 1.2);
        p.effect = random.between(-0.3, 0.3);
        psus.push_back(p);
      }
    }
    std::vector<double> size(psus.size());
    double total = 0;
    for (auto& s : size)
      total += (s = random.between(0.5, 1.5));
    double cumulated = 0;
    std::uint64_t assigned = 0;
    for (std::size_t k = 0; k < psus.size(); ++k) {
      cumulated += size[k];
      auto upto =
          static_cast<std::uint64_t>(std::llround(static_cast<double>(rows) * cumulated / total));
      if (upto > rows || k + 1 == psus.size()) upto = rows;
      if (upto < assigned) upto = assigned;
      psus[k].rows = upto - assigned;
      assigned = upto;
    }
    // Domains: unequal sizes and effects; items: effects and nonresponse.
    std::array<double, domains> domain_cumulative{}, domain_effect{};
    for (int d = 0; d < domains; ++d) {
      const double share = 1 + 4 * static_cast<double>((d * 7) % domains) / (domains - 1);
      domain_cumulative[static_cast<std::size_t>(d)] =
          (d == 0 ? 0 : domain_cumulative[static_cast<std::size_t>(d - 1)]) + share;
      domain_effect[static_cast<std::size_t>(d)] = random.between(-0.5, 0.5);
    }
    std::array<double, 5> age_cumulative{};
    for (std::size_t a = 0; a < age_shares.size(); ++a)
      age_cumulative[a] = (a == 0 ? 0 : age_cumulative[a - 1]) + age_shares[a];
    std::array<double, items> item_effect{}, dont_know{}, missing{};
    for (int j = 0; j < items; ++j) {
      const auto k = static_cast<std::size_t>(j);
      item_effect[k] = random.between(-0.4, 0.4);
      dont_know[k] = 0.02 + 0.01 * (j % 4);
      missing[k] = 0.01 + 0.01 * (j % 3);
    }

    sipas::io::CsvWriter writer(out);
    std::vector<std::string> header = {"stratum", "psu", "weight", "domain", "sex", "age"};
    for (int j = 1; j <= items; ++j)
      header.push_back((j < 10 ? "q0" : "q") + std::to_string(j));
    {
      std::vector<std::string_view> fields(header.begin(), header.end());
      writer.write_row(fields);
    }
    std::array<std::string, domains> domain_names;
    for (int d = 0; d < domains; ++d)
      domain_names[static_cast<std::size_t>(d)] = (d + 1 < 10 ? "d0" : "d") + std::to_string(d + 1);
    static constexpr std::array<std::string_view, 6> codes = {"1", "2", "3", "4", "5", "9"};
    std::vector<std::string_view> fields(6 + items);
    for (const auto& p : psus) {
      const std::string stratum = std::to_string(p.stratum);
      const std::string psu = std::to_string(p.id);
      std::array<std::string, 10> weights;
      for (std::size_t c = 0; c < weights.size(); ++c)
        weights[c] = sipas::io::fixed_decimal(p.weight * p.adjust[c], 3);
      const auto h = static_cast<std::size_t>(p.stratum - 1);
      for (std::uint64_t r = 0; r < p.rows; ++r) {
        const bool female = random.uniform() < female_share[h];
        const std::size_t age = random.pick(age_cumulative);
        const std::size_t domain = random.pick(domain_cumulative);
        // A person's latent satisfaction on the 1-5 scale.
        const double person = 0.8 * (random.uniform() + random.uniform() - 1);
        const double latent = 3.3 + stratum_effect[h] + p.effect + domain_effect[domain] + person +
                              0.05 * static_cast<double>(age) - (female ? 0.05 : 0);
        fields[0] = stratum;
        fields[1] = psu;
        fields[2] = weights[(female ? 5 : 0) + age];
        fields[3] = domain_names[domain];
        fields[4] = female ? "F" : "M";
        fields[5] = age_groups[age];
        for (std::size_t j = 0; j < static_cast<std::size_t>(items); ++j) {
          const double u = random.uniform();
          if (u < missing[j]) {
            fields[6 + j] = "";
          } else if (u < missing[j] + dont_know[j]) {
            fields[6 + j] = codes[5];
          } else {
            const double x = latent + item_effect[j] + 1.2 * (2 * random.uniform() - 1);
            const long code = std::clamp(std::lround(x), 1L, 5L);
            fields[6 + j] = codes[static_cast<std::size_t>(code - 1)];
          }
        }
        writer.write_row(fields);
      }
    }
    writer.commit();
    std::fprintf(stderr, "make_responses: %s: %llu rows\n", out,
                 static_cast<unsigned long long>(writer.rows_written() - 1));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_responses: %s\n", e.what());
    return 1;
  }
  return 0;
}
