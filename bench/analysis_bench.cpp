// Timing of the analysis library on survey responses (bench/make_responses.cpp), with
// bench/analysis_bench.sh running the same computations in R's survey package.
//
//   analysis_bench --data FILE [--cases abc] [--repetitions K] [--form FORM.json]
//                  [--estimates-out PREFIX]
//
// The file is loaded once (analysis::Table, the columns below) and the linearization
// design built once (stratum, psu, weight); both are timed separately. Then each case
// runs K times (default 3):
//   a  linearized: satisfaction_indices() on bench/responses-form.json (20 items,
//      satisfied = 4, 5; 9 = don't know excluded; 4 elements of 5 items; overall = mean
//      of the elements), everyone and by domain (31 domains): 620 item shares, 124
//      element indices, 31 overall indices, each with its linearized SE and interval;
//      domains_of() is inside the timing
//   b  replicate: ReplicateDesign::jkn() (63 strata × 20 PSUs = 1,260 replicates) and
//      the same satisfaction_indices() on it; the design's construction is inside the
//      timing and also reported on its own
//   c  raking: calibrate() with method Raking to two margins, sex and age, with
//      population totals derived from the data: N = Σ weight, sex F 0.52 N, M 0.48 N,
//      age 0.22, 0.21, 0.20, 0.19, 0.18 of N (18-29 ... 60+); maxit 50, epsilon 1e-10
// For each case: wall time (steady clock) and CPU time of every repetition, and the
// peak resident set during the case (VmHWM of /proc/self/status, reset before every
// case by writing 5 to /proc/self/clear_refs, so it includes the loaded data), against
// the CSV's size. Lines starting with "result" are for bench/analysis_bench.sh.
// --estimates-out PREFIX writes PREFIX-a.csv and PREFIX-b.csv (item shares: item,
// domain, estimate, se, in percent) and PREFIX-c.csv (raked weight sums by sex × age,
// and the sum of squared weights), which the R script compares with its own.

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/calibration.hpp"
#include "analysis/design.hpp"
#include "analysis/engine.hpp"
#include "analysis/indices.hpp"
#include "analysis/replicate.hpp"
#include "analysis/table.hpp"
#include "questionnaires/questionnaire.hpp"

namespace {

namespace a = sipas::analysis;

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr,
               "analysis_bench: %s\nusage: analysis_bench --data FILE [--cases abc] "
               "[--repetitions K] [--form FORM.json] [--estimates-out PREFIX]\n",
               message);
  std::exit(2);
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// A field of /proc/self/status in kB (VmHWM, VmRSS), or -1.
long status_kb(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, field.size(), field) == 0 && line.size() > field.size() &&
        line[field.size()] == ':') {
      return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
    }
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux 4.0+); false when not allowed.
bool reset_peak() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

struct Timing {
  std::vector<double> wall, cpu;
  double median_wall() const {
    std::vector<double> w = wall;
    std::sort(w.begin(), w.end());
    return w[w.size() / 2];
  }
  double min_wall() const { return *std::min_element(wall.begin(), wall.end()); }
  double median_cpu() const {
    std::vector<double> c = cpu;
    std::sort(c.begin(), c.end());
    return c[c.size() / 2];
  }
};

std::string list(const std::vector<double>& v) {
  std::ostringstream out;
  out.precision(4);
  for (std::size_t k = 0; k < v.size(); ++k)
    out << (k ? "," : "") << v[k];
  return out.str();
}

void write_shares(const std::string& path, const std::vector<a::Estimate>& estimates) {
  std::ofstream out(path);
  out.precision(17);
  out << "item,domain,estimate,se\n";
  for (const auto& e : estimates) {
    if (e.statistic != "item_index") continue;
    out << e.variable << "," << (e.domain.empty() ? "(all)" : e.domain[0].second) << ","
        << e.estimate << "," << e.se << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_path, cases = "abc", form_path = SIPAS_BENCH_DIR "/responses-form.json",
                         estimates_out;
  int repetitions = 3;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) usage("every option takes a value");
    if (arg == "--data") {
      data_path = argv[++i];
    } else if (arg == "--cases") {
      cases = argv[++i];
    } else if (arg == "--repetitions") {
      repetitions = std::atoi(argv[++i]);
      if (repetitions < 1) usage("--repetitions must be at least 1");
    } else if (arg == "--form") {
      form_path = argv[++i];
    } else if (arg == "--estimates-out") {
      estimates_out = argv[++i];
    } else {
      usage("unknown option");
    }
  }
  if (data_path.empty()) usage("--data is required");

  try {
    const auto file_bytes = static_cast<double>(std::filesystem::file_size(data_path));
    const bool can_reset = reset_peak();
    const long start_kb = status_kb("VmRSS");

    // Load once.
    std::vector<std::string> columns = {"stratum", "psu", "weight", "domain", "sex", "age"};
    for (int j = 1; j <= 20; ++j)
      columns.push_back((j < 10 ? "q0" : "q") + std::to_string(j));
    double t0 = now_seconds(), c0 = cpu_seconds();
    const a::Table data = a::Table::load(data_path, columns);
    const double load_wall = now_seconds() - t0, load_cpu = cpu_seconds() - c0;
    const long load_peak_kb = status_kb("VmHWM");
    const long data_kb = status_kb("VmRSS");

    t0 = now_seconds();
    a::DesignColumns design_columns;
    design_columns.strata = "stratum";
    design_columns.clusters = {"psu"};
    design_columns.weights = "weight";
    const a::Design design = a::Design::build(data, design_columns);
    const double design_wall = now_seconds() - t0;
    const auto form = sipas::questionnaires::load_questionnaire_file(form_path);

    std::printf("data: %s, %zu rows, %.1f MB (%.0f bytes)\n", data_path.c_str(), data.rows(),
                file_bytes / 1e6, file_bytes);
    std::printf(
        "load: %.3f s wall, %.3f s CPU; RSS after load %.1f MB (process start %.1f MB, "
        "peak while loading %.1f MB)\n",
        load_wall, load_cpu, static_cast<double>(data_kb) / 1024,
        static_cast<double>(start_kb) / 1024, static_cast<double>(load_peak_kb) / 1024);
    std::printf("design: %.3f s wall (%zu PSUs in %u strata)\n", design_wall,
                static_cast<std::size_t>(design.stages()[0].clusters), design.stages()[0].strata);
    if (!can_reset) std::printf("note: /proc/self/clear_refs not writable: peaks are cumulative\n");
    std::printf("result\tload\t%.6f\t%.6f\t%ld\t%.0f\n", load_wall, load_cpu, load_peak_kb,
                file_bytes);
    std::printf("result\tdesign\t%.6f\n", design_wall);

    a::IndexOptions options;
    options.distributions = false;
    long overall_peak_kb = load_peak_kb;

    auto run = [&](const std::string& name, const std::string& what,
                   const std::function<std::string()>& body) {
      reset_peak();
      Timing t;
      std::string summary;
      for (int r = 0; r < repetitions; ++r) {
        const double w0 = now_seconds(), cc0 = cpu_seconds();
        summary = body();
        t.wall.push_back(now_seconds() - w0);
        t.cpu.push_back(cpu_seconds() - cc0);
      }
      const long peak_kb = status_kb("VmHWM");
      overall_peak_kb = std::max(overall_peak_kb, peak_kb);
      const double peak_bytes = static_cast<double>(peak_kb) * 1024;
      std::printf(
          "case %s (%s): median %.3f s wall (min %.3f; all %s), median %.3f s CPU; peak RSS "
          "%.1f MB = %.2f x the CSV; %s\n",
          name.c_str(), what.c_str(), t.median_wall(), t.min_wall(), list(t.wall).c_str(),
          t.median_cpu(), peak_bytes / 1e6, peak_bytes / file_bytes, summary.c_str());
      std::printf("result\t%s\t%.6f\t%.6f\t%.6f\t%ld\t%.0f\n", name.c_str(), t.median_wall(),
                  t.min_wall(), t.median_cpu(), peak_kb, file_bytes);
      std::fflush(stdout);
    };

    auto count_items = [](const std::vector<a::Estimate>& e) {
      std::map<std::string, int> by;
      for (const auto& x : e)
        ++by[x.statistic];
      std::string s;
      for (const auto& [k, v] : by)
        s += (s.empty() ? "" : ", ") + std::to_string(v) + " " + k;
      return s;
    };

    if (cases.find('a') != std::string::npos) {
      const a::LinearizationEngine engine(design);
      std::vector<a::Estimate> last;
      run("a", "linearized shares, everyone and by domain", [&] {
        const auto domains = a::domains_of(data, {"domain"});
        last = a::satisfaction_indices(engine, data, form, domains, options);
        return std::to_string(domains.size()) + " domains: " + count_items(last);
      });
      if (!estimates_out.empty()) write_shares(estimates_out + "-a.csv", last);
    }
    if (cases.find('b') != std::string::npos) {
      std::vector<a::Estimate> last;
      double build = 0;
      Eigen::Index replicates = 0;
      run("b", "JKn replicate shares, everyone and by domain (design built inside)", [&] {
        const double b0 = now_seconds();
        const a::ReplicateEngine engine(a::ReplicateDesign::jkn(design));
        build = now_seconds() - b0;
        replicates = engine.design().count();
        const auto domains = a::domains_of(data, {"domain"});
        last = a::satisfaction_indices(engine, data, form, domains, options);
        return std::to_string(replicates) + " replicates (last build " + std::to_string(build) +
               " s), " + std::to_string(domains.size()) + " domains: " + count_items(last);
      });
      std::printf("result\tb_build\t%.6f\t%ld\n", build, static_cast<long>(replicates));
      if (!estimates_out.empty()) write_shares(estimates_out + "-b.csv", last);
    }
    if (cases.find('c') != std::string::npos) {
      const double n_total = design.weights().sum();
      std::vector<a::Margin> margins = {{"sex", "F", 0.52 * n_total}, {"sex", "M", 0.48 * n_total}};
      const std::vector<std::pair<std::string, double>> ages = {
          {"18-29", 0.22}, {"30-39", 0.21}, {"40-49", 0.20}, {"50-59", 0.19}, {"60+", 0.18}};
      for (const auto& [level, share] : ages)
        margins.push_back({"age", level, share * n_total});
      a::CalibrationOptions options_c;
      options_c.method = a::CalibrationOptions::Raking;
      a::CalibrationReport report;
      std::optional<a::Design> raked;
      run("c", "raking to sex and age", [&] {
        raked.reset();  // not two raked designs at once
        raked = a::calibrate(design, data, margins, options_c, &report);
        std::ostringstream s;
        s << report.iterations << " passes, g in [" << report.min_g << ", " << report.max_g
          << "], max margin error " << report.max_margin_error;
        return s.str();
      });
      if (!estimates_out.empty()) {
        std::ofstream out(estimates_out + "-c.csv");
        out.precision(17);
        const auto& sex = data.column("sex");
        const auto& age = data.column("age");
        std::map<std::pair<std::string, std::string>, double> cells;
        double squares = 0;
        for (std::size_t i = 0; i < data.rows(); ++i) {
          const double w = raked->weights()[static_cast<Eigen::Index>(i)];
          cells[{sex.text(i), age.text(i)}] += w;
          squares += w * w;
        }
        out << "sex,age,total\n";
        for (const auto& [key, total] : cells)
          out << key.first << "," << key.second << "," << total << "\n";
        out << "(sum of squares),," << squares << "\n";
      }
    }
    std::printf("peak RSS over the run: %.1f MB (%.2f x the CSV)\n",
                static_cast<double>(overall_peak_kb) * 1024 / 1e6,
                static_cast<double>(overall_peak_kb) * 1024 / file_bytes);
    std::printf("result\tpeak\t%ld\t%.0f\n", overall_peak_kb, file_bytes);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "analysis_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
