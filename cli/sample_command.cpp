// sipas sample (draw a sample from a frame) and sipas sample size.

#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/flag_names.hpp"
#include "io/file.hpp"
#include "io/rng.hpp"
#include "sampling/draw.hpp"
#include "sampling/error.hpp"
#include "sampling/frame_counts.hpp"
#include "sampling/sample_size.hpp"
#include "sampling/selection.hpp"

namespace sipas::cli {
namespace {

namespace s = sipas::sampling;

struct SampleOptions {
  std::string frame, id = "id", strata, n_per_stratum, allocation = "proportional", sd_col, p_col,
                     cost_col;
  std::string method = "srs", size, sort, design, carry, out, design_out;
  std::optional<std::int64_t> n, max_per_stratum;
  std::int64_t min_per_stratum = 0, reserve = 0;
  double power_q = 0.5;
  std::optional<std::uint64_t> seed;
  bool quiet = false;
  bool raw_csv = false;
};

struct SizeOptions {
  double margin = 0.05, confidence = 0.95, p = 0.5, deff = 1, response_rate = 1;
  std::optional<double> population;
  std::string frame, strata, format = "table";
  bool slovin = false;
  std::int64_t minimum = 0;
};

std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Which πps algorithm drew the sample (--method pps), e.g. "pps: the
// maximum-entropy (conditional Poisson) design in 1 stratum, where Sampford's
// method would need more than 1,000 tries on average".
std::string pps_message(const std::map<std::string, std::uint64_t>& algorithms, bool design) {
  auto where = [&](std::uint64_t count) {
    if (design) return with_commas(count) + (count == 1 ? " selection" : " selections");
    return with_commas(count) + (count == 1 ? " stratum" : " strata");
  };
  std::string text = "pps:";
  const char* separator = " ";
  if (auto it = algorithms.find(s::to_string(s::PpsAlgorithm::Sampford)); it != algorithms.end()) {
    text += separator + std::string("Sampford's method in ") + where(it->second);
    separator = ", ";
  }
  if (auto it = algorithms.find(s::to_string(s::PpsAlgorithm::MaxEntropy));
      it != algorithms.end()) {
    text += separator + std::string("the maximum-entropy (conditional Poisson) design in ") +
            where(it->second) + ", where Sampford's method would need more than " +
            with_commas(static_cast<std::uint64_t>(std::llround(1 / s::min_sampford_acceptance))) +
            " tries on average";
  }
  return text;
}

int run_sample(const SampleOptions& o, const std::string& command_line) {
  if (o.frame.empty())
    throw s::SamplingError("sample.missing_option", "--frame FILE.csv is required");
  if (o.out.empty())
    throw s::SamplingError("sample.missing_option", "--out sample.csv is required");
  s::SampleRequest r;
  r.frame = o.frame;
  r.id_column = o.id;
  r.strata = split_list(o.strata);
  r.carry = split_list(o.carry);
  r.out = o.out;
  r.neutralise_formulas = !o.raw_csv;
  r.command_line = command_line;
  if (!o.design.empty()) {
    if (o.n || !o.n_per_stratum.empty() || !o.strata.empty() || o.method != "srs" ||
        !o.size.empty()) {
      throw s::SamplingError(
          "sample.conflicting_options",
          "--design describes the strata, stages, methods and sizes; leave out --strata, "
          "--n, --n-per-stratum, --method and --size");
    }
    r.design = s::load_design_spec(o.design);
  } else {
    if (o.n.has_value() == !o.n_per_stratum.empty()) {
      throw s::SamplingError("sample.missing_size",
                             "give exactly one of --n N and --n-per-stratum FILE.csv");
    }
    r.total = o.n;
    if (!o.n_per_stratum.empty()) r.n_per_stratum = o.n_per_stratum;
    auto allocation = s::allocation_method_from_string(o.allocation);
    if (!allocation) {
      throw s::SamplingError("sample.invalid_option",
                             "--allocation must be proportional, equal, neyman, power or optimal");
    }
    r.allocation.method = *allocation;
    r.allocation.power_q = o.power_q;
    if ((*allocation == s::AllocationMethod::Neyman ||
         *allocation == s::AllocationMethod::Optimal) &&
        o.sd_col.empty() && o.p_col.empty() && o.n) {
      throw s::SamplingError("sample.missing_option",
                             "--allocation " + o.allocation + " needs --sd-col COL or --p-col COL");
    }
    if (!o.sd_col.empty() && !o.p_col.empty()) {
      throw s::SamplingError("sample.conflicting_options", "give --sd-col or --p-col, not both");
    }
    r.sd_column = o.sd_col;
    r.p_column = o.p_col;
    r.cost_column = o.cost_col;
    r.min_per_stratum = o.min_per_stratum;
    r.max_per_stratum = o.max_per_stratum;
    auto method = s::selection_method_from_string(o.method);
    if (!method) {
      throw s::SamplingError("sample.invalid_option",
                             "--method must be srs, systematic, pps-systematic or pps");
    }
    r.method = *method;
    r.size_column = o.size;
    r.sort_column = o.sort;
    r.reserve = o.reserve;
  }
  if (o.reserve < 0) throw s::SamplingError("sample.invalid_option", "--reserve must be >= 0");
  r.seed_given = o.seed.has_value();
  r.seed = o.seed ? *o.seed : io::random_seed();
  if (!o.quiet) {
    r.progress = [](const std::string& phase, std::uint64_t rows) {
      std::cerr << "  " << phase << ": " << with_commas(rows) << " rows\n";
    };
  }
  std::filesystem::path design_out = o.design_out;
  if (design_out.empty()) design_out = std::filesystem::path(o.out).parent_path() / "design.json";
  auto summary = s::draw_sample(r);
  // Sizes, seed and the frame's hash; no person's data.
  io::write_file_atomic(design_out, summary.design.dump(2) + "\n", io::FileAccess::shared);
  std::cout << o.out << ": " << with_commas(summary.main) << " main and "
            << with_commas(summary.reserves) << " reserve units from "
            << with_commas(summary.frame_rows) << " frame rows in " << summary.strata << " strat"
            << (summary.strata == 1 ? "um" : "a") << " (seed " << r.seed
            << (r.seed_given ? "" : ", drawn") << ")\n";
  if (!summary.pps_algorithms.empty()) {
    std::cout << pps_message(summary.pps_algorithms, r.design.has_value()) << "\n";
  }
  std::cout << design_out.string() << ": the design record\n";
  return exit_ok;
}

int run_size(const SizeOptions& o) {
  s::ProportionSizeOptions p;
  p.margin = o.margin;
  p.confidence = o.confidence;
  p.proportion = o.p;
  p.design_effect = o.deff;
  p.response_rate = o.response_rate;
  std::vector<std::pair<std::string, double>> domains;
  if (!o.frame.empty()) {
    for (const auto& [key, count] : s::count_strata(o.frame, split_list(o.strata))) {
      domains.emplace_back(key, static_cast<double>(count));
    }
  } else if (o.population) {
    domains.emplace_back("all", *o.population);
  }
  const auto formula = o.slovin ? s::SizeFormula::Slovin : s::SizeFormula::Cochran;
  if (o.slovin && domains.empty()) {
    throw s::SamplingError("sample_size.missing_option",
                           "Slovin's formula needs N: --population N or --frame");
  }
  nlohmann::json report;
  report["formula"] = o.slovin ? "slovin" : "cochran";
  report["margin"] = o.margin;
  report["response_rate"] = o.response_rate;
  if (!o.slovin) {
    report["confidence"] = o.confidence;
    report["p"] = o.p;
    report["deff"] = o.deff;
    report["z"] = s::normal_quantile_two_sided(o.confidence);
  }
  if (domains.empty()) {
    auto size = s::size_for_proportion(p);
    report["n0"] = size.n0;
    report["n"] = std::max(size.n, o.minimum);
    if (o.format == "json") {
      std::cout << report.dump(2) << "\n";
    } else {
      std::cout << std::setprecision(6) << "z = " << size.z << ", n0 = z² p(1-p)/e² = " << size.n0
                << ", × deff = " << size.with_deff << ", / response rate = " << size.to_draw
                << "\nn = " << report["n"].get<std::int64_t>() << "\n";
    }
    return exit_ok;
  }
  auto sizes = s::domain_sizes(domains, formula, p, o.minimum);
  std::int64_t total = 0;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& d : sizes) {
    total += d.n;
    rows.push_back({{"domain", d.domain},
                    {"population", d.population},
                    {"exact", d.exact},
                    {"n", d.n},
                    {"raised_to_minimum", d.raised_to_minimum}});
  }
  report["domains"] = rows;
  report["total"] = total;
  if (o.format == "json") {
    std::cout << report.dump(2) << "\n";
    return exit_ok;
  }
  std::cout << std::left << std::setw(24) << "domain" << std::right << std::setw(12) << "N"
            << std::setw(12) << "exact" << std::setw(8) << "n"
            << "\n";
  for (const auto& d : sizes) {
    std::cout << std::left << std::setw(24) << d.domain << std::right << std::setw(12)
              << static_cast<std::int64_t>(d.population) << std::setw(12) << std::fixed
              << std::setprecision(2) << d.exact << std::setw(8) << d.n
              << (d.raised_to_minimum ? "  (minimum)" : "") << "\n";
  }
  std::cout << std::left << std::setw(48) << "total" << std::right << std::setw(8) << total << "\n";
  return exit_ok;
}

constexpr const char* size_help = R"(Sample size for a proportion, per domain.
  Cochran:  z = Φ⁻¹(1 - (1-c)/2);  n0 = z² p (1-p) / e²;  n1 = n0 × deff;
            n2 = n1 / (1 + (n1 - 1)/N)  (finite population correction, when N is known);
            n = ⌈n2 / response rate⌉, at least --min, at most N.
  Slovin:   n = ⌈N / (1 + N e²) / response rate⌉, at least --min, at most N
            (the formula of the Vietnamese guidance; e = 0.05 gives 385 for N = 10,000).
Domains are the strata of --frame (with --strata), or one domain of --population N.)";

}  // namespace

void add_sample_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<SampleOptions>();
  auto* sample = app.add_subcommand(
      "sample",
      "Draw a reproducible sample from a population frame, with reserve lists, inclusion "
      "probabilities and "
      "design weights. Writes sample.csv and the design record design.json (sampling/README.md).");
  sample->add_option("--frame", o->frame, "Population frame (CSV with a header row)");
  sample->add_option("--id", o->id, "Column with each unit's unique id")->capture_default_str();
  sample->add_option("--strata", o->strata, "Stratum columns, comma-separated");
  sample->add_option("--n", o->n, "Total sample size, allocated across strata");
  sample->add_option("--n-per-stratum", o->n_per_stratum, "CSV with the stratum columns and n");
  sample
      ->add_option("--allocation", o->allocation, "proportional | equal | neyman | power | optimal")
      ->capture_default_str();
  sample->add_option("--sd-col", o->sd_col,
                     "Numeric column whose within-stratum SD drives Neyman/optimal/power");
  sample->add_option("--p-col", o->p_col,
                     "Column with the anticipated proportion (its stratum mean is used)");
  sample->add_option("--cost-col", o->cost_col,
                     "Column with the per-unit cost (optimal allocation)");
  sample->add_option("--power-q", o->power_q, "Exponent q of power allocation")
      ->capture_default_str();
  sample->add_option("--min-per-stratum", o->min_per_stratum, "Smallest sample in any stratum");
  sample->add_option("--max-per-stratum", o->max_per_stratum, "Largest sample in any stratum");
  sample
      ->add_option("--method", o->method,
                   "srs | systematic | pps-systematic | pps (Sampford's method, or the "
                   "maximum-entropy design where Sampford's would not finish)")
      ->capture_default_str();
  sample->add_option("--size", o->size, "Size measure column (pps methods)");
  sample->add_option("--sort", o->sort,
                     "Sort column for systematic selection (implicit stratification)");
  sample->add_option("--reserve", o->reserve,
                     "Reserve units per stratum (or per last-stage cluster)");
  sample->add_option("--design", o->design, "Multi-stage design file (sipas-design/1 JSON)");
  sample->add_option("--seed", o->seed,
                     "Seed; without it one is drawn and recorded in design.json");
  sample->add_option("--carry", o->carry, "Frame columns copied into sample.csv, comma-separated");
  sample->add_option("--out", o->out,
                     "Output sample.csv (owner-only, 0600: ids and carried columns, which may "
                     "be contacts)");
  sample->add_option("--design-out", o->design_out,
                     "Output design record (default: design.json beside --out)");
  sample->add_flag("--quiet", o->quiet, "No progress messages");
  add_raw_csv_flag(*sample, o->raw_csv);

  auto so = std::make_shared<SizeOptions>();
  auto* size = sample->add_subcommand("size", size_help);
  size->add_option("--margin", so->margin, "Margin of error e")->capture_default_str();
  size->add_option("--confidence", so->confidence, "Confidence level c")->capture_default_str();
  size->add_option("--p", so->p, "Anticipated proportion")->capture_default_str();
  size->add_option("--deff", so->deff, "Design effect")->capture_default_str();
  size->add_option("--response-rate", so->response_rate, "Expected response rate")
      ->capture_default_str();
  size->add_option("--population", so->population, "Population size N (one domain)");
  size->add_option("--frame", so->frame, "Frame whose strata are the domains");
  size->add_option("--strata", so->strata, "Stratum columns of --frame, comma-separated");
  size->add_option("--min", so->minimum, "Minimum sample per domain")->capture_default_str();
  size->add_flag("--slovin", so->slovin, "Use Slovin's formula n = N / (1 + N e²)");
  size->add_option("--format", so->format, "table | json")->check(CLI::IsMember({"table", "json"}));
  size->callback([&run, so] {
    run = [so] { return run_with_flags({sample_size_flags}, [&] { return run_size(*so); }); };
  });

  sample->callback([&run, o, size] {
    if (size->parsed()) return;
    run = [o] {
      return run_with_flags({sample_flags}, [&] { return run_sample(*o, invocation()); });
    };
  });
}

}  // namespace sipas::cli
